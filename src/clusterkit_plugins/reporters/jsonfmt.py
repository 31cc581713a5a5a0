"""The JSON reporter: the report's tables and results, schema ``clusterkit.report/1``.

``{"schema", "dataset", "lang", "projects", "budget_total", "share_total",
"indicators", "membership", "support_levels", "results"}``; numbers are exact strings,
ratios are ratios (0.34, not 34); ``membership`` (members per cluster on its earliest
date of joining and on the report's date, the totals, the published growth, how many
participants are samples) and ``support_levels`` (each level as stated, the rate used
and its date and source, the level converted exactly; the currencies whose rates are
illustrative or missing) are null when the dataset has no participants or no levels;
``results`` follows
``clusterkit.results/1`` (see docs/language.md) or is null when no rules were run.
Totals are null for indicators whose values do not add up (ratios per person).
A number beyond the plain range is written in exponent form (``1E+999999999``),
never expanded.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import attrs

from clusterkit.formatting import is_plain
from clusterkit.money import Money
from clusterkit.plugins import ReportContext
from clusterkit.serde import unstructure
from clusterkit.units import Measure, Unit
from clusterkit_plugins.reporters.common import Reporter

__all__ = ["REPORT_SCHEMA", "JsonReporter", "plugin"]

REPORT_SCHEMA = "clusterkit.report/1"


def _money(money: Money) -> str:
    """``112.1 mln KZT`` as the data writes it; ``1E+1000000005 KZT`` beyond the plain range."""
    return str(money) if is_plain(money.amount) else f"{money.amount} {money.currency}"


def _measure(measure: Measure) -> str:
    if is_plain(measure.value):
        return str(measure)
    return f"{measure.value} {measure.unit}".rstrip().removesuffix(" 1")


def _plain(value: Any) -> Any:
    """Tables as JSON-ready data: strings for numbers, dates, money and units."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Money):
        return _money(value)
    if isinstance(value, Measure):
        return _measure(value)
    if isinstance(value, Unit):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


class JsonReporter(Reporter):
    name = "json"
    description = f"JSON, schema {REPORT_SCHEMA}"
    suffix = ".json"

    def render(self, context: ReportContext) -> str:
        tables = self.tables(context)
        document: dict[str, Any] = {
            "schema": REPORT_SCHEMA,
            "dataset": unstructure(context.dataset.info),
            "lang": context.lang,
            "projects": _plain(tables.projects),
            "budget_total": _plain(tables.budget_total),
            "share_total": _plain(tables.share_total),
            "indicators": _plain(tables.indicators),
            "membership": _plain(tables.membership),
            "support_levels": _plain(tables.support),
            "results": None if context.results is None else context.results.to_dict(context.lang),
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


plugin = JsonReporter()
