"""The front door used as an outside embedding developer would: declared kinds in
Python data, arguments of the wrong type, a text where a list belongs."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import clusterkit
from clusterkit import DiagnosticError, Outcome

AS_OF = dt.date(2022, 6, 1)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "kazakhstan-2021"

LABEL_RULES = """rulebook labels
  currency EUR
kind label_assessment
  belongs to cluster
  id required
  field level: one of "bronze", "silver", "gold" required
  field assessed_on: date required
  field fee: money in EUR
extend participant
  allow role "public_authority"
rule cheap for each a in label_assessments
  require a.fee <= 5000 EUR
"""


def labelled(**assessment: Any) -> dict[str, Any]:
    return {
        "dataset": {"id": "s", "title": {"en": "S"}},
        "regions": [{"code": "KZ-AKM", "name": {"en": "Akmola"}}],
        "sectors": [{"code": "food", "name": {"en": "Food"}}],
        "clusters": [{"id": "c1", "name": {"en": "One"}, "regions": ["KZ-AKM"], "sector": "food"}],
        "label_assessments": [
            {"id": "a1", "cluster": "c1", "level": "gold", "assessed_on": "2020-01-01"} | assessment
        ],
    }


def test_python_data_holds_the_kinds_the_rules_declare() -> None:
    program = clusterkit.compile_rules(LABEL_RULES, name="labels.ckr")
    data = clusterkit.dataset_from_dict(labelled(fee="6000 EUR"), schema=program.schema)
    [result] = clusterkit.evaluate(program, data, AS_OF)
    assert (result.entity, result.outcome) == ("a1", Outcome.FAIL)
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.dataset_from_dict(labelled(fee="5 RUB", level="platinum"), schema=program.schema)
    assert {(d.code, d.path) for d in caught.value.diagnostics} == {
        ("D103", "label_assessments[0].fee"),
        ("D103", "label_assessments[0].level"),
    }
    # Without the program's schema the collection is unknown, as in a data file.
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.dataset_from_dict(labelled())
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [("D104", "label_assessments")]


@pytest.mark.parametrize("given", ["KZ-AKM", {"KZ-AKM": "Akmola"}])
def test_a_text_or_an_object_where_a_list_belongs_is_not_a_list_of_its_letters(
    given: object,
) -> None:
    data = labelled()
    del data["label_assessments"]
    data["clusters"][0]["regions"] = given
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.dataset_from_dict(data)
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.path) == ("D103", "clusters[0].regions")
    assert "expected a list" in problem.message


def test_a_region_or_sector_given_twice_is_named_by_its_code() -> None:
    data = labelled()
    del data["label_assessments"]
    data["regions"].append(dict(data["regions"][0]))
    data["sectors"].append(dict(data["sectors"][0]))
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.dataset_from_dict(data)
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [
        ("D106", "regions[1].code"),
        ("D106", "sectors[1].code"),
    ]


def test_check_rules_takes_one_path_as_load_rules_does(tmp_path: Any) -> None:
    (tmp_path / "r.ckr").write_text("rulebook r\nrule c for each p in projects\n  require p.nope\n")
    one = clusterkit.check_rules(str(tmp_path / "r.ckr"))
    assert [d.code for d in one] == [d.code for d in clusterkit.check_rules([tmp_path / "r.ckr"])]
    assert one
    assert all(str(d.file).endswith("r.ckr") for d in one)


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"as_of": "2022-06-01"}, "as_of must be a datetime.date, not str"),
        ({"as_of": dt.datetime(2022, 6, 1)}, "as_of must be a datetime.date, not datetime"),
        ({"as_of": None}, "as_of must be a datetime.date, not NoneType"),
        ({"dataset": {"clusters": []}}, "dataset must be a Dataset"),
        ({"program": "rulebook r"}, "program must be a Program, not str"),
        ({"data_sha256": 5}, "data_sha256 must be a str or None, not int"),
    ],
)
def test_evaluate_names_an_argument_of_the_wrong_type(
    arguments: dict[str, Any], named: str
) -> None:
    program = clusterkit.compile_rules(LABEL_RULES)
    given: dict[str, Any] = {
        "program": program,
        "dataset": clusterkit.dataset_from_dict(labelled(), schema=program.schema),
        "as_of": AS_OF,
    } | arguments
    with pytest.raises(TypeError, match=named):
        clusterkit.evaluate(**given)


def test_rules_and_names_of_the_wrong_type_are_named() -> None:
    with pytest.raises(TypeError, match="text must be a str, not bytes"):
        clusterkit.compile_rules(b"rulebook r\n")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="name must be a str, not int"):
        clusterkit.compile_rules("rulebook r\n", name=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="name must be a str, not int"):
        clusterkit.dataset_from_dict(labelled(), name=5)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["xx", "kk-KZ", "RU", None])
def test_results_refuse_a_language_clusterkit_does_not_speak(lang: Any) -> None:
    program = clusterkit.compile_rules(LABEL_RULES)
    data = clusterkit.dataset_from_dict(labelled(fee="6000 EUR"), schema=program.schema)
    results = clusterkit.evaluate(program, data, AS_OF)
    [result] = results
    shown: list[Callable[[Any], object]] = [
        results.to_json,
        results.to_dict,
        results.render,
        result.explain,
        result.threshold,
        result.gap,
    ]
    for show in shown:
        with pytest.raises(ValueError, match=r"unknown language .*: one of en, ru, kk"):
            show(lang)
    assert "6" in (result.threshold("kk") or "")


@pytest.mark.parametrize("given", [1.5, 5, None])
def test_parsing_money_or_a_unit_from_a_number_names_the_mistake(given: Any) -> None:
    with pytest.raises(TypeError, match=r"parse_money parses text \('112.1 mln KZT'\)"):
        clusterkit.parse_money(given)
    with pytest.raises(TypeError, match="parse_unit parses text"):
        clusterkit.parse_unit(given)


def test_a_collection_may_be_a_tuple_as_a_nested_list_may() -> None:
    as_lists = labelled()
    del as_lists["label_assessments"]
    as_tuples = dict(as_lists)
    as_tuples["clusters"] = tuple(as_lists["clusters"])
    as_tuples["regions"] = tuple(as_lists["regions"])
    assert clusterkit.dataset_from_dict(as_tuples) == clusterkit.dataset_from_dict(as_lists)
    as_tuples["clusters"] = (c for c in as_lists["clusters"])
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.dataset_from_dict(as_tuples)
    assert [(d.code, d.path) for d in caught.value.diagnostics] == [("D103", "clusters")]


@pytest.mark.parametrize("day", ["2022-06-01", dt.datetime(2022, 6, 1)])
def test_a_program_asked_what_is_in_force_on_a_text_or_a_datetime_names_it(day: Any) -> None:
    program = clusterkit.compile_rules(LABEL_RULES)
    with pytest.raises(TypeError, match=r"as_of must be a datetime\.date"):
        program.in_force(day)
    with pytest.raises(TypeError, match=r"as_of must be a datetime\.date"):
        program.version_on("labels", day)
    assert program.version_on("labels", AS_OF) is not None


def test_summarizing_or_dumping_a_dict_names_the_mistake() -> None:
    data = labelled()
    functions: list[Callable[[Any], object]] = [clusterkit.summarize, clusterkit.dump_dataset]
    for function in functions:
        with pytest.raises(TypeError, match=r"takes a Dataset \(see dataset_from_dict\), not dict"):
            function(data)


def test_results_are_shown_the_same_whatever_the_callers_decimal_context() -> None:
    program = clusterkit.compile_rules(LABEL_RULES)
    data = clusterkit.dataset_from_dict(labelled(fee="6000.123456789 EUR"), schema=program.schema)
    results = clusterkit.evaluate(program, data, AS_OF)

    def shown() -> list[object]:
        [result] = results
        return [
            results.to_json("ru"),
            results.render("kk", show_all=True),
            result.explain("en"),
            result.gap("ru"),
            result.threshold("en"),
            [entry.text("ru") for entry in result.trace],
        ]

    expected = shown()
    assert "1,00012" in str(expected[3])  # the gap, 1000.123456789 EUR, shown to 6 digits
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_FLOOR
        assert shown() == expected


def test_a_summary_is_shown_the_same_whatever_the_callers_decimal_context() -> None:
    data = clusterkit.load_dataset(EXAMPLE)
    expected = [clusterkit.summarize(data).render(lang) for lang in ("en", "ru", "kk")]
    with decimal.localcontext() as context:
        context.prec = 3
        assert [clusterkit.summarize(data).render(lang) for lang in ("en", "ru", "kk")] == expected


def test_data_read_against_other_declarations_of_the_same_kind_is_refused() -> None:
    program = clusterkit.compile_rules(LABEL_RULES)
    data = clusterkit.dataset_from_dict(labelled(fee="6000 EUR"), schema=program.schema)
    other = clusterkit.compile_rules(
        "rulebook other\nkind label_assessment\n  belongs to cluster\n  id required\n"
        "  field fee: number\nrule big for each a in label_assessments\n  require a.fee > 1\n"
    )
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.evaluate(other, data, AS_OF)
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.path) == ("D103", "dataset.schema")
    assert "label_assessment" in problem.message
    assert "schema=program.schema" in problem.localized("ru").text("ru")
    # Declarations that agree (the same, or a program declaring nothing) are fine.
    assert len(clusterkit.evaluate(program, data, AS_OF)) == 1
    plain = clusterkit.compile_rules(
        'rulebook p\nrule c for each c in clusters\n  require c.id != ""\n'
    )
    assert len(clusterkit.evaluate(plain, data, AS_OF)) == 1


def test_a_program_given_for_its_schema_is_named() -> None:
    program = clusterkit.compile_rules(LABEL_RULES)
    with pytest.raises(TypeError, match=r"schema must be a Schema \(program.schema\) or None, not"):
        clusterkit.load_dataset(EXAMPLE, schema=program)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"dataset_from_dict: schema must be a Schema"):
        clusterkit.dataset_from_dict(labelled(), schema=program)  # type: ignore[arg-type]


def test_checking_no_rule_files_is_an_error_as_loading_them_is() -> None:
    [found] = clusterkit.check_rules([])
    assert found.code == "R100"
    assert found.is_error
    assert "no rule files given" in found.message
    with pytest.raises(clusterkit.DiagnosticError, match="no rule files given"):
        clusterkit.load_rules([])


def test_selecting_by_something_that_is_not_an_outcome_says_so() -> None:
    program = clusterkit.compile_rules(
        "rulebook demo\nrule share for each p in projects\n"
        "  require p.cluster_amount >= 30 % * p.budget within precision\n",
        name="demo.ckr",
    )
    data = clusterkit.load_dataset(EXAMPLE)
    results = clusterkit.evaluate(program, data, dt.date(2021, 6, 1))
    assert results.select("pass") == results.select(clusterkit.Outcome.PASS)
    assert len(results.select(clusterkit.Outcome.PASS)) == 6
    with pytest.raises(ValueError, match="not an outcome: 'passed'"):
        results.select("passed")
