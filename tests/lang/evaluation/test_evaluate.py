"""Evaluation: exact verdicts, explanations, undetermined data, versions, provenance, safety."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import pytest

from clusterkit import load_dataset
from clusterkit.diagnostics import DiagnosticError
from clusterkit.lang import Outcome, evaluate, load_rules
from clusterkit.loader import dataset_from_document
from clusterkit.model import Dataset

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"
AS_OF = dt.date(2021, 6, 30)


@pytest.fixture(scope="module")
def example() -> Dataset:
    return load_dataset(EXAMPLE)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def with_project(base: Dataset, budget: str, share: str) -> Dataset:
    return dataset_from_document(
        {
            "programmes": [
                {
                    "id": "tcp-x",
                    "cluster": "milk-akmola",
                    "title": {"en": "x"},
                    "start": "2021-01-01",
                    "end": "2025-12-31",
                    "projects": [
                        {
                            "id": "px",
                            "title": {"en": "x"},
                            "budget": budget,
                            "financing": [{"source": "cluster", "amount": share}],
                        }
                    ],
                }
            ]
        },
        "test",
        base,
        append=True,
    )


def test_published_shares_pass_within_precision_and_29_percent_fails(example: Dataset) -> None:
    program = load_rules([ROOT / "rules" / "tcp-cofinancing.ckr"])
    results = evaluate(program, example, AS_OF)
    shares = results.find("cluster_share")
    assert [r.outcome for r in shares] == [Outcome.PASS] * 6
    failing = evaluate(program, with_project(example, "100 mln KZT", "29 mln KZT"), AS_OF)
    (verdict,) = failing.find("cluster_share", "px")
    assert verdict.outcome is Outcome.FAIL
    gap = verdict.gap()
    assert gap is not None
    assert gap.startswith("p.cluster_amount is 350 thousand KZT short of")
    assert verdict.source.startswith("QazIndustry 2021")


def test_strict_comparison_fails_where_the_rounded_share_is_below_30_percent(
    tmp_path: Path, example: Dataset
) -> None:
    rules = write(
        tmp_path,
        "strict.ckr",
        (
            "rulebook test.strict\nrule strict for each p in projects\n"
            "  require p.cluster_amount >= 30 % * p.budget\n"
        ),
    )
    results = evaluate(load_rules([rules]), example, AS_OF)
    outcomes = {r.entity: r.outcome for r in results.find("strict")}
    # 33.6 < 33.63 and 111.7 < 111.72: only the precision-aware rule lets these pass.
    assert outcomes["project-construction-karaganda"] is Outcome.FAIL
    assert outcomes["project-milk-akmola"] is Outcome.FAIL
    assert outcomes["project-furniture-almaty"] is Outcome.PASS
    (construction,) = results.find("strict", "project-construction-karaganda")
    assert construction.gap() == "p.cluster_amount is 30 thousand KZT short of 30 % * p.budget"


def test_missing_data_is_undetermined_and_named(tmp_path: Path, example: Dataset) -> None:
    rules = write(
        tmp_path,
        "m.ckr",
        (
            "rulebook test.missing\nrule labelled for each c in clusters\n"
            "  require c.registered_on <= as_of\n"
        ),
    )
    results = evaluate(load_rules([rules]), example, AS_OF)
    assert {r.outcome for r in results.results} == {Outcome.UNDETERMINED}
    needs = results.results[0].needs
    assert needs is not None
    assert needs.text() == "c.registered_on"


def test_when_makes_a_rule_not_applicable(tmp_path: Path, example: Dataset) -> None:
    rules = write(
        tmp_path,
        "w.ckr",
        (
            "rulebook test.when\nrule later for each p in projects\n"
            "  when as_of >= 2030-01-01\n  require p.budget > 0\n"
        ),
    )
    results = evaluate(load_rules([rules]), example, AS_OF)
    assert {r.outcome for r in results.results} == {Outcome.NOT_APPLICABLE}


def test_versions_in_force_are_chosen_by_the_as_of_date(tmp_path: Path, example: Dataset) -> None:
    old = write(
        tmp_path,
        "old.ckr",
        (
            'rulebook test.v\n  version "2015"\n  in force from 2015-01-01 until 2022-07-11\n'
            "rule min for each c in clusters\n  require count(c.participants) >= 5\n"
        ),
    )
    new = write(
        tmp_path,
        "new.ckr",
        (
            'rulebook test.v\n  version "2022"\n  in force from 2022-07-12\n'
            "rule min for each c in clusters\n  require count(c.participants) >= 50\n"
        ),
    )
    program = load_rules([old, new])
    before = evaluate(program, example, dt.date(2022, 7, 11))
    after = evaluate(program, example, dt.date(2022, 7, 12))
    assert {r.version for r in before.results} == {"2015"}
    assert {r.outcome for r in before.results} == {Outcome.PASS}
    assert {r.version for r in after.results} == {"2022"}
    assert {r.outcome for r in after.results} == {Outcome.FAIL}
    assert evaluate(program, example, dt.date(2014, 1, 1)).results == ()


def test_imports_share_constants(tmp_path: Path, example: Dataset) -> None:
    write(
        tmp_path,
        "common.ckr",
        "rulebook test.common\nconst min_share = 30 %\nrule noop\n  require min_share > 0\n",
    )
    main = write(
        tmp_path,
        "main.ckr",
        (
            'rulebook test.main\nimport "common.ckr"\n'
            "rule share for each p in projects\n"
            "  require p.cluster_amount >= min_share * p.budget within precision\n"
        ),
    )
    program = load_rules([main])
    assert [b.id for b in program.rulebooks] == ["test.common", "test.main"]
    results = evaluate(program, example, AS_OF)
    assert len(results.find("share")) == 6


def test_provenance_names_rulebooks_data_and_date(example: Dataset) -> None:
    program = load_rules([ROOT / "rules" / "tcp-cofinancing.ckr"])
    results = evaluate(program, example, AS_OF)
    p = results.provenance
    assert p.as_of == AS_OF
    assert p.dataset == "kazakhstan-2021"
    assert len(p.data_sha256) == 64
    # The rulebook and the schema file it imports.
    assert [r.id for r in p.rulebooks] == ["kz.schema", "kz.tcp.cofinancing"]
    ref = p.rulebooks[1]
    assert len(ref.sha256) == 64
    changed = with_project(example, "100 mln KZT", "29 mln KZT")
    assert evaluate(program, changed, AS_OF).provenance.data_sha256 != p.data_sha256


def test_evaluation_is_pure_and_ignores_the_callers_decimal_context(example: Dataset) -> None:
    program = load_rules([ROOT / "rules"])
    first = evaluate(program, example, AS_OF)
    with decimal.localcontext() as context:
        context.prec = 3
        second = evaluate(program, example, AS_OF)
    assert first == second


def test_rule_text_never_reaches_the_generated_code(tmp_path: Path, example: Dataset) -> None:
    hostile = 'x"); __import__("os").system("echo pwned"); ("'
    rules = write(
        tmp_path,
        "h.ckr",
        (
            "rulebook test.hostile\nrule h for each c in clusters\n"
            f'  require c.id != "{hostile.replace(chr(34), chr(39))}"\n'
        ),
    )
    program = load_rules([rules])
    source = program.rulebooks[0].source
    assert "__import__" not in source
    assert "pwned" not in source
    assert "pint" not in source
    results = evaluate(program, example, AS_OF)
    assert {r.outcome for r in results.results} == {Outcome.PASS}


def test_bad_rules_raise_diagnostics_not_exceptions(tmp_path: Path) -> None:
    rules = write(tmp_path, "bad.ckr", "rulebook test.bad\nrule r\n  require nothing > 1\n")
    with pytest.raises(DiagnosticError) as exc:
        load_rules([rules])
    assert [d.code for d in exc.value.diagnostics] == ["R201"]


def test_aggregates_and_time_series(tmp_path: Path, example: Dataset) -> None:
    rules = write(
        tmp_path,
        "ts.ckr",
        (
            "rulebook test.ts\nindicator output in KZT\n"
            'rule ts for each c in clusters where c.id = "milk-akmola"\n'
            "  let growth_rate = "
            'growth(indicator(c, "output", 2020), indicator(c, "output", 2024))\n'
            '  let yearly = cagr(indicator(c, "output", 2020), indicator(c, "output", 2024), 4)\n'
            '  let rounded = round(yearly, 0.1 %, "half_up")\n'
            "  let biggest = max(p.budget for p in projects)\n"
            '  let suppliers = count(p in c.participants where p.role = "supplier")\n'
            "  let mean = average(p.budget for p in projects)\n"
            "  require rounded = 17 % and biggest = 3070 mln KZT and suppliers = 1\n"
            "  require mean > 0 and growth_rate > 87 %\n"
        ),
    )
    results = evaluate(load_rules([rules]), example, AS_OF)
    (verdict,) = results.results
    values = {t.label: t.text() for t in verdict.trace}
    assert verdict.outcome is Outcome.PASS, verdict.explain()
    assert values["rounded"] == "17 %"
    assert values["mean"] == "649.417 mln KZT"  # shown to 6 significant digits


def test_convert_uses_the_datasets_rates_and_says_when_one_is_missing(
    tmp_path: Path, example: Dataset
) -> None:
    rules = write(
        tmp_path,
        "fx.ckr",
        (
            'rulebook test.fx\nrule usd for each p in projects where p.id = "project-milk-akmola"\n'
            '  let in_usd = convert(p.budget, "USD", 2021-06-30)\n'
            "  require in_usd >= 800 thousand USD\n"
        ),
    )
    with_rate = dataset_from_document(
        {
            "rates": [
                {
                    "base": "USD",
                    "quote": "KZT",
                    "rate": "425.5",
                    "on": "2021-06-01",
                    "source": "NBK (sample)",
                }
            ]
        },
        "test",
        example,
        append=True,
    )
    program = load_rules([rules])
    (verdict,) = evaluate(program, with_rate, AS_OF).results
    assert verdict.outcome is Outcome.PASS
    values = {t.label: t.raw for t in verdict.trace}
    assert values["in_usd"].startswith("875205.64042303172737955346650998")
    (missing,) = evaluate(program, example, AS_OF).results
    assert missing.outcome is Outcome.UNDETERMINED
    assert missing.needs is not None
    assert missing.needs.text() == "an exchange rate KZT→USD on or before 2021-06-30"
