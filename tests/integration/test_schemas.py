"""The JSON Schemas: shipped up to date, valid 2020-12 schemas, and what they describe
validates: every example data file, a whole dataset as clusterkit writes it, and the
real outputs of ``check``, ``report`` and ``lint``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

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


@pytest.mark.parametrize("path", data_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_data_file_validates(path: Path) -> None:
    assert errors("data", read_data_file(path)) == []


def test_the_examples_hold_json_and_toml_files() -> None:
    suffixes = {p.suffix for p in data_files()}
    assert suffixes == {".json", ".toml"}
    assert {p.parent.name for p in data_files()} >= {"kazakhstan-2021", "selection-2017-sample"}


def test_a_whole_dataset_as_clusterkit_writes_it_validates() -> None:
    document = whole_example()
    assert len(document["clusters"][0]["participants"]) == 12
    assert errors("data", document) == []


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
