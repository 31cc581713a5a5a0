"""A regime declared in the language: new kinds and fields, dates, dated parameters,
grandfathering, functions, tables, outcome labels and bases, end to end."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import clusterkit
from clusterkit import DiagnosticError, Outcome
from clusterkit.lang.program import declared_schema

REGIME = Path(__file__).parent / "fixtures" / "regime"
AS_OF = dt.date(2023, 6, 1)


@pytest.fixture
def regime(tmp_path: Path) -> Path:
    target = tmp_path / "regime"
    shutil.copytree(REGIME, target)
    return target


def run(regime: Path) -> clusterkit.ResultSet:
    program = clusterkit.load_rules([regime / "rules.ckr"])
    data = clusterkit.load_dataset(regime / "data", schema=program.schema)
    return clusterkit.evaluate(program, data, AS_OF)


def problems(regime: Path) -> list[str]:
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.load_dataset(regime / "data")
    return [f"{d.code} {d.path or ''} {d.message}" for d in caught.value.diagnostics]


def test_a_schema_file_declares_kinds_fields_units_and_values() -> None:
    schema, found = declared_schema([REGIME / "schema.ckr"])
    assert found == []
    kind = schema.kind("cost_item")
    assert kind is not None
    assert (kind.collection, kind.parent, kind.id_required) == ("cost_items", "project", True)
    assert [f.name for f in kind.fields] == ["amount", "incurred", "supplier", "category"]
    assert set(schema.extension_fields("participant")) >= {"in_sez", "fte", "inn", "bin"}
    assert schema.extra_choices("participant", "role") == ("public_authority",)
    assert schema.units == (("FTE",),)


def test_the_dataset_loads_with_its_own_schema_and_records_from_csv(regime: Path) -> None:
    data = clusterkit.load_dataset(regime / "data")
    items = data.records_of("cost_items")
    assert [i.id for i in items] == ["ci1", "ci2"]
    assert items[0].extra["amount"] == clusterkit.parse_money("200 mln RUB")
    assert items[0].extra["incurred"] == dt.date(2023, 1, 1)
    plant = data.clusters[0].participants[0]
    assert plant.extra["in_sez"] is True
    assert plant.extra["fte"] == Decimal("0.8")
    assert plant.role == "small_enterprise"
    assert data.clusters[0].participants[1].role == "public_authority"


def test_verdicts_use_every_declared_feature(regime: Path) -> None:
    results = run(regime)
    by = {(r.rule, r.entity): r for r in results}
    assert by[("cost_dates", "ci1")].outcome is Outcome.PASS
    assert by[("cost_dates", "ci1")].label("en") == "eligible"
    assert by[("cost_dates", "ci2")].label("ru") == "недопустимо"
    assert by[("supplier_in_cluster", "ci1")].outcome is Outcome.PASS
    share = by[("share", "jp1")]
    values = {t.label: t.exact for t in share.trace}
    # 30 % from 2021-04-08, read as of the programme's start (2022-01-01): 350 × 30 %.
    assert values["subsidy"] == Decimal("1.05E+8")
    assert ("subsidy_share", "inferred", "press summaries") in share.info.parameters
    assert "subsidy_share (inferred from the source" in share.explain("en")
    assert by[("label", "c1")].outcome is Outcome.PASS
    assert by[("sez", "p1")].outcome is Outcome.PASS
    assert share.info.basis == ("illustrative", "a demonstration")


def test_results_json_carries_labels_bases_and_parameters(regime: Path) -> None:
    document = json.loads(run(regime).to_json("ru"))
    first = next(r for r in document["results"] if r["rule"] == "cost_dates")
    assert first["label"] == "допустимо"
    assert first["basis"] == {"kind": "illustrative", "note": "a demonstration"}


def test_an_undeclared_key_is_still_an_error(regime: Path) -> None:
    path = regime / "data" / "clusters.json"
    path.write_text(path.read_text().replace('"in_sez": true', '"in_sez": true, "colour": 1'))
    found = problems(regime)
    assert any("D104 clusters[0].participants[0].colour unknown key 'colour'" in p for p in found)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('"fte": "0.8"', '"fte": "lots"', "participants[0].fte"),
        ('"inn": "7707083893"', '"inn": "7707083894"', "check digit does not match"),
        ('"in_sez": true', '"in_sez": "maybe"', "participants[0].in_sez"),
        ('"role": "public_authority"', '"role": "ministry"', "is not one of"),
    ],
)
def test_a_mistyped_declared_field_is_an_error_with_its_path(
    regime: Path, old: str, new: str, expected: str
) -> None:
    path = regime / "data" / "clusters.json"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    assert any(expected in p for p in problems(regime))


def test_declared_records_are_checked_cell_by_cell_with_their_columns(regime: Path) -> None:
    path = regime / "data" / "cost_items.csv"
    text = path.read_text().replace("200 mln RUB", "200 mln KZT").replace(",p1,", ",ghost,")
    path.write_text(text.replace("starter_batch", "starter"))
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.load_dataset(regime / "data")
    shown = [str(d) for d in caught.value.diagnostics]
    assert any(
        "cost_items.csv:2:3" in s and "amount: expected an amount in RUB" in s for s in shown
    )
    assert any("cost_items.csv:2:6" in s and "category:" in s for s in shown)
    assert any("'ghost' is not a known participant" in s for s in shown)


def test_a_record_missing_a_required_field_is_reported(regime: Path) -> None:
    path = regime / "data" / "cost_items.csv"
    path.write_text(path.read_text().replace("ci2,jp1,150 mln RUB,", "ci2,jp1,,"))
    assert any("D105" in p and "amount" in p for p in _all(regime))


def _all(regime: Path) -> list[str]:
    try:
        clusterkit.load_dataset(regime / "data")
    except DiagnosticError as exc:
        return [str(d) for d in exc.diagnostics]
    return []


def test_grandfathering_picks_the_version_in_force_on_each_entity_date(tmp_path: Path) -> None:
    head = 'rulebook g\n  version "{v}"\n  in force from {start}{until}\n'
    rule = (
        "rule fits for each p in programmes\n  version as of p.start\n"
        "  require year(p.end) >= {year}\n"
    )
    (tmp_path / "old.ckr").write_text(
        head.format(v="2020", start="2020-01-01", until=" until 2021-12-31")
        + rule.format(year=2030)
    )
    (tmp_path / "new.ckr").write_text(
        head.format(v="2022", start="2022-01-01", until="") + rule.format(year=2020)
    )
    program = clusterkit.load_rules([tmp_path])
    data = clusterkit.load_dataset("examples/kazakhstan-2021")
    results = clusterkit.evaluate(program, data, dt.date(2023, 1, 1))
    # Programmes start in 2021: the 2020 version judges them (and they end before 2030).
    assert {r.version for r in results} == {"2020"}
    assert {r.outcome for r in results} == {Outcome.FAIL}
