"""The JSON reporter: the report's tables and results, schema ``clusterkit.report/1``.

``{"schema", "dataset", "projects", "indicators", "results"}``; numbers are exact
strings, ratios are ratios (0.34, not 34); ``results`` follows
``clusterkit.results/1`` (see docs/language.md) or is null when no rules were run.
"""

from __future__ import annotations

import json
from typing import Any

from clusterkit.plugins import ReportContext
from clusterkit.serde import unstructure
from clusterkit.tables import build_tables
from clusterkit_plugins.reporters.common import Reporter

__all__ = ["REPORT_SCHEMA", "JsonReporter", "plugin"]

REPORT_SCHEMA = "clusterkit.report/1"


class JsonReporter(Reporter):
    name = "json"
    description = f"JSON, schema {REPORT_SCHEMA}"
    suffix = ".json"

    def render(self, context: ReportContext) -> str:
        tables = build_tables(context.dataset, context.lang)
        document: dict[str, Any] = {
            "schema": REPORT_SCHEMA,
            "dataset": unstructure(context.dataset.info),
            "lang": context.lang,
            "projects": unstructure(tables.projects),
            "budget_total": unstructure(tables.budget_total),
            "share_total": unstructure(tables.share_total),
            "indicators": unstructure(tables.indicators),
            "results": None if context.results is None else context.results.to_dict(context.lang),
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


plugin = JsonReporter()
