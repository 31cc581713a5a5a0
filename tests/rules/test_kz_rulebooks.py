"""What the shipped Kazakh rulebooks promise beyond their own rule tests: every
rulebook, rule, constant and parameter states its basis; explanations and JSON show
it in each language; no rule reads a state amount that the data does not record; and
the verdicts on the bundled example are the ones the source document supports.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from clusterkit import load_dataset
from clusterkit.lang import ast, evaluate, load_rules
from clusterkit.lang.results import ResultSet
from clusterkit.lang.results.outcome import Outcome
from clusterkit.lang.syntax.parser import parse_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"
RULE_FILES = sorted(RULES.glob("*.ckr"))
AS_OF = dt.date(2021, 6, 1)
BASES = {"source", "inferred", "illustrative"}


def parsed(path: Path) -> ast.RuleFile:
    return parse_rules(path.read_text(encoding="utf-8"), str(path))


@pytest.fixture(scope="module")
def results() -> ResultSet:
    program = load_rules([RULES])
    return evaluate(program, load_dataset(EXAMPLE, schema=program.schema), AS_OF)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_every_rulebook_rule_const_and_param_states_its_basis(path: Path) -> None:
    rule_file = parsed(path)
    missing = []
    header = rule_file.header
    if header.basis is None or header.basis.kind not in BASES:
        missing.append(f"rulebook {header.id}")
    for item in rule_file.items:
        if isinstance(item, ast.Rule | ast.Const | ast.Param) and (
            item.basis is None or item.basis.kind not in BASES or not item.basis.note
        ):
            kind = item.kind if isinstance(item, ast.Rule) else type(item).__name__.lower()
            missing.append(f"{kind} {item.name}")
    assert not missing, f"{path.name}: no basis stated for {', '.join(missing)}"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_every_rule_is_titled_in_english_russian_and_kazakh(path: Path) -> None:
    untitled = [
        item.name
        for item in parsed(path).items
        if isinstance(item, ast.Rule) and {lang for lang, _ in item.titles} != {"en", "ru", "kk"}
    ]
    assert not untitled, f"{path.name}: not titled in en, ru and kk: {', '.join(untitled)}"


def test_no_rule_reads_the_built_in_state_amount() -> None:
    """The rulebooks read state money by year from financing plans (a project's
    ``state_amount`` totals its lines and says nothing of years)."""
    readers = [
        path.name
        for path in RULE_FILES
        if re.search(r"\b(?!f\.)\w+\.state_amount\b", path.read_text(encoding="utf-8"))
    ]
    assert readers == []


@pytest.mark.parametrize(
    ("lang", "inferred", "illustrative"),
    [
        ("en", "Basis: inferred from the source", "illustrative, not in the source"),
        ("ru", "Основание: выведено из источника", "иллюстративно, в источнике нет"),
        ("kk", "Негіздеме: дереккөзден шығарылған", "көрнекі, дереккөзде жоқ"),
    ],
)
def test_explanations_show_the_basis_in_each_language(
    results: ResultSet, lang: str, inferred: str, illustrative: str
) -> None:
    (capacity,) = results.find("line_capacity")
    assert inferred in capacity.explain(lang)
    flour = next(r for r in results.find("development_level") if r.entity == "flour-kostanay")
    text = flour.explain(lang)
    assert "weight_scale" in text
    assert illustrative in text


def test_json_results_carry_the_basis_and_the_assumed_parameters(results: ResultSet) -> None:
    document = json.loads(results.to_json())
    by_rule = {r["rule"]: r for r in document["results"]}
    assert by_rule["cluster_share"]["basis"]["kind"] == "inferred"
    assert by_rule["line_covers_asks"]["basis"]["kind"] == "source"
    assert by_rule["development_level"]["basis"]["kind"] == "illustrative"
    share = {p["name"]: p["basis"] for p in by_rule["cluster_share"]["parameters"]}
    assert share == {"min_cluster_share": "inferred"}
    rates = {p["name"]: p["basis"] for p in by_rule["levels_in_gbp"]["parameters"]}
    assert rates == {"conversion_date": "illustrative", "kz_yearly_line": "source"}


def test_the_example_verdicts_are_the_ones_the_document_supports(results: ResultSet) -> None:
    failed = sorted((r.rule, r.entity) for r in results.results if r.outcome is Outcome.FAIL)
    assert failed == [
        ("exports_effect", "flour-kostanay/exports"),
        ("output_effect", "furniture-almaty/output"),
        ("tax_increase_due_to_projects", "kazakhstan-2021"),
    ]
    warnings = [(r.rule, r.entity) for r in results.results if r.outcome is Outcome.WARNING]
    assert warnings == [("line_capacity", "kz-project-subsidy")]
    undetermined = {r.rule for r in results.results if r.outcome is Outcome.UNDETERMINED}
    assert undetermined == {
        "line_covers_asks",
        "programme_gap",
        "commitment_split",
        "selection",
        "five_year_data",
    }
    assert not results.find("state_cap_per_year")
    assert not results.find("initiation_size")


def test_state_money_never_reads_as_zero_on_the_example(results: ResultSet) -> None:
    for result in results.find("line_covers_asks") + results.find("programme_gap"):
        assert result.outcome is Outcome.UNDETERMINED
        assert result.needs is not None
        assert "p.financing_plan" in result.needs.text()
