"""The source document's tables, computed from data: what every reporter shows.

For each indicator (output, exports, tax revenues, ...) a row per cluster with the
base-year and target-year values, the effect computed from them, the effect and the
part due to cluster projects as published, and the totals beside the published ones
(no totals for ratios such as productivity per person: a sum of them means nothing).
Also the programme's projects with budgets and cluster shares; the growth of cluster
membership (members on the earliest date of joining against members on the report's
date); and the international comparison of support levels converted at dated rates
(:mod:`clusterkit.international`). Decimals throughout,
exact up to :data:`TOTAL_DIGITS` significant digits (sums, quotients), whatever their
exponents: a value of ``1e999999999`` is carried, never expanded. Reporters only format.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs

from clusterkit.international import SupportLevels, support_levels
from clusterkit.model import Cluster, Dataset, FundingSource, IndicatorSeries
from clusterkit.money import Money
from clusterkit.numbers import shift
from clusterkit.units import Measure, Unit

__all__ = [
    "QUOTIENT_DIGITS",
    "TOTAL_DIGITS",
    "IndicatorRow",
    "IndicatorTable",
    "Membership",
    "MembershipRow",
    "ProjectRow",
    "Tables",
    "build_tables",
    "membership",
    "report_date",
]

#: Indicators in the order the source document shows them.
ORDER = ("output", "exports", "tax_revenue", "labour_productivity")

#: Significant digits of sums: far beyond any stated figure, and bounded, so that a total
#: of ``1e999999999`` and ``1e-999999`` is not a billion digits long.
TOTAL_DIGITS = 50
#: Significant digits of quotients (effects, shares), as :data:`clusterkit.money.DIVISION_CONTEXT`.
QUOTIENT_DIGITS = 34


def _context(digits: int) -> decimal.Context:
    return decimal.Context(
        prec=digits,
        rounding=decimal.ROUND_HALF_EVEN,
        Emax=decimal.MAX_EMAX,
        Emin=decimal.MIN_EMIN,
        traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
    )


def _exact_or_short(digits: int, operation: str, a: Decimal, b: Decimal) -> Decimal:
    """``a operation b`` to ``digits`` digits; a rounded result loses its trailing zeros."""
    context = _context(digits)
    result: Decimal = getattr(context, operation)(a, b)
    return result.normalize(context) if context.flags[decimal.Inexact] else result


def _sum(values: Iterable[Decimal]) -> Decimal:
    """The sum, exact up to :data:`TOTAL_DIGITS` digits; it keeps the finest stated
    precision of its terms (33.6 + 33 is 66.6)."""
    total: Decimal | None = None
    for value in values:
        total = value if total is None else _exact_or_short(TOTAL_DIGITS, "add", total, value)
    return Decimal(0) if total is None else total


def _difference(a: Decimal, b: Decimal) -> Decimal:
    return _exact_or_short(TOTAL_DIGITS, "subtract", a, b)


def _divide(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` to :data:`QUOTIENT_DIGITS` digits; None if the
    denominator is zero or the quotient is beyond any exponent."""
    if denominator.is_zero():
        return None
    try:
        return _exact_or_short(QUOTIENT_DIGITS, "divide", numerator, denominator)
    except ArithmeticError:
        return None


def _growth(target: Decimal, base: Decimal) -> Decimal | None:
    """target / base − 1."""
    quotient = _divide(target, base)
    return None if quotient is None else _difference(quotient, Decimal(1))


def _totals(amounts: Sequence[Money]) -> tuple[Money, ...]:
    """One total per currency, currencies in alphabetical order."""
    currencies = sorted({m.currency for m in amounts})
    return tuple(Money(_sum(m.amount for m in amounts if m.currency == c), c) for c in currencies)


