"""``clusterkit lint --format sarif``: a SARIF 2.1.0 log that code-scanning tools read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from clusterkit.cli.integrate import sarif
from clusterkit.codes import MEANINGS
from clusterkit.diagnostics import Diagnostic, Severity
from tests.cli.runner import run
from tests.integration.helpers import RULES

# The part of the SARIF 2.1.0 schema clusterkit's output relies on, written out by hand
# (the published schema is not fetched: tests have no network).
_MESSAGE = {
    "type": "object",
    "required": ["text"],
    "properties": {"text": {"type": "string", "minLength": 1}},
}
_REGION = {
    "type": "object",
    "required": ["startLine", "startColumn", "endLine", "endColumn"],
    "properties": {
        name: {"type": "integer", "minimum": 1}
        for name in ("startLine", "startColumn", "endLine", "endColumn")
    },
}
SARIF_SUBSET: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "name": {"const": "clusterkit"},
                                    "version": {"type": "string"},
                                    "informationUri": {"type": "string", "format": "uri"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "shortDescription"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": _MESSAGE,
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {
                                                            "enum": ["error", "warning", "note"]
                                                        }
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "level", "message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                        "properties": {
                                                            "uri": {
                                                                "type": "string",
                                                                "format": "uri-reference",
                                                            },
                                                            "uriBaseId": {"type": "string"},
                                                        },
                                                    },
                                                    "region": _REGION,
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def validate(document: Any) -> None:
    jsonschema.Draft202012Validator.check_schema(SARIF_SUBSET)
    validator = jsonschema.Draft202012Validator(SARIF_SUBSET)
    assert sorted(e.message for e in validator.iter_errors(document)) == []


def test_lint_sarif_of_a_rule_file_with_an_error_and_a_warning(tmp_path: Path) -> None:
    rules = tmp_path / "my rules.ckr"
    rules.write_text(
        "rulebook x\nconst unused = 1\nrule r for each p in projectz\n  require 1 > 0\n",
        encoding="utf-8",
    )
    code, out, err = run("lint", str(rules), "--format", "sarif")
    assert code == 2
    assert err == ""
    document = json.loads(out)
    validate(document)
    (log,) = document["runs"]
    assert [r["id"] for r in log["tool"]["driver"]["rules"]] == list(MEANINGS)
    by_rule = {r["ruleId"]: r for r in log["results"]}
    error = by_rule["R201"]
    assert error["level"] == "error"
    assert "unknown name 'projectz'" in error["message"]["text"]
    assert "did you mean 'projects'?" in error["message"]["text"]
    assert log["tool"]["driver"]["rules"][error["ruleIndex"]]["id"] == "R201"
    location = error["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == rules.as_uri()
    assert location["region"] == {
        "startLine": 3,
        "startColumn": 22,
        "endLine": 3,
        "endColumn": 30,
    }
    assert by_rule["W601"]["level"] == "warning"


def test_lint_sarif_of_the_shipped_rulebooks_has_no_results() -> None:
    code, out, _ = run("lint", str(RULES), "--format", "sarif")
    assert code == 0
    document = json.loads(out)
    validate(document)
    assert document["runs"][0]["results"] == []


def test_relative_paths_stay_relative_and_other_locations_are_kept() -> None:
    diagnostics = [
        Diagnostic("R100", Severity.ERROR, "no rule files given"),
        Diagnostic("D103", Severity.INFO, "odd", file="data dir/x.json", path="clusters[0].id"),
    ]
    document = sarif(diagnostics)
    validate(document)
    first, second = document["runs"][0]["results"]
    assert "locations" not in first
    assert second["level"] == "note"
    assert second["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "data%20dir/x.json", "uriBaseId": "%SRCROOT%"}
    }
    assert second["properties"] == {"path": "clusters[0].id"}


def test_lint_json_is_unchanged(tmp_path: Path) -> None:
    code, out, _ = run("lint", str(RULES), "--format", "json")
    assert (code, json.loads(out)) == (0, {"diagnostics": []})
    code, out, _ = run("lint", str(RULES))
    assert code == 0
    assert "no problems found" in out
