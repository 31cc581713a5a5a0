"""Exact arithmetic for compiled rules: division that names its divisor, growth, CAGR,
explicit rounding, aggregates, tables, dated parameters, and calendar arithmetic on
dates. A result the data cannot give raises :class:`Missing`, which makes the verdict
"undetermined"."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from clusterkit.i18n import N_
from clusterkit.lang.runtime.context import Missing

__all__ = ["ROUNDING", "Table"]

ZERO = Decimal(0)
ONE = Decimal(1)

#: Rounding modes by the names rules use.
ROUNDING = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}


def div(a: Decimal, b: Decimal, what: str) -> Decimal:
    if b == 0:
        raise Missing(N_("{what} to be non-zero"), what=what)
    return a / b


def growth(a: Decimal, b: Decimal, what: str) -> Decimal:
    return div(b, a, what) - ONE


def share(part: Decimal, whole: Decimal, what: str) -> Decimal:
    return div(part, whole, what)


def cagr(a: Decimal, b: Decimal, years: Decimal, what: str) -> Decimal:
    if a <= 0 or b <= 0 or years <= 0:
        raise Missing(N_("{what} to be positive"), what=what)
    return ((b / a).ln() / years).exp() - ONE


def rnd(value: Decimal, step: Decimal, mode: str) -> Decimal:
    if step <= 0:
        raise Missing(N_("a positive rounding step"))
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


# -- tables and dated parameters -------------------------------------------------------------


class Table(Mapping[object, Any]):
    """A table of a rule file (``{"bronze": 24 months}``): immutable and hashable, so
    it can sit in a compiled rulebook's constants table."""

    __slots__ = ("_hash", "_values")

    def __init__(self, pairs: Iterable[tuple[object, Any]] = ()) -> None:
        self._values: dict[object, Any] = dict(pairs)
        self._hash = hash(tuple(self._values.items()))

    def __getitem__(self, key: object) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[object]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and self._values == other._values

    def __reduce__(self) -> tuple[type[Table], tuple[list[tuple[object, Any]]]]:
        return (Table, (list(self._values.items()),))


def lookup(table: Mapping[object, Any], key: object, what: str) -> Any:
    try:
        return table[key]
    except KeyError:
        raise Missing(N_("an entry of {table} for {key}"), table=what, key=str(key)) from None


def param_on(schedule: tuple[tuple[dt.date, Any], ...], day: dt.date, name: str) -> Any:
    """The value a dated parameter has on ``day``: the last one whose date has come."""
    value: Any = None
    found = False
    for start, candidate in schedule:
        if start > day:
            break
        value, found = candidate, True
    if not found:
        raise _before_first(schedule, day, name)
    return value


def param_noted(
    schedule: tuple[tuple[dt.date, Any], ...],
    day: dt.date,
    name: str,
    ctx: Any,
    bases: tuple[tuple[str, str], ...],
) -> Any:
    """:func:`param_on` for a parameter whose values rest on different bases: the
    basis of the value read is noted in ``ctx.noted`` as ``(name, kind, note)``, for
    the verdict to show."""
    found = -1
    for start, _candidate in schedule:
        if start > day:
            break
        found += 1
    if found < 0:
        raise _before_first(schedule, day, name)
    ctx.noted[(name, *bases[found])] = None
    return schedule[found][1]


def _before_first(schedule: tuple[tuple[dt.date, Any], ...], day: dt.date, name: str) -> Missing:
    first = schedule[0][0].isoformat() if schedule else "?"
    return Missing(
        N_("a value of {name} on {date} (its first is from {first})"),
        name=name,
        date=day.isoformat(),
        first=first,
    )
