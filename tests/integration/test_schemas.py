"""The JSON Schemas: shipped up to date, valid 2020-12 schemas, and what they describe
validates: every example data file, a whole dataset as clusterkit writes it, and the
real outputs of ``check``, ``report`` and ``lint``."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from clusterkit import load_dataset
from clusterkit.jsonschema import DIALECT, NAMES, build, dumps, shipped, write_shipped
from clusterkit.jsonschema.outputs import REPORT_SCHEMA
from clusterkit.lang.program import declared_schema
from clusterkit_plugins.reporters import jsonfmt
from tests.cli.runner import run
from tests.integration.helpers import (
    EXAMPLE,
    EXAMPLES,
    RULES,
    data_files,
    errors,
    errors_against,
    read_data_file,
    whole_example,
)

SHIPPED = Path(__file__).resolve().parents[2] / "src" / "clusterkit" / "schemas"
SELECTION = EXAMPLES / "selection-2017-sample"


@pytest.mark.parametrize("name", NAMES)
def test_shipped_schemas_match_the_generator(name: str, tmp_path: Path) -> None:
    write_shipped(tmp_path)
    written = (tmp_path / f"{name}.schema.json").read_text(encoding="utf-8")
    assert (SHIPPED / f"{name}.schema.json").read_text(encoding="utf-8") == written, (
        "run: python -m clusterkit.jsonschema"
    )
    assert shipped(name) == json.loads(written)


@pytest.mark.parametrize("name", NAMES)
def test_each_schema_is_a_valid_2020_12_schema(name: str) -> None:
    document = build(name)
    assert document["$schema"] == DIALECT
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$id"].endswith(f"/{name}.schema.json")


def test_unknown_schema_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown schema 'nope'"):
        build("nope")
    with pytest.raises(ValueError, match="unknown schema"):
        shipped("nope")


def test_the_report_schema_names_the_reporters_schema() -> None:
    assert jsonfmt.REPORT_SCHEMA == REPORT_SCHEMA


@functools.cache
def schema_of_dataset(folder: Path) -> dict[str, Any]:
    """The data schema of the dataset in ``folder``, as ``clusterkit schema data --data``
    prints it (the built-in model with the schema files the dataset names)."""
    code, out, err = run("schema", "data", "--data", str(folder))
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


@pytest.mark.parametrize("path", data_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_data_file_validates(path: Path) -> None:
    assert errors_against(schema_of_dataset(path.parent), read_data_file(path)) == []


@functools.cache
def declared_collections(folder: Path) -> frozenset[str]:
    """The collections of the kinds the dataset in ``folder`` declares, as it loads."""
    return frozenset(kind.collection for kind in load_dataset(folder).schema.kinds)


def test_the_example_declares_collections_of_its_own() -> None:
    files = [p for p in data_files() if declared_collections(p.parent) & set(read_data_file(p))]
    assert EXAMPLE / "policy.toml" in files


@pytest.mark.parametrize("path", data_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_only_declared_collections_need_the_dataset_s_own_schema(path: Path) -> None:
    document = read_data_file(path)
    declared = declared_collections(path.parent) & set(document)
    found = errors("data", document)
    if not declared:
        assert found == []
    else:
        (error,) = found
        assert error.startswith("$: Additional properties are not allowed")
        assert all(repr(collection) in error for collection in declared)


def test_the_examples_hold_json_and_toml_files() -> None:
    suffixes = {p.suffix for p in data_files()}
    assert suffixes == {".json", ".toml"}
    assert {p.parent.name for p in data_files()} >= {"kazakhstan-2021", "selection-2017-sample"}


def test_a_whole_dataset_as_clusterkit_writes_it_validates() -> None:
    document = whole_example()
    dataset = load_dataset(EXAMPLE)
    # Every participant of the CSV files is written inline, in its cluster.
    written = {c["id"]: len(c["participants"]) for c in document["clusters"]}
    tables = sorted((EXAMPLE / "participants").glob("*.csv"))
    assert tables
    for table in tables:
        with table.open(encoding="utf-8", newline="") as rows:
            assert written[table.stem] == len(list(csv.DictReader(rows))), table.name
    # And every record of the kinds the dataset's schema declares.
    assert dataset.schema.kinds
    for kind in dataset.schema.kinds:
        records = dataset.records_of(kind.collection)
        assert len(document.get(kind.collection, [])) == len(records), kind.collection
    assert errors("data", document, dataset.schema) == []
    assert errors_against(schema_of_dataset(EXAMPLE), document) == []


def test_a_bad_file_fails_with_the_path_of_each_problem() -> None:
    document = read_data_file(EXAMPLE / "clusters.json")
    cluster = document["clusters"][1]
    cluster["registry_status"] = "famous"
    cluster["stages"][0]["end"] = "30.06.2017"
    cluster["labels"][0]["awarded_by"] = 7
    cluster["colour"] = "green"
    del cluster["sector"]
    found = errors("data", document)
    assert found == sorted(
        [
            "$.clusters[1]: 'sector' is a required property",
            "$.clusters[1]: Additional properties are not allowed ('colour' was unexpected)",
            "$.clusters[1].labels[0].awarded_by: 7 is not of type 'string'",
            "$.clusters[1].registry_status: 'famous' is not one of "
            "['candidate', 'registered', 'suspended', 'removed']",
            "$.clusters[1].stages[0].end: '30.06.2017' is not valid under any of the given schemas",
        ]
    )


def test_money_and_numbers_are_checked_by_their_formats() -> None:
    document = read_data_file(EXAMPLE / "programmes.json")
    project = document["programmes"][0]["projects"][0]
    project["budget"] = "112,1 mln KZT"
    project["financing"][0]["amount"] = {"amount": "1.5", "currency": "kzt"}
    found = errors("data", document)
    assert len(found) == 2
    assert found[0].startswith("$.programmes[0].projects[0].budget: '112,1 mln KZT' is not valid")
    assert found[1].startswith("$.programmes[0].projects[0].financing[0].amount: {")


# -- outputs ---------------------------------------------------------------------------------


def output(*args: str, expect: int = 0) -> object:
    code, out, err = run(*args)
    assert code == expect, err
    return json.loads(out)


def test_check_json_validates_against_the_results_schema() -> None:
    document = output(
        "check", str(RULES), "--data", str(EXAMPLE), "--format", "json", "--exit-zero"
    )
    assert errors("results", document) == []
    assert isinstance(document, dict)
    assert document["summary"]["fail"] > 0


def test_scores_ranks_and_russian_texts_validate() -> None:
    document = output(
        "check",
        str(RULES),
        "--data",
        str(SELECTION),
        "--format",
        "json",
        "--lang",
        "ru",
        "--exit-zero",
    )
    assert errors("results", document) == []
    assert isinstance(document, dict)
    assert any(r["rank"] is not None for r in document["results"])


@pytest.mark.parametrize("with_rules", [True, False])
def test_report_json_validates_against_the_report_schema(with_rules: bool) -> None:
    args = ["report", "--data", str(EXAMPLE), "--format", "json", "--lang", "kk"]
    if with_rules:
        args += ["--rules", str(RULES)]
    document = output(*args)
    assert errors("report", document) == []
    assert isinstance(document, dict)
    assert (document["results"] is None) is not with_rules


def test_diagnostics_of_bad_data_and_bad_rules_validate(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"dataset": {"id": "x", "title": {}}, "clusters": 5}', encoding="utf-8")
    document = output("validate", str(bad), "--format", "json", expect=2)
    assert errors("diagnostics", document) == []
    rules = tmp_path / "bad.ckr"
    rules.write_text("rulebook x\nrule r for each p in projectz\n  require 1 > 0\n", "utf-8")
    document = output("lint", str(rules), "--format", "json", expect=2)
    assert errors("diagnostics", document) == []
    assert isinstance(document, dict)
    assert document["diagnostics"][0]["span"]["line"] == 2


# -- the command -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_clusterkit_schema_prints_the_shipped_schema(name: str) -> None:
    code, out, _ = run("schema", name)
    assert code == 0
    assert out == dumps(shipped(name))


def test_clusterkit_schema_prints_the_data_schema_by_default() -> None:
    code, out, _ = run("schema")
    assert code == 0
    assert json.loads(out)["title"] == "clusterkit data file"


def test_clusterkit_schema_with_rules_adds_their_declarations(regime: Path) -> None:
    code, out, _ = run("schema", "data", "--rules", str(regime / "schema.ckr"))
    assert code == 0
    document = json.loads(out)
    assert "cost_items" in document["properties"]
    assert document == build("data", declared_schema([regime / "schema.ckr"])[0])


def test_clusterkit_schema_with_broken_rules_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ckr"
    broken.write_text("schema x\nkind k\n  field a: colour\n", encoding="utf-8")
    code, out, err = run("schema", "data", "--rules", str(broken))
    assert code == 2
    assert out == ""
    assert "broken.ckr:3" in err


def test_clusterkit_schema_with_data_adds_the_dataset_s_own_schema(regime: Path) -> None:
    code, out, err = run("schema", "data", "--data", str(regime / "data"))
    assert code == 0, err
    document = json.loads(out)
    assert "cost_items" in document["properties"]
    assert document == build("data", declared_schema([regime / "schema.ckr"])[0])
    assert document == build("data", load_dataset(regime / "data").schema)


def test_the_example_s_schema_is_the_one_it_is_loaded_with() -> None:
    document = schema_of_dataset(EXAMPLE)
    kinds = load_dataset(EXAMPLE).schema.kinds
    assert {kind.collection for kind in kinds} <= set(document["properties"])
    assert document == build("data", load_dataset(EXAMPLE).schema)


def test_a_dataset_without_a_schema_of_its_own_has_the_built_in_one() -> None:
    code, out, _ = run("schema", "data", "--data", str(SELECTION))
    assert code == 0
    assert out == dumps(shipped("data"))


def test_clusterkit_schema_joins_the_rules_and_the_dataset_s_declarations(
    regime: Path, tmp_path: Path
) -> None:
    grants = tmp_path / "grants.ckr"
    grants.write_text(
        "schema grants\nkind grant\n  id required\n  field amount: money in RUB required\n",
        encoding="utf-8",
    )
    code, out, err = run("schema", "data", "--rules", str(grants), "--data", str(regime / "data"))
    assert code == 0, err
    assert {"cost_items", "grants"} <= set(json.loads(out)["properties"])


def test_rules_declaring_the_dataset_s_kind_otherwise_exit_2(regime: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.ckr"
    other.write_text("schema other\nkind cost_item\n  field amount: number\n", encoding="utf-8")
    code, out, err = run("schema", "data", "--rules", str(other), "--data", str(regime / "data"))
    assert code == 2
    assert out == ""
    assert "dataset.toml" in err
    assert "kind 'cost_item' is declared differently" in err


def test_a_dataset_naming_a_missing_schema_file_exits_2(regime: Path) -> None:
    (regime / "schema.ckr").unlink()
    code, out, err = run("schema", "data", "--data", str(regime / "data"))
    assert code == 2
    assert out == ""
    assert "schema.ckr" in err


@pytest.mark.parametrize(("target", "code"), [("rules", "D107"), ("missing", "D101")])
def test_schema_of_what_is_not_a_dataset_exits_2(tmp_path: Path, target: str, code: str) -> None:
    path = RULES if target == "rules" else tmp_path / "missing"
    status, out, err = run("schema", "data", "--data", str(path))
    assert status == 2
    assert out == ""
    assert f"error[{code}]" in err