@attrs.frozen
class IndicatorRow:
    """One cluster's line of an indicator table.

    Attributes:
        cluster, name, region: which cluster (name in the chosen language, region as
            the series states it).
        base, target: the values in the table's unit (None if not given).
        effect: target / base − 1, computed (None if either is missing or base is 0).
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
        total_base, total_target: the sums, in ``unit``; None when the unit is a ratio
            (per person, a percentage), whose sum means nothing.
        stated_base, stated_target: the published totals, where the dataset has them.
    """

    indicator: str
    title: str
    unit: Unit
    base_year: int
    target_year: int
    rows: tuple[IndicatorRow, ...]
    total_base: Decimal | None
    total_target: Decimal | None
    stated_base: Measure | None = None
    stated_target: Measure | None = None

    @property
    def comparable(self) -> bool:
        """Whether the two totals cover the same clusters: a row with a value in only one
        of the two years would make their change a change of coverage, not of the
        indicator."""
        return all((r.base is None) == (r.target is None) for r in self.rows)

    @property
    def total_change(self) -> Decimal | None:
        if self.total_base is None or self.total_target is None or not self.comparable:
            return None
        return _difference(self.total_target, self.total_base)

    @property
    def total_effect(self) -> Decimal | None:
        """The totals' effect: total target / total base − 1; None when the totals do not
        cover the same clusters."""
        if self.total_base is None or self.total_target is None or not self.comparable:
            return None
        return _growth(self.total_target, self.total_base)

    @property
    def attributed(self) -> bool:
        """Whether the source gives the part due to cluster projects for any row."""
        return any(r.due_to_projects is not None or r.attributed is not None for r in self.rows)


@attrs.frozen
class ProjectRow:
    """A programme's project: its cluster (id and name in the report's language), budget,
    the cluster's share, and that share as a ratio (None for a budget of 0). The share and
    its ratio are None when the project records no financing by the cluster: not stated is
    not nothing."""

    cluster: str
    project: str
    title: str
    budget: Money
    cluster_share: Money | None
    share: Decimal | None
    cluster_name: str = ""


@attrs.frozen
class MembershipRow:
    """A cluster's members then and now.

    Attributes:
        cluster, name: which cluster (its id, its name in the report's language).
        start: the earliest date any of its participants joined.
        at_start: its members on that date.
        at_date: its members on the report's date.
        growth: at_date / at_start − 1 (None for none at the start).
    """

    cluster: str
    name: str
    start: dt.date
    at_start: int
    at_date: int
    growth: Decimal | None


@attrs.frozen
class Membership:
    """The growth of cluster membership, per cluster and in total.

    Attributes:
        on: the report's date, members are counted on.
        rows: one per cluster with participants.
        total_start, total: the sums of the rows' counts.
        growth: total / total_start − 1.
        participants: the participants of those clusters.
        sample: how many of them are sample records, not taken from a source.
        stated_growth: the growth as published (the figure ``participants-growth``).
    """

    on: dt.date
    rows: tuple[MembershipRow, ...]
    total_start: int
    total: int
    growth: Decimal | None
    participants: int
    sample: int
    stated_growth: Measure | None = None


@attrs.frozen
class Tables:
    """Everything a report shows about the data: projects, indicators, membership (None
    without participants) and support levels (None without levels)."""

    indicators: tuple[IndicatorTable, ...]
    projects: tuple[ProjectRow, ...]
    budget_total: tuple[Money, ...]
    share_total: tuple[Money, ...]
    membership: Membership | None = None
    support: SupportLevels | None = None

    def share_ratio(self, budget: Money, share: Money) -> Decimal | None:
        """The total share of the total budget in one currency; None when a project in
        that currency has no cluster share stated (the total would leave it out)."""
        currency = budget.currency
        if not budget.amount or any(
            p.cluster_share is None for p in self.projects if p.budget.currency == currency
        ):
            return None
        return share.ratio(budget)


def _years(series: Sequence[IndicatorSeries]) -> tuple[int, int] | None:
    years = sorted({v.year for s in series for v in s.values})
    return (years[0], years[-1]) if len(years) >= 2 else None


