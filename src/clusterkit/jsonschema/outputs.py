"""JSON Schema of what clusterkit writes: results (``clusterkit.results/1``), the JSON
report (``clusterkit.report/1``) and diagnostics (``{"diagnostics": [...]}``).

The provenance, the report's tables and the dataset information come from their attrs
classes (output form: every field present, numbers, money and dates as text); a
result's fields are those :func:`clusterkit.lang.render.results_to_json` writes, and
their enumerations (outcomes, severities, languages, bases) come from the code.
"""

from __future__ import annotations

from typing import Any

from clusterkit.diagnostics import Severity, Span
from clusterkit.i18n import LANGUAGES
from clusterkit.international import SupportLevels
from clusterkit.jsonschema.formats import NULL, ref
from clusterkit.jsonschema.model import Generator
from clusterkit.lang.outcome import Outcome
from clusterkit.lang.render import RESULTS_SCHEMA
from clusterkit.lang.results import Provenance
from clusterkit.model import DatasetInfo
from clusterkit.tables import IndicatorTable, Membership, ProjectRow

__all__ = ["REPORT_SCHEMA", "diagnostics_defs", "report_defs", "results_defs"]

Json = dict[str, Any]

#: The JSON report's schema name (its reporter writes the same constant).
REPORT_SCHEMA = "clusterkit.report/1"
#: What a rule or a parameter rests on.
BASES = ("source", "inferred", "illustrative")

_STRING: Json = {"type": "string"}
_TEXT_OR_NULL: Json = {"anyOf": [_STRING, NULL]}


def _object(description: str, properties: Json, *, required: bool = True) -> Json:
    body: Json = {"description": description, "type": "object", "properties": properties}
    if required:
        body["required"] = list(properties)
    body["additionalProperties"] = False
    return body


def diagnostics_defs(generator: Generator) -> None:
    """``diagnostic`` and the ``diagnostics`` document (``clusterkit lint --format json``)."""
    generator.schema_of(Severity)
    generator.schema_of(Span)
    generator.defs["diagnostic"] = {
        **_object(
            "A problem found in user input (docs/diagnostics.md lists the codes).",
            {
                "code": {
                    "description": "A stable code: D data files, R rule files, W warnings, "
                    "T rule-test files.",
                    "type": "string",
                    "pattern": "^[A-Z][0-9]{3}$",
                },
                "severity": ref("severity"),
                "message": {
                    "description": "What is wrong, in the language asked for (--lang, the "
                    "locale, else English).",
                    **_STRING,
                },
                "message_en": {
                    "description": "The message in English, given when the language asked "
                    "for is not English.",
                    **_STRING,
                },
                "file": {"description": "The file the problem is in.", **_STRING},
                "path": {
                    "description": "The data path inside the file "
                    "(clusters[2].participants[5].bin).",
                    **_STRING,
                },
                "span": ref("span"),
                "hint": {"description": "What to do about it.", **_STRING},
                "hint_en": {
                    "description": "The hint in English, given when the language asked for "
                    "is not English.",
                    **_STRING,
                },
            },
            required=False,
        ),
        "required": ["code", "severity", "message"],
    }
    generator.defs["diagnostics"] = _object(
        "Diagnostics as tools read them.",
        {"diagnostics": {"type": "array", "items": ref("diagnostic")}},
    )


def results_defs(generator: Generator) -> None:
    """``results`` (``clusterkit.results/1``) and what it is made of."""
    diagnostics_defs(generator)
    generator.schema_of(Provenance)
    generator.schema_of(Outcome)
    trace = _object(
        "One value behind a verdict.",
        {
            "label": {"description": "What it is, as the rule writes it.", **_STRING},
            "role": {"description": "let, left, right, criterion, total, rank.", **_STRING},
            "value": {"description": "The value for people, in its unit.", **_STRING},
            "raw": {"description": "The exact value ('[low, high]' for an interval).", **_STRING},
        },
    )
    kinds = {"type": "string", "enum": list(BASES)}
    basis = _object("What the rule rests on.", {"kind": kinds, "note": _STRING})
    parameter = _object(
        "A const or parameter the rule reads, with its stated basis.",
        {
            "name": _STRING,
            "basis": {"anyOf": [{"type": "string", "enum": list(BASES)}, NULL]},
            "note": _STRING,
        },
    )
    texts = "in the language of 'lang'"
    generator.defs["result"] = _object(
        "The verdict of one rule on one entity.",
        {
            "rulebook": _STRING,
            "version": _STRING,
            "rule": _STRING,
            "kind": {"description": "rule, monitor or score.", **_STRING},
            "entity_kind": {
                "description": "What it judges ('dataset' for a rule without 'for each').",
                **_STRING,
            },
            "entity": {"description": "The id of what it judged.", **_STRING},
            "outcome": ref("outcome"),
            "label": {"description": f"The verdict for people, {texts}.", **_STRING},
            "title": {"description": f"The rule's title, {texts}.", **_STRING},
            "message": {"description": f"The rule's message, {texts}.", **_STRING},
            "source": {"description": "The legal source.", **_STRING},
            "trace": {"type": "array", "items": trace},
            "needs": {"description": "For undetermined: what data is missing.", **_TEXT_OR_NULL},
            "score": {
                "description": "For scores: the weighted total.",
                "anyOf": [ref("decimal_text"), NULL],
            },
            "rank": {
                "description": "For scores: the rank.",
                "anyOf": [{"type": "integer", "minimum": 1}, NULL],
            },
            "lang": {"type": "string", "enum": list(LANGUAGES)},
            "threshold": {
                "description": "What a failed comparison required, with both values.",
                **_TEXT_OR_NULL,
            },
            "gap": {"description": "How far the verdict is from passing.", **_TEXT_OR_NULL},
            "basis": {"anyOf": [basis, NULL]},
            "parameters": {"type": "array", "items": parameter},
        },
    )
    counts = {o.value: {"type": "integer", "minimum": 0} for o in Outcome}
    generator.defs["results"] = _object(
        f"All verdicts of one evaluation and its provenance ({RESULTS_SCHEMA}).",
        {
            "schema": {"const": RESULTS_SCHEMA},
            "provenance": ref("provenance"),
            "summary": _object("How many verdicts of each outcome.", counts),
            "results": {"type": "array", "items": ref("result")},
            "diagnostics": {
                "description": "Warnings about the rules.",
                "type": "array",
                "items": ref("diagnostic"),
            },
        },
    )


def report_defs(generator: Generator) -> None:
    """``report`` (``clusterkit.report/1``): the tables of the source document, the results."""
    results_defs(generator)
    money_list = {"type": "array", "items": ref("money_text")}
    generator.defs["report"] = _object(
        f"The report's tables and results ({REPORT_SCHEMA}); ratios are ratios (0.34, not 34).",
        {
            "schema": {"const": REPORT_SCHEMA},
            "dataset": generator.schema_of(DatasetInfo),
            "lang": {"type": "string", "enum": list(LANGUAGES)},
            "projects": {"type": "array", "items": generator.schema_of(ProjectRow)},
            "budget_total": {"description": "Budgets by currency.", **money_list},
            "share_total": {"description": "Cluster shares by currency.", **money_list},
            "indicators": {"type": "array", "items": generator.schema_of(IndicatorTable)},
            "membership": {"anyOf": [generator.schema_of(Membership), NULL]},
            "support_levels": {"anyOf": [generator.schema_of(SupportLevels), NULL]},
            "results": {"anyOf": [ref("results"), NULL]},
        },
    )
