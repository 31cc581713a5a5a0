"""The CSV reporter: one flat table, for spreadsheets.

Columns: ``kind`` (``indicator``, ``total``, ``project`` or ``verdict``), ``group``
(the indicator or rulebook), ``item`` (the cluster or rule), ``entity``,
``base_year``, ``base``, ``target_year``, ``target``, ``unit``, ``effect``,
``stated_effect``, ``due_to_projects``, ``outcome``, ``explanation``. Numbers are
exact, with ``.`` as the decimal separator, whatever the language; only the
explanations are translated.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from clusterkit.plugins import ReportContext
from clusterkit.tables import build_tables
from clusterkit_plugins.reporters.common import Reporter, labels_for

__all__ = ["COLUMNS", "CsvReporter", "plugin"]

COLUMNS = (
    "kind",
    "group",
    "item",
    "entity",
    "base_year",
    "base",
    "target_year",
    "target",
    "unit",
    "effect",
    "stated_effect",
    "due_to_projects",
    "outcome",
    "explanation",
)


def _n(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


class CsvReporter(Reporter):
    name = "csv"
    description = "one flat CSV table (exact numbers)"
    suffix = ".csv"

    def render(self, context: ReportContext) -> str:
        t = labels_for(context.lang)
        tables = build_tables(context.dataset, context.lang)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for p in tables.projects:
            writer.writerow(
                (
                    "project",
                    "programme",
                    p.cluster,
                    p.project,
                    "",
                    _n(p.budget.amount),
                    "",
                    _n(p.cluster_share.amount),
                    p.budget.currency,
                    "",
                    "",
                    "",
                    "",
                    "",
                )
            )
        for table in tables.indicators:
            for r in table.rows:
                writer.writerow(
                    (
                        "indicator",
                        table.indicator,
                        r.cluster,
                        "",
                        table.base_year,
                        _n(r.base),
                        table.target_year,
                        _n(r.target),
                        str(table.unit),
                        _n(r.effect),
                        _n(r.stated_effect),
                        _n(r.due_to_projects),
                        "",
                        "",
                    )
                )
            writer.writerow(
                (
                    "total",
                    table.indicator,
                    "",
                    "",
                    table.base_year,
                    _n(table.total_base),
                    table.target_year,
                    _n(table.total_target),
                    str(table.unit),
                    "",
                    "",
                    "",
                    "",
                    "",
                )
            )
        if context.results is not None:
            for result in context.results.results:
                writer.writerow(
                    (
                        "verdict",
                        result.rulebook,
                        result.rule,
                        result.entity,
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        result.outcome.value,
                        t.explanation(result),
                    )
                )
        return out.getvalue()


plugin = CsvReporter()
