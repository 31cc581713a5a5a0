"""The source document's tables, computed from data: what every reporter shows.

For each indicator (output, exports, tax revenues, ...) a row per cluster with the
base-year and target-year values, the effect computed from them, the effect and the
part due to cluster projects as published, and the totals beside the published ones.
Also the programme's projects with budgets and cluster shares. Exact Decimals
throughout; reporters only format.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from clusterkit.model import Dataset, FundingSource, IndicatorSeries
from clusterkit.money import DIVISION_CONTEXT, Money
from clusterkit.numbers import shift
from clusterkit.units import Measure, Unit

__all__ = ["IndicatorRow", "IndicatorTable", "ProjectRow", "Tables", "build_tables"]

#: Indicators in the order the source document shows them.
ORDER = ("output", "exports", "tax_revenue", "labour_productivity")


@attrs.frozen
class IndicatorRow:
    """One cluster's line of an indicator table.

    Attributes:
        cluster, name, region: which cluster (name in the chosen language, region as
            the series states it).
        base, target: the values in the table's unit (None if not given).
        effect: target / base − 1, computed.
        stated_effect, due_to_projects: as published (ratios: 0.34 for 34 %).
        attributed: the part due to projects in the table's unit, where published.
    """

    cluster: str
    name: str
    region: str
    base: Decimal | None
    target: Decimal | None
    effect: Decimal | None
    stated_effect: Decimal | None
    due_to_projects: Decimal | None
    attributed: Decimal | None


@attrs.frozen
class IndicatorTable:
    """An indicator across clusters, with totals.

    Attributes:
        indicator: its identifier; title: the series' title as published.
        unit: the unit the values are stated in.
        base_year, target_year: the two years shown.
        rows: one per cluster with a series.
        total_base, total_target: the sums, in ``unit``.
        stated_base, stated_target: the published totals, where the dataset has them.
    """

    indicator: str
    title: str
    unit: Unit
    base_year: int
    target_year: int
    rows: tuple[IndicatorRow, ...]
    total_base: Decimal
    total_target: Decimal
    stated_base: Measure | None = None
    stated_target: Measure | None = None

    @property
    def total_change(self) -> Decimal:
        return self.total_target - self.total_base


@attrs.frozen
class ProjectRow:
    """A programme's project: budget, the cluster's share, and that share as a ratio."""

    cluster: str
    project: str
    title: str
    budget: Money
    cluster_share: Money
    share: Decimal


@attrs.frozen
class Tables:
    """Everything a report shows about the data."""

    indicators: tuple[IndicatorTable, ...]
    projects: tuple[ProjectRow, ...]
    budget_total: tuple[Money, ...]
    share_total: tuple[Money, ...]


def _years(series: Sequence[IndicatorSeries]) -> tuple[int, int] | None:
    years = sorted({v.year for s in series for v in s.values})
    return (years[0], years[-1]) if len(years) >= 2 else None


def _ratio(value: Decimal | None) -> Decimal | None:
    return None if value is None else shift(value, -2)


def _indicator_table(data: Dataset, indicator: str, lang: str) -> IndicatorTable | None:
    series = [s for s in data.series if s.indicator == indicator]
    years = _years(series)
    if not series or years is None:
        return None
    base_year, target_year = years
    unit = series[0].unit
    rows = []
    for s in series:
        if s.unit != unit:
            continue  # a table shows one unit; a series in another unit is left out
        cluster = data.cluster(s.cluster)
        name = cluster.name.get(lang) if cluster is not None else s.cluster
        base, target = s.value_in(base_year), s.value_in(target_year)
        entry = s.at(target_year)
        effect = None
        if base is not None and target is not None and base != 0:
            effect = DIVISION_CONTEXT.divide(target, base) - 1
        rows.append(
            IndicatorRow(
                s.cluster,
                name,
                s.region,
                base,
                target,
                effect,
                _ratio(entry.stated_effect_percent) if entry else None,
                _ratio(entry.attributed_percent) if entry else None,
                entry.attributed if entry else None,
            )
        )
    total_base = sum((r.base for r in rows if r.base is not None), Decimal(0))
    total_target = sum((r.target for r in rows if r.target is not None), Decimal(0))
    stated = {f.id: f.value for f in data.figures}
    key = indicator.replace("_", "-")
    return IndicatorTable(
        indicator,
        series[0].title,
        unit,
        base_year,
        target_year,
        tuple(rows),
        total_base,
        total_target,
        stated.get(f"{key}-{base_year}-total"),
        stated.get(f"{key}-{target_year}-total"),
    )


def build_tables(data: Dataset, lang: str = "en") -> Tables:
    """The report's tables for a dataset, names in ``lang``."""
    known = [i for i in ORDER if any(s.indicator == i for s in data.series)]
    others = sorted({s.indicator for s in data.series} - set(known))
    tables = [t for i in (*known, *others) if (t := _indicator_table(data, i, lang)) is not None]
    projects = []
    for programme, project in data.projects():
        share = project.funding(FundingSource.CLUSTER)
        ratio = share.ratio(project.budget) if project.budget.amount else Decimal(0)
        projects.append(
            ProjectRow(
                programme.cluster, project.id, project.title.get(lang), project.budget, share, ratio
            )
        )
    return Tables(
        tuple(tables),
        tuple(projects),
        Money.by_currency(p.budget for p in projects),
        Money.by_currency(p.cluster_share for p in projects),
    )