def _ratio(value: Decimal | None) -> Decimal | None:
    return None if value is None else shift(value, -2)


def _summable(unit: Unit) -> bool:
    """Whether values in ``unit`` add up: amounts do; ratios (per person, %) do not."""
    return unit.per is None and unit.base != "%"


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
        if base is not None and target is not None:
            effect = _growth(target, base)
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
    total_base = total_target = None
    if _summable(unit):
        total_base = _sum(r.base for r in rows if r.base is not None)
        total_target = _sum(r.target for r in rows if r.target is not None)
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


def report_date(data: Dataset, as_of: dt.date | None = None) -> dt.date | None:
    """The date a report counts members and takes rates on: ``as_of``, else the dataset's
    date, else the latest date of joining or leaving in the data (None if it has none)."""
    if as_of is not None:
        return as_of
    if data.info.published is not None:
        return data.info.published
    days = [
        day
        for c in data.clusters
        for p in c.participants
        for day in (p.member_from, p.member_until)
        if day is not None
    ]
    return max(days, default=None)


def _growth_of_counts(now: int, then: int) -> Decimal | None:
    return _growth(Decimal(now), Decimal(then)) if then else None


def _membership_row(cluster: Cluster, on: dt.date, lang: str) -> MembershipRow:
    start = min(p.member_from for p in cluster.participants)
    at_start, at_date = len(cluster.members_on(start)), len(cluster.members_on(on))
    return MembershipRow(
        cluster.id,
        cluster.name.get(lang),
        start,
        at_start,
        at_date,
        _growth_of_counts(at_date, at_start),
    )


def membership(data: Dataset, on: dt.date, lang: str = "en") -> Membership | None:
    """Members of each cluster on its earliest date of joining and on ``on``; None if no
    cluster has participants."""
    clusters = [c for c in data.clusters if c.participants]
    if not clusters:
        return None
    rows = tuple(_membership_row(c, on, lang) for c in clusters)
    total_start = sum(r.at_start for r in rows)
    total = sum(r.at_date for r in rows)
    participants = [p for c in clusters for p in c.participants]
    stated = data.figure("participants-growth")
    return Membership(
        on,
        rows,
        total_start,
        total,
        _growth_of_counts(total, total_start),
        len(participants),
        sum(1 for p in participants if p.sample),
        stated.value if stated is not None else None,
    )


def build_tables(data: Dataset, lang: str = "en", as_of: dt.date | None = None) -> Tables:
    """The report's tables for a dataset, names in ``lang``; members counted and rates
    taken on ``as_of`` (default: :func:`report_date`)."""
    known = [i for i in ORDER if any(s.indicator == i for s in data.series)]
    others = sorted({s.indicator for s in data.series} - set(known))
    tables = [t for i in (*known, *others) if (t := _indicator_table(data, i, lang)) is not None]
    projects = []
    for programme, project in data.projects():
        # financing is in the budget's currency (the model checks it)
        cluster_amounts = [
            f.amount.amount for f in project.financing if f.source is FundingSource.CLUSTER
        ]
        share = Money(_sum(cluster_amounts), project.budget.currency) if cluster_amounts else None
        cluster = data.cluster(programme.cluster)
        projects.append(
            ProjectRow(
                programme.cluster,
                project.id,
                project.title.get(lang),
                project.budget,
                share,
                _divide(share.amount, project.budget.amount) if share is not None else None,
                cluster.name.get(lang) if cluster is not None else programme.cluster,
            )
        )
    day = report_date(data, as_of)
    return Tables(
        tuple(tables),
        tuple(projects),
        _totals([p.budget for p in projects]),
        _totals([p.cluster_share or Money(Decimal(0), p.budget.currency) for p in projects]),
        membership(data, day, lang) if day is not None else None,
        support_levels(data, day),
    )
