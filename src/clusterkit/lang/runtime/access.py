"""Reading data for compiled rules: money in the rulebook's currency, percentages,
obligations and their reported values, indicator series, labels, statuses.

Every function returns plain Decimals in base units (tenge, 0.30 for 30 %), or None
when the data does not have the value; a value in a unit the rule cannot use raises
:class:`Missing`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from clusterkit.i18n import N_
from clusterkit.lang.runtime.context import Context, Missing
from clusterkit.lang.types.units import Dim, data_unit
from clusterkit.model import (
    Application,
    Cluster,
    CounterObligation,
    IndicatorSeries,
    IndicatorValue,
    Participant,
    Programme,
    Role,
    Tranche,
)
from clusterkit.money import Money
from clusterkit.numbers import shift

__all__ = ["ENTERPRISES", "entity_key", "nn"]

#: The roles that are enterprises (read inline by compiled rules: no call per participant).
ENTERPRISES = frozenset(role for role in Role if role.is_enterprise)
ONE = Decimal(1)


def nn(value: Any, what: str) -> Any:
    """``value``, or :class:`Missing` naming ``what`` when it is None."""
    if value is None:
        raise Missing(N_("{what}"), what=what)
    return value


def money(ctx: Context, amount: Money | None) -> Decimal | None:
    if amount is None:
        return None
    if amount.currency != ctx.currency:
        raise Missing(
            N_("an amount in {currency} (found {amount})"),
            currency=ctx.currency,
            amount=str(amount),
        )
    return amount.amount


def percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else shift(value, -2)


#: ``(factor, dimension)`` of each unit met in data, by its parts (cheaper to look up
#: than hashing the unit; the same few units recur on every record).
_UNITS: dict[tuple[int, str, str | None], tuple[Decimal, Dim]] = {}


def _unit(unit: Any) -> tuple[Decimal, Dim]:
    key = (unit.scale, unit.base, unit.per)
    found = _UNITS.get(key)
    if found is None:
        found = _UNITS[key] = data_unit(unit)
    return found


def obl(obligation: CounterObligation, value: Decimal) -> Decimal:
    return value * _unit(obligation.unit)[0]


def funding(ctx: Context, project: Any, source: str) -> Decimal | None:
    """What ``source`` commits to ``project``, or None when the project records no line
    of that source (unknown, not zero); summed once per evaluation."""
    try:
        value = ctx.funded[id(project)][source]
    except KeyError:
        value = ctx.fund(project, source)
    if value is None or value.__class__ is Decimal:
        return value
    raise Missing(value.template, **value.params)  # type: ignore[union-attr]


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
    as_of = ctx.as_of
    for observation in ctx.observations(obligation.cluster, obligation.indicator):
        if (
            observation.year == year
            and observation.reported_on <= as_of
            and (best is None or observation.reported_on >= best.reported_on)
        ):
            best = observation
    if best is None:
        return None
    factor, dim = _unit(best.unit)
    expected = _unit(obligation.unit)[1]
    if dim is not expected and dim != expected:
        raise Missing(
            N_("an observation in {unit} (found {found})"),
            unit=str(obligation.unit),
            found=str(best.unit),
        )
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
    factor, dim = _unit(series.unit)
    if dim != expected:
        raise Missing(
            N_("indicator {name} of {cluster} in the declared unit (it is stated in {unit})"),
            name=repr(name),
            cluster=cluster.id,
            unit=str(series.unit),
        )
    return series.at(int(year)), factor


def indicator(
    ctx: Context, cluster: Cluster, year: Decimal | int, name: str, expected: Dim
) -> Decimal | None:
    entry, factor = _series_entry(ctx, cluster, name, year, expected)
    return None if entry is None else entry.value * factor


def attributed(
    ctx: Context, cluster: Cluster, year: Decimal | int, name: str, expected: Dim
) -> Decimal | None:
    entry, factor = _series_entry(ctx, cluster, name, year, expected)
    return None if entry is None or entry.attributed is None else entry.attributed * factor


def attributed_percent(
    ctx: Context, cluster: Cluster, year: Decimal | int, name: str, expected: Dim
) -> Decimal | None:
    entry, _ = _series_entry(ctx, cluster, name, year, expected)
    return None if entry is None else percent(entry.attributed_percent)


def stated_effect(
    ctx: Context, cluster: Cluster, year: Decimal | int, name: str, expected: Dim
) -> Decimal | None:
    entry, _ = _series_entry(ctx, cluster, name, year, expected)
    return None if entry is None else percent(entry.stated_effect_percent)


def points(application: Application, criterion: str) -> Decimal | None:
    return application.points(criterion)


def holds_label(ctx: Context, cluster: Cluster, name: str) -> bool | None:
    answers = [label.is_valid_on(ctx.as_of) for label in cluster.labels if label.name == name]
    if any(a is True for a in answers):
        return True
    if any(a is None for a in answers):
        return None
    return False


def convert(ctx: Context, amount: Decimal, on: dt.date, currency: str) -> Decimal:
    return ctx.convert(amount, currency, on)


def figure(ctx: Context, figure_id: str, expected: Dim) -> Decimal | None:
    return ctx.figure(figure_id, expected)


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


# -- declared fields and kinds -----------------------------------------------------------------


def amount(value: Money | None) -> Decimal | None:
    """The amount of money in a field that declares its currency."""
    return None if value is None else value.amount


def times(value: Decimal | None, factor: Decimal) -> Decimal | None:
    """A number in a declared unit, in base units."""
    return None if value is None else value * factor


def items(value: Any) -> tuple[Any, ...] | None:
    return None if value is None else tuple(value)


def each(value: Any, read: Any) -> tuple[Any, ...] | None:
    """Each item of a declared list read as its type says (money, units, references)."""
    return None if value is None else tuple(read(item) for item in value)


def ref(ctx: Context, kind: str, key: str | None) -> Any:
    """The entity of ``kind`` a reference names (None when it names none)."""
    return None if key is None else ctx.lookup(kind, key)


def records(ctx: Context, collection: str) -> tuple[Any, ...]:
    return ctx.data.records_of(collection)


def children(ctx: Context, collection: str, parent_field: str, parent: object) -> tuple[Any, ...]:
    """The records of ``collection`` that belong to ``parent``."""
    return ctx.children(collection, parent_field, parent)
