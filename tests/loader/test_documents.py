"""Datasets from JSON and TOML documents: the bundled example, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cattrs.errors import ClassValidationError

from clusterkit import DiagnosticError, load_dataset, summarize
from clusterkit.loader import dataset_from_document
from clusterkit.model import FundingSource, IndicatorValue
from clusterkit.money import Money, parse_money
from clusterkit.serde import structure, structure_errors, unstructure
from tests.loader.helpers import edit_json, load_errors

# -- the example ---------------------------------------------------------------------


def test_example_has_six_clusters_and_six_projects(example_dir: Path) -> None:
    summary = summarize(load_dataset(example_dir))
    assert summary.clusters == 6
    assert summary.projects == 6


def test_example_budget_and_cluster_share_totals_are_exact(example_dir: Path) -> None:
    summary = summarize(load_dataset(example_dir))
    assert summary.budget == (parse_money("3896.5 mln KZT"),)
    assert summary.cluster_share == (parse_money("1168.9 mln KZT"),)
    assert "3,896.5 mln KZT" in summary.render()
    assert "1,168.9 mln KZT" in summary.render()
    assert "3\xa0896,5 млн ₸" in summary.render("ru")  # babel groups with a no-break space


def test_example_keeps_every_published_table(example_dir: Path) -> None:
    data = load_dataset(example_dir)
    by = {(s.cluster, s.indicator): s for s in data.series}
    assert len([s for s in data.series if s.indicator == "output"]) == 6
    assert len([s for s in data.series if s.indicator == "exports"]) == 5
    assert len([s for s in data.series if s.indicator == "tax_revenue"]) == 5
    assert len([s for s in data.series if s.indicator == "labour_productivity"]) == 5
    flour = by[("flour-kostanay", "exports")]
    assert str(flour.unit) == "mln USD"
    entry = flour.at(2024)
    assert entry is not None
    assert entry.stated_effect_percent == 52
    assert entry.attributed_percent == 24
    milk = by[("milk-akmola", "labour_productivity")].at(2024)
    assert milk is not None
    assert milk.attributed == 5
    figure = data.figure("tcp-new-products")
    assert figure is not None
    assert figure.value.value == 24
    assert len(data.benchmarks) == 6
    assert {b.low.currency for b in data.benchmarks} == {"GBP", "EUR", "RUB"}
    assert all(label.name == "ESCA Bronze" for c in data.clusters for label in c.labels)


def test_example_sums_match_the_document_with_no_float(example_dir: Path) -> None:
    data = load_dataset(example_dir)
    output_2020 = sum(s.value_in(2020) or 0 for s in data.series if s.indicator == "output")
    assert output_2020 == 264_893  # mln KZT; the document states 264.9 bn
    shares = [p.funding(FundingSource.CLUSTER) for _, p in data.projects()]
    assert Money.total(shares, "KZT") == parse_money("1168.9 mln KZT")
    assert all(isinstance(s.amount, type(parse_money("1 KZT").amount)) for s in shares)


# -- bad input -------------------------------------------------------------------------


def test_bad_bin_names_file_and_data_path(example_copy: Path) -> None:
    clusters = example_copy / "clusters.json"

    def add(data: dict[str, Any]) -> None:
        data["clusters"][2]["participants"] = [
            {
                "id": "x1",
                "name": {"en": "X"},
                "bin": "060240113699",
                "role": "supplier",
                "region": "KZ-SHY",
                "oked": "21.20",
                "member_from": "2018-01-01",
            }
        ]

    edit_json(clusters, add)
    errors = load_errors(example_copy)
    assert any(
        e.startswith(f"{clusters}: clusters[2].participants[0].bin: ")
        and "check digit does not match" in e
        for e in errors
    ), errors


def test_unknown_key_is_an_error_with_a_suggestion(example_copy: Path) -> None:
    edit_json(
        example_copy / "programmes.json",
        lambda d: d["programmes"][1]["projects"][0].update(budjet="1 KZT"),
    )
    errors = load_errors(example_copy)
    assert any(
        "programmes[1].projects[0].budjet" in e and "did you mean 'budget'" in e for e in errors
    ), errors


def test_negative_budget_is_an_error(example_copy: Path) -> None:
    edit_json(
        example_copy / "programmes.json",
        lambda d: d["programmes"][0]["projects"][0].update(budget="-112.1 mln KZT"),
    )
    errors = load_errors(example_copy)
    assert any(
        "programmes[0].projects[0].budget: " in e and "must not be negative" in e for e in errors
    ), errors


def test_unknown_currency_is_an_error(example_copy: Path) -> None:
    edit_json(
        example_copy / "programmes.json",
        lambda d: d["programmes"][3]["projects"][0].update(budget="372.4 mln KZZ"),
    )
    errors = load_errors(example_copy)
    assert any(
        "programmes[3].projects[0].budget: " in e and "unknown currency 'KZZ'" in e for e in errors
    ), errors


def test_mixing_currencies_in_one_project_is_an_error(example_copy: Path) -> None:
    edit_json(
        example_copy / "programmes.json",
        lambda d: d["programmes"][0]["projects"][0]["financing"][0].update(amount="1 USD"),
    )
    errors = load_errors(example_copy)
    assert any(
        "programmes[0].projects[0].financing[0].amount: " in e
        and "is in USD, the budget in KZT" in e
        for e in errors
    ), errors


def test_date_that_does_not_exist_is_an_error(example_copy: Path) -> None:
    edit_json(
        example_copy / "applications.json",
        lambda d: d["applications"][0].update(submitted="2017-02-30"),
    )
    errors = load_errors(example_copy)
    assert any(
        "applications[0].submitted: " in e and "'2017-02-30' is not a date that exists" in e
        for e in errors
    ), errors


def test_file_that_is_not_json_gives_line_and_column(example_copy: Path) -> None:
    (example_copy / "applications.json").write_text('{\n  "applications": [,]\n}\n')
    errors = load_errors(example_copy)
    assert any(
        e.startswith(f"{example_copy / 'applications.json'}:2:") and "not valid JSON" in e
        for e in errors
    ), errors


def test_bad_toml_gives_line_and_column(example_copy: Path) -> None:
    with (example_copy / "figures.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n[[figures]\n")
    errors = load_errors(example_copy)
    assert any("figures.toml:" in e and "not valid TOML" in e for e in errors), errors


def test_missing_required_field_is_an_error(example_copy: Path) -> None:
    edit_json(example_copy / "clusters.json", lambda d: d["clusters"][4].pop("sector"))
    errors = load_errors(example_copy)
    assert any("clusters[4].sector: error[D105]: required field is missing" in e for e in errors), (
        errors
    )


def test_float_in_python_data_is_refused() -> None:
    with pytest.raises(ClassValidationError) as exc:
        structure({"year": 2020, "value": 0.1}, IndicatorValue)
    assert ("value", "a float is not exact: give the number as a string or Decimal") in list(
        structure_errors(exc.value, "")
    )


def test_json_numbers_become_exact_decimals(example_copy: Path) -> None:
    edit_json(
        example_copy / "indicators.json", lambda d: d["series"][0]["values"][0].update(value="0")
    )
    text = (example_copy / "indicators.json").read_text(encoding="utf-8")
    (example_copy / "indicators.json").write_text(text.replace('"value": "0"', '"value": 0.1'))
    data = load_dataset(example_copy)
    assert str(data.series[0].values[0].value) == "0.1"


def test_all_errors_in_all_files_are_reported_together(example_copy: Path) -> None:
    edit_json(
        example_copy / "programmes.json",
        lambda d: d["programmes"][0]["projects"][0].update(budget="-1 KZT"),
    )
    edit_json(
        example_copy / "applications.json",
        lambda d: d["applications"][5].update(submitted="2017-13-01", colour="red"),
    )
    errors = load_errors(example_copy)
    assert len(errors) == 3, errors


def test_broken_reference_is_reported_in_its_file(example_copy: Path) -> None:
    edit_json(example_copy / "indicators.json", lambda d: d["series"][3].update(cluster="ghost"))
    errors = load_errors(example_copy)
    assert errors == [
        f"{example_copy / 'indicators.json'}: series[3].cluster: error[D106]: "
        "'ghost' is not a known cluster"
    ]


def test_duplicate_json_keys_are_an_error(example_copy: Path) -> None:
    (example_copy / "applications.json").write_text('{"applications": [], "applications": []}')
    errors = load_errors(example_copy)
    assert any("appears twice" in e for e in errors), errors


# -- documents -------------------------------------------------------------------------


def test_a_document_without_dataset_information_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "d.json").write_text('{"clusters": []}')
    assert load_errors(tmp_path / "d.json") == [
        f"{tmp_path / 'd.json'}: error[D107]: no dataset information found "
        "(hint: add a 'dataset' object with at least 'id' and 'title')"
    ]


def test_the_top_level_must_be_an_object_of_known_collections(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("[]")
    (tmp_path / "b.toml").write_text("[clustres]\n")
    first, second = load_errors(tmp_path)
    assert (
        first
        == f"{tmp_path / 'a.json'}: error[D103]: the top level must be an object of collections"
    )
    assert second.startswith(
        f"{tmp_path / 'b.toml'}: clustres: error[D104]: unknown key 'clustres' "
        "(hint: expected one of: dataset, "
    )


def test_a_document_replaces_or_extends_a_base_dataset(example_dir: Path) -> None:
    base = load_dataset(example_dir)
    application = {**unstructure(base.applications[0]), "id": "reg-2022-01"}
    replaced = dataset_from_document({"applications": [application]}, "case.toml", base)
    assert [a.id for a in replaced.applications] == ["reg-2022-01"]
    assert replaced.clusters == base.clusters
    extended = dataset_from_document(
        {"applications": [application]}, "case.toml", base, append=True
    )
    assert extended.applications == (*base.applications, replaced.applications[0])


def test_a_broken_reference_in_an_appended_document_names_its_own_item(
    example_dir: Path,
) -> None:
    base = load_dataset(example_dir)
    application = {**unstructure(base.applications[0]), "id": "x", "cluster": "ghost"}
    with pytest.raises(DiagnosticError) as exc:
        dataset_from_document({"applications": [application]}, "case.toml", base, append=True)
    assert [str(d) for d in exc.value.diagnostics] == [
        "case.toml: applications[0].cluster: error[D106]: 'ghost' is not a known cluster"
    ]
