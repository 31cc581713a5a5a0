"""A dated parameter's values each with their own basis: the verdict shows the basis of
the value it read, on the as-of date or the date the rule names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import clusterkit
from clusterkit.diagnostics import DiagnosticError
from clusterkit.lang import ast, load_rules, parse_rules
from clusterkit.lang.results.result_set import ResultSet
from clusterkit.lsp.analysis import analyse
from clusterkit.lsp.features import hover
from clusterkit.plugins import REPORTERS, ReportContext, discover
from tests.cli.runner import run

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "kazakhstan-2021"

RULES = """rulebook t
param share
  from 2016-01-28 = 50 % basis source "Decree No. 41, art. 3"
  from 2021-04-08 = 30 % basis illustrative "an example of a later cut"
  from 2023-01-01 = 25 %
  source "Decree No. 41 of 28.01.2016, as amended"
  basis inferred "the 2023 value from press summaries"

rule now
  require share >= 25 %

rule then
  require share as of 2017-03-01 >= 50 %
"""

SOURCE = ("share", "source", "Decree No. 41, art. 3")
EXAMPLE = ("share", "illustrative", "an example of a later cut")
DEFAULT = ("share", "inferred", "the 2023 value from press summaries")
LATER = dt.date(2022, 6, 1)


def evaluate(day: dt.date) -> dict[str, clusterkit.Result]:
    program = clusterkit.compile_rules(RULES, name="t.ckr")
    results = clusterkit.evaluate(program, clusterkit.load_dataset(DATA), day)
    return {r.rule: r for r in results}


def test_a_basis_on_a_from_line_is_that_values_and_one_alone_the_default() -> None:
    (param,) = parse_rules(RULES, "t.ckr").items[:1]
    assert isinstance(param, ast.Param)
    assert [v.basis.note if v.basis else None for v in param.values] == [
        "Decree No. 41, art. 3",
        "an example of a later cut",
        None,
    ]
    assert param.basis is not None
    assert param.basis.kind == "inferred"


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2020, 6, 1), SOURCE), (dt.date(2022, 6, 1), EXAMPLE), (dt.date(2024, 6, 1), DEFAULT)],
)
def test_a_verdict_shows_the_basis_of_the_value_in_force_on_the_as_of_date(
    day: dt.date, expected: tuple[str, str, str]
) -> None:
    result = evaluate(day)["now"]
    assert result.outcome is clusterkit.Outcome.PASS
    assert result.parameters == (expected,)
    text = result.explain("en")
    assumed = [line for line in text.splitlines() if "Assumed:" in line]
    if expected[1] == "source":  # the source's own value is no assumption
        assert assumed == []
    else:
        assert len(assumed) == 1
        assert expected[2] in assumed[0]
        for other in {SOURCE, EXAMPLE, DEFAULT} - {expected}:
            assert other[2] not in text


@pytest.mark.parametrize("day", [dt.date(2022, 6, 1), dt.date(2024, 6, 1)])
def test_a_value_read_as_of_a_date_the_rule_names_shows_that_values_basis(day: dt.date) -> None:
    result = evaluate(day)["then"]
    assert result.parameters == (SOURCE,)
    assert "Assumed" not in result.explain("en")


def test_the_json_result_carries_the_basis_of_the_value_in_force() -> None:
    program = clusterkit.compile_rules(RULES, name="t.ckr")
    data = clusterkit.load_dataset(DATA)
    for day, (_name, kind, note) in [(dt.date(2020, 6, 1), SOURCE), (dt.date(2022, 6, 1), EXAMPLE)]:
        results = clusterkit.evaluate(program, data, day)
        assert isinstance(results, ResultSet)
        shown = {r["rule"]: r for r in json.loads(results.to_json("ru"))["results"]}
        assert shown["now"]["parameters"] == [{"name": "share", "basis": kind, "note": note}]
        assert shown["then"]["parameters"][0]["basis"] == "source"


def test_one_basis_for_every_value_is_shown_as_before() -> None:
    program = clusterkit.compile_rules(
        'rulebook t\nparam p\n  from 2016-01-01 = 1\n  from 2021-01-01 = 2\n  basis inferred "n"\n'
        "rule r\n  require p > 0\n",
        name="t.ckr",
    )
    (result,) = clusterkit.evaluate(program, clusterkit.load_dataset(DATA), dt.date(2022, 1, 1))
    assert result.bases_read == ()
    assert result.parameters == (("p", "inferred", "n"),)
    # Compiled as before: no note is taken of which value was read.
    assert "param_noted" not in program.rulebooks[0].generated.source


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('param p\n  from 2016-01-01 = 1 basis source "a" basis inferred "b"\n', 3, 40),
        ('param p\n  from 2016-01-01 = 1\n  basis source "a"\n  basis inferred "b"\n', 5, 3),
    ],
    ids=["one value", "the parameter"],
)
def test_a_basis_given_twice_is_refused_where_it_is(
    text: str, line: int, column: int, tmp_path: Path
) -> None:
    with pytest.raises(DiagnosticError) as caught:
        parse_rules("rulebook t\n" + text, "t.ckr")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "R106"
    assert str(diagnostic.message) == "'basis' is given twice here"
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)
    path = tmp_path / "t.ckr"
    path.write_text("rulebook t\n" + text, encoding="utf-8")
    code, out, err = run("lint", str(path))
    assert code == 2
    assert f"t.ckr:{line}:{column}" in out + err
    assert "Traceback" not in out + err


def test_a_values_basis_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.compile_rules(
            'rulebook t\nparam p\n  from 2016-01-01 = 1 basis stated "a"\n', name="t.ckr"
        )
    (diagnostic,) = [d for d in caught.value.diagnostics if d.code == "R205"]
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 23)
    assert "stated" in str(diagnostic.message)


def test_hover_on_a_parameter_shows_its_values_with_their_bases(tmp_path: Path) -> None:
    analysis = analyse(str(tmp_path / "t.ckr"), RULES)
    line = RULES.splitlines().index("  require share >= 25 %") + 1
    found = hover(analysis, line, len("  require s"))
    assert found is not None
    text, _span = found
    assert text.startswith("**param share**")
    assert 'from 2016-01-28 = 50 % basis source "Decree No. 41, art. 3"' in text
    assert 'basis inferred "the 2023 value from press summaries"' in text


def test_a_report_keeps_findings_apart_that_read_values_of_different_bases() -> None:
    # One cluster is judged by the value of 2017 (the source's), the others by the
    # one in force on the as-of date (an example): both fail, as two findings.
    rules = RULES + (
        "\nrule high for each c in clusters\n"
        '  message en "below the bar"\n'
        '  require share as of (if c.id = "milk-akmola" then 2017-03-01 else as_of) >= 60 %\n'
    )
    data = clusterkit.load_dataset(DATA)
    results = clusterkit.evaluate(clusterkit.compile_rules(rules, name="t.ckr"), data, LATER)
    high = {r.entity: r for r in results if r.rule == "high"}
    assert {r.outcome for r in high.values()} == {clusterkit.Outcome.FAIL}
    assert high["milk-akmola"].parameters == (SOURCE,)
    assert high["flour-kostanay"].parameters == (EXAMPLE,)
    page = discover([REPORTERS]).get(REPORTERS, "html").render(ReportContext(data, results, "en"))
    assert page.count("below the bar") == 2  # two findings of the one rule
    assert page.count("an example of a later cut") == 1  # the others' assumption, once


def test_scores_note_the_basis_of_the_value_each_entity_read() -> None:
    rules = RULES + (
        "\nscore s for each c in clusters\n"
        '  criterion v weight 100 % = (if c.id = "milk-akmola" then share as of 2017-03-01'
        " else share) * 10 points\n"
        "  scale 0 points to 10 points\n"
        "  select top 3\n"
    )
    program = clusterkit.compile_rules(rules, name="t.ckr")
    results = clusterkit.evaluate(program, clusterkit.load_dataset(DATA), LATER)
    scored = {r.entity: r for r in results if r.rule == "s"}
    assert scored["milk-akmola"].parameters == (SOURCE,)
    assert scored["tourism-almaty"].parameters == (EXAMPLE,)
    assert {r.outcome for r in scored.values()} == {
        clusterkit.Outcome.PASS,
        clusterkit.Outcome.FAIL,
    }


def test_the_version_in_force_on_a_date_notes_the_basis_of_the_value_it_read(
    tmp_path: Path,
) -> None:
    head = 'rulebook t\nversion "{v}"\nin force from {start}{until}\n'
    rule = "rule r for each c in clusters\n  version as of 2017-03-01\n  require share >= {least}\n"
    old = head.format(v="1", start="2015-01-01", until=" until 2020-12-31")
    new = head.format(v="2", start="2021-01-01", until="")
    param = RULES[len("rulebook t\n") : RULES.index("\nrule now")]
    (tmp_path / "old.ckr").write_text(old + param + rule.format(least="10 %"), encoding="utf-8")
    (tmp_path / "new.ckr").write_text(new + param + rule.format(least="90 %"), encoding="utf-8")
    program = load_rules([tmp_path])
    results = clusterkit.evaluate(program, clusterkit.load_dataset(DATA), LATER)
    judged = [r for r in results if r.rule == "r"]
    assert len(judged) == len(clusterkit.load_dataset(DATA).clusters)
    result = judged[0]
    # Judged by version 1 (in force on 2017-03-01), reading the value of the as-of date.
    assert result.version == "1"
    assert result.outcome is clusterkit.Outcome.PASS
    assert result.parameters == (EXAMPLE,)
