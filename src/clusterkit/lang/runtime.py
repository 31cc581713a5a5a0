"""What compiled rules call at evaluation time: the context, data access, exact helpers.

Numbers are plain Decimals in base units (tenge, years, 0.30 for 30 %); no pint
object and no syntax tree is touched here. A value the data does not have raises
:class:`Missing`, which the evaluator turns into an "undetermined" outcome naming
what is needed.

Intervals (``(low, high)`` pairs) serve ``within precision`` comparisons: a value
read from data stands for every value that rounds to it, half its last stated
digit either way.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Any

from clusterkit.lang.units import Dim, data_unit
from clusterkit.model import (
    Application,
    Cluster,
    CounterObligation,
    Dataset,
    FundingSource,
    IndicatorSeries,
    IndicatorValue,
    Participant,
    Programme,
    Project,
    Role,
    Tranche,
)
from clusterkit.money import Money, NoRateError, RateTable
from clusterkit.numbers import quantum, shift

__all__ = ["CONTEXT", "Context", "Interval", "Missing"]

#: All rule arithmetic runs in this context: 34 significant digits, half-even.
CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
    ],
)
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDREDTH = Decimal("0.01")

Interval = tuple[Decimal, Decimal]

#: The roles that are enterprises (read inline by compiled rules: no call per participant).
ENTERPRISES = frozenset(role for role in Role if role.is_enterprise)

ROUNDING = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}


class Missing(Exception):  # noqa: N818 - it is an outcome, not an error
    """The data lacks something a rule needs; ``what`` says what, for the verdict."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Context:
    """Everything a compiled rule may read: the dataset, the date, indexes over both.

    Built once per evaluation; the indexes make parent and id look-ups O(1).
    """

    def __init__(self, data: Dataset, as_of: dt.date, currency: str) -> None:
        self.data = data
        self.as_of = as_of
        self.currency = currency

    # Indexes are built on first use: a rulebook that never asks for a parent or a
    # flattened collection does not pay for it.
    @cached_property
    def _parents(self) -> dict[int, object]:
        parents: dict[int, object] = {}
        for cluster in self.data.clusters:
            for participant in cluster.participants:
                parents[id(participant)] = cluster
        for programme in self.data.programmes:
            for project in programme.projects:
                parents[id(project)] = programme
                for tranche in project.tranches:
                    parents[id(tranche)] = project
        return parents

    @cached_property
    def _clusters(self) -> dict[str, Cluster]:
        return {c.id: c for c in self.data.clusters}

    @cached_property
    def _programmes(self) -> dict[str, Programme]:
        return {p.id: p for p in self.data.programmes}

    @cached_property
    def _programmes_of(self) -> dict[str, list[Programme]]:
        out: dict[str, list[Programme]] = {}
        for programme in self.data.programmes:
            out.setdefault(programme.cluster, []).append(programme)
        return out

    @cached_property
    def participants(self) -> tuple[Participant, ...]:
        return tuple(p for c in self.data.clusters for p in c.participants)

    @cached_property
    def projects(self) -> tuple[Project, ...]:
        return tuple(p for programme in self.data.programmes for p in programme.projects)

    @cached_property
    def tranches(self) -> tuple[Tranche, ...]:
        return tuple(t for p in self.projects for t in p.tranches)

    @cached_property
    def _series(self) -> dict[tuple[str, str], IndicatorSeries]:
        return {(s.cluster, s.indicator): s for s in self.data.series}

    @cached_property
    def _observations(self) -> dict[tuple[str, str], list[Any]]:
        out: dict[tuple[str, str], list[Any]] = {}
        for observation in self.data.observations:
            out.setdefault((observation.cluster, observation.indicator), []).append(observation)
        return out

    @cached_property
    def _figures(self) -> dict[str, Any]:
        return {f.id: f for f in self.data.figures}

    @cached_property
    def _rates(self) -> RateTable:
        return self.data.rate_table

    # -- look-ups used by generated code --
    def parent(self, obj: object) -> Any:
        return self._parents.get(id(obj))

    def cluster(self, cluster_id: str | None) -> Cluster | None:
        return None if cluster_id is None else self._clusters.get(cluster_id)

    def programme(self, programme_id: str | None) -> Programme | None:
        return None if programme_id is None else self._programmes.get(programme_id)

    def programmes_of(self, cluster: Cluster) -> tuple[Programme, ...]:
        return tuple(self._programmes_of.get(cluster.id, ()))

    def series(self, cluster: Cluster, indicator: str) -> IndicatorSeries | None:
        return self._series.get((cluster.id, indicator))

    def observations(self, cluster_id: str, indicator: str) -> Sequence[Any]:
        return self._observations.get((cluster_id, indicator), ())

    def figure(self, figure_id: str, expected: Dim) -> Decimal | None:
        """A published figure's value in base units; None if the dataset lacks it."""
        figure = self._figures.get(figure_id)
        if figure is None:
            return None
        factor, dim = data_unit(figure.value.unit)
        if dim != expected:
            raise Missing(
                f"figure {figure_id!r} in the unit the rule declares "
                f"(it is stated in {figure.value.unit})"
            )
        value: Decimal = figure.value.value * factor
        return value

    def convert(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        try:
            return self._rates.convert(Money(amount, self.currency), currency, on).amount
        except NoRateError:
            raise Missing(
                f"an exchange rate {self.currency}→{currency} on or before {on.isoformat()}"
            ) from None


# -- reading data ---------------------------------------------------------------------


def nn(value: Any, what: str) -> Any:
    """``value``, or :class:`Missing` naming ``what`` when it is None."""
    if value is None:
        raise Missing(what)
    return value


def money(ctx: Context, amount: Money | None) -> Decimal | None:
    if amount is None:
        return None
    if amount.currency != ctx.currency:
        raise Missing(f"an amount in {ctx.currency} (found {amount})")
    return amount.amount


def percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else shift(value, -2)


def obl(obligation: CounterObligation, value: Decimal) -> Decimal:
    return value * data_unit(obligation.unit)[0]


def funding(ctx: Context, project: Project, source: str) -> Decimal:
    total = project.funding(FundingSource(source))
    result = money(ctx, total)
    assert result is not None
    return result


def members(ctx: Context, cluster: Cluster) -> tuple[Participant, ...]:
    return cluster.members_on(ctx.as_of)


def stage_on(ctx: Context, cluster: Cluster) -> str | None:
    stage = cluster.stage_on(ctx.as_of)
    return None if stage is None else str(stage.value)


def status_on(ctx: Context, application: Application) -> str | None:
    status = application.status_on(ctx.as_of)
    return None if status is None else str(status.value)


def duration(programme: Programme) -> Decimal:
    return Decimal(programme.end.year - programme.start.year + 1)


def end_of_year(year: int | Decimal) -> dt.date:
    return dt.date(int(year), 12, 31)


def make_date(year: Decimal | int, month: Decimal | int, day: Decimal | int) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise Missing(f"a date that exists (got {year}-{month}-{day})") from None


def condition_met_on(ctx: Context, tranche: Tranche) -> dt.date | None:
    if not tranche.condition:
        return None
    project = ctx.parent(tranche)
    milestone = project.milestone(tranche.condition) if project is not None else None
    if milestone is None or milestone.achieved is None or milestone.achieved > ctx.as_of:
        return None
    achieved: dt.date = milestone.achieved
    return achieved


def _observed(ctx: Context, obligation: CounterObligation, year: int) -> Decimal | None:
    best = None
    for observation in ctx.observations(obligation.cluster, obligation.indicator):
        if (
            observation.year == year
            and observation.reported_on <= ctx.as_of
            and (best is None or observation.reported_on >= best.reported_on)
        ):
            best = observation
    if best is None:
        return None
    factor, dim = data_unit(best.unit)
    if dim != data_unit(obligation.unit)[1]:
        raise Missing(f"an observation in {obligation.unit} (found {best.unit})")
    value: Decimal = best.value * factor
    return value


def actual(ctx: Context, obligation: CounterObligation) -> Decimal | None:
    return _observed(ctx, obligation, obligation.target_year)


def latest(ctx: Context, obligation: CounterObligation) -> tuple[Decimal | None, Decimal | None]:
    years = sorted(
        {
            o.year
            for o in ctx.observations(obligation.cluster, obligation.indicator)
            if o.year <= obligation.target_year and o.reported_on <= ctx.as_of
        },
        reverse=True,
    )
    for year in years:
        value = _observed(ctx, obligation, year)
        if value is not None:
            return Decimal(year), value
    return None, None


def _series_entry(
    ctx: Context, cluster: Cluster, name: str, year: Decimal | int, expected: Dim
) -> tuple[IndicatorValue | None, Decimal]:
    series = ctx.series(cluster, name)
    if series is None:
        return None, ONE
    factor, dim = data_unit(series.unit)
    if dim != expected:
        raise Missing(
            f"indicator {name!r} of {cluster.id} in the declared unit "
            f"(it is stated in {series.unit})"
        )
    return series.at(int(year)), factor


def indicator(
    ctx: Context, cluster: Cluster, name: str, year: Decimal | int, expected: Dim
) -> Decimal | None:
    entry, factor = _series_entry(ctx, cluster, name, year, expected)
    return None if entry is None else entry.value * factor


def attributed(
    ctx: Context, cluster: Cluster, name: str, year: Decimal | int, expected: Dim
) -> Decimal | None:
    entry, factor = _series_entry(ctx, cluster, name, year, expected)
    return None if entry is None or entry.attributed is None else entry.attributed * factor


def series_percent(
    ctx: Context, cluster: Cluster, name: str, year: Decimal | int, expected: Dim, *, field: str
) -> Decimal | None:
    entry, _ = _series_entry(ctx, cluster, name, year, expected)
    return None if entry is None else percent(getattr(entry, field))


def points(application: Application, criterion: str) -> Decimal | None:
    return application.points(criterion)


def holds_label(ctx: Context, cluster: Cluster, name: str) -> bool | None:
    answers = [label.is_valid_on(ctx.as_of) for label in cluster.labels if label.name == name]
    if any(a is True for a in answers):
        return True
    if any(a is None for a in answers):
        return None
    return False


# -- exact arithmetic -------------------------------------------------------------------


def div(a: Decimal, b: Decimal, what: str) -> Decimal:
    if b == 0:
        raise Missing(f"{what} to be non-zero")
    return a / b


def growth(a: Decimal, b: Decimal, what: str) -> Decimal:
    return div(b, a, what) - ONE


def share(part: Decimal, whole: Decimal, what: str) -> Decimal:
    return div(part, whole, what)


def cagr(a: Decimal, b: Decimal, years: Decimal, what: str) -> Decimal:
    if a <= 0 or b <= 0 or years <= 0:
        raise Missing(f"{what} to be positive")
    return ((b / a).ln() / years).exp() - ONE


def rnd(value: Decimal, step: Decimal, mode: str) -> Decimal:
    if step <= 0:
        raise Missing("a positive rounding step")
    return (value / step).quantize(ONE, rounding=ROUNDING[mode]) * step


def total(values: Iterable[Decimal]) -> Decimal:
    result = ZERO
    for value in values:
        result += value
    return result


def smallest(values: Iterable[Decimal]) -> Decimal | None:
    return min(values, default=None)


def largest(values: Iterable[Decimal]) -> Decimal | None:
    return max(values, default=None)


def average(values: Iterable[Decimal]) -> Decimal | None:
    items = list(values)
    return sum(items, ZERO) / len(items) if items else None


def record(trace: list[tuple[int, Any]], index: int, value: Any) -> Any:
    """Append a read to the trace and pass the value on."""
    trace.append((index, value))
    return value


# -- intervals, for "within precision" ---------------------------------------------------


def ival(value: Any) -> Interval:
    """A value read from data, as the interval of values it stands for."""
    if isinstance(value, Decimal):
        half = quantum(value) / 2
        return (value - half, value + half)
    exact = Decimal(value)
    return (exact, exact)


def exact(value: Any) -> Interval:
    number = value if isinstance(value, Decimal) else Decimal(value)
    return (number, number)


def iadd(a: Interval, b: Interval) -> Interval:
    return (a[0] + b[0], a[1] + b[1])


def isub(a: Interval, b: Interval) -> Interval:
    return (a[0] - b[1], a[1] - b[0])


def imul(a: Interval, b: Interval) -> Interval:
    products = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return (min(products), max(products))


def idiv(a: Interval, b: Interval, what: str) -> Interval:
    if b[0] <= 0 <= b[1]:
        raise Missing(f"{what} to be clearly non-zero")
    quotients = (a[0] / b[0], a[0] / b[1], a[1] / b[0], a[1] / b[1])
    return (min(quotients), max(quotients))


def ineg(a: Interval) -> Interval:
    return (-a[1], -a[0])


def igrowth(a: Interval, b: Interval, what: str) -> Interval:
    ratio = idiv(b, a, what)
    return (ratio[0] - ONE, ratio[1] - ONE)


def itotal(values: Iterable[Interval]) -> Interval:
    low, high = ZERO, ZERO
    for a, b in values:
        low += a
        high += b
    return (low, high)


def icompare(op: str, a: Interval, b: Interval) -> bool:
    """Could some values within the two intervals satisfy ``a op b``?"""
    if op == ">=":
        return a[1] >= b[0]
    if op == ">":
        return a[1] > b[0]
    if op == "<=":
        return a[0] <= b[1]
    if op == "<":
        return a[0] < b[1]
    if op == "=":
        return a[0] <= b[1] and b[0] <= a[1]
    return not (a[0] == a[1] == b[0] == b[1])


def igap(op: str, a: Interval, b: Interval) -> Decimal:
    """How far ``a`` is from satisfying ``a op b`` at the nearest ends of the intervals."""
    if op in (">=", ">"):
        return b[0] - a[1]
    if op in ("<=", "<"):
        return a[0] - b[1]
    return max(b[0] - a[1], a[0] - b[1])


def entity_key(entity: object) -> str:
    """A readable identifier of an entity for results."""
    if isinstance(entity, Tranche):
        return f"tranche {entity.number}"
    for name in ("id", "code"):
        value = getattr(entity, name, None)
        if isinstance(value, str):
            return value
    if isinstance(entity, IndicatorSeries):
        return f"{entity.cluster}/{entity.indicator}"
    return type(entity).__name__.lower()
