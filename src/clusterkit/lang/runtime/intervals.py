"""Intervals of exact values: the ranges grading bands cover (for the checker), and the
values a rounded figure stands for (for ``within precision`` comparisons).

A figure stated as 33.6 stands for every value from 33.55 to 33.65: half its last
stated digit either way. Arithmetic on intervals gives every value the result could
have; a comparison within precision passes when some values in the two intervals
satisfy it. Unbounded ends are infinite Decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from clusterkit.i18n import N_
from clusterkit.lang.runtime.context import Missing
from clusterkit.messages import join, msg
from clusterkit.numbers import quantum

__all__ = ["EVERYWHERE", "Interval", "first_gap"]

INF = Decimal("Infinity")
ONE = Decimal(1)
ZERO = Decimal(0)


class Interval(NamedTuple):
    """Values from ``low`` to ``high``; an end is included when it is closed."""

    low: Decimal
    high: Decimal
    low_closed: bool = True
    high_closed: bool = True

    # -- ranges, for the checker's band analysis --
    def constrain(self, op: str, value: Decimal) -> Interval:
        """The part of this interval where ``x op value`` holds."""
        if op in (">", ">="):
            return self._replace(low=value, low_closed=op == ">=")
        if op in ("<", "<="):
            return self._replace(high=value, high_closed=op == "<=")
        if op == "=":
            return Interval(value, value)
        return self

    def intersect(self, other: Interval) -> Interval | None:
        low, low_closed = _max_low(self, other)
        high, high_closed = _min_high(self, other)
        if low > high or (low == high and not (low_closed and high_closed)):
            return None
        return Interval(low, high, low_closed, high_closed)

    def text(self, percent: bool = True) -> str:
        """The range in words (as percentages when ``percent``):
        ``from 70 % to 90 % (excluded)``."""

        def show(value: Decimal) -> str:
            return f"{(value * 100).normalize():f} %" if percent else f"{value.normalize():f}"

        if self.low == self.high:
            return msg("at {value}", value=show(self.low))
        parts = []
        if self.low != -INF:
            low = show(self.low)
            parts.append(
                msg("from {low}", low=low)
                if self.low_closed
                else msg("from {low} (excluded)", low=low)
            )
        if self.high != INF:
            high = show(self.high)
            parts.append(
                msg("to {high}", high=high)
                if self.high_closed
                else msg("to {high} (excluded)", high=high)
            )
        return join(parts, " ") if parts else msg("everywhere")


EVERYWHERE = Interval(-INF, INF, False, False)


def _max_low(a: Interval, b: Interval) -> tuple[Decimal, bool]:
    if a.low > b.low:
        return a.low, a.low_closed
    if b.low > a.low:
        return b.low, b.low_closed
    return a.low, a.low_closed and b.low_closed


def _min_high(a: Interval, b: Interval) -> tuple[Decimal, bool]:
    if a.high < b.high:
        return a.high, a.high_closed
    if b.high < a.high:
        return b.high, b.high_closed
    return a.high, a.high_closed and b.high_closed


def first_gap(intervals: list[Interval], percent: bool = True) -> str | None:
    """Describe the first stretch of values no interval covers, or None."""
    ordered = sorted(intervals, key=lambda i: (i.low, not i.low_closed))
    first = ordered[0]
    if first.low != -INF:
        return Interval(-INF, first.low, False, not first.low_closed).text(percent)
    reach, reach_closed = first.high, first.high_closed
    for interval in ordered[1:]:
        if reach == INF:
            return None
        low = interval.low
        if low > reach or (low == reach and not reach_closed and not interval.low_closed):
            return Interval(reach, low, not reach_closed, not interval.low_closed).text(percent)
        if interval.high > reach or (interval.high == reach and interval.high_closed):
            reach, reach_closed = interval.high, interval.high_closed
    if reach != INF:
        return Interval(reach, INF, not reach_closed, False).text(percent)
    return None


# -- values within their stated precision, for compiled rules -------------------------------


#: Half the step of each exponent met (``5E+4`` for ``1E+5``): the same few recur.
_HALVES: dict[int | str, Decimal] = {}
_new = tuple.__new__


def _closed(low: Decimal, high: Decimal) -> Interval:
    """``Interval(low, high)``, made without the named tuple's Python-level ``__new__``
    (compiled rules make several per entity)."""
    made: Interval = _new(Interval, (low, high, True, True))
    return made


def ival(value: Any) -> Interval:
    """A value read from data, as the interval of values it stands for."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        half = _HALVES.get(exponent)
        if half is None:
            half = quantum(value) / 2  # refuses a value that is not finite
            _HALVES[exponent] = half
        return _closed(value - half, value + half)
    exact_value = Decimal(value)
    return _closed(exact_value, exact_value)


def exact(value: Any) -> Interval:
    number = value if isinstance(value, Decimal) else Decimal(value)
    return _closed(number, number)


def iadd(a: Interval, b: Interval) -> Interval:
    return _closed(a[0] + b[0], a[1] + b[1])


def isub(a: Interval, b: Interval) -> Interval:
    return _closed(a[0] - b[1], a[1] - b[0])


def imul(a: Interval, b: Interval) -> Interval:
    if a[0] == a[1]:  # an exact factor (a constant share): two products, not four
        x, y = a[0] * b[0], a[0] * b[1]
        if x < y:
            return _closed(x, y)
        return _closed(y, x) if y < x else _closed(x, x)
    products = (a.low * b.low, a.low * b.high, a.high * b.low, a.high * b.high)
    return _closed(min(products), max(products))


def idiv(a: Interval, b: Interval, what: str) -> Interval:
    if b.low <= 0 <= b.high:
        raise Missing(N_("{what} to be clearly non-zero"), what=what)
    quotients = (a.low / b.low, a.low / b.high, a.high / b.low, a.high / b.high)
    return _closed(min(quotients), max(quotients))


def ineg(a: Interval) -> Interval:
    return _closed(-a.high, -a.low)


def igrowth(a: Interval, b: Interval, what: str) -> Interval:
    ratio = idiv(b, a, what)
    return _closed(ratio.low - ONE, ratio.high - ONE)


def itotal(values: Iterable[Interval]) -> Interval:
    low, high = ZERO, ZERO
    for value in values:
        low += value[0]
        high += value[1]
    return _closed(low, high)


def icompare(op: str, a: Interval, b: Interval) -> bool:
    """Could some values within the two intervals satisfy ``a op b``?"""
    if op == ">=":
        return a[1] >= b[0]
    if op == ">":
        return a.high > b.low
    if op == "<=":
        return a.low <= b.high
    if op == "<":
        return a.low < b.high
    if op == "=":
        return a.low <= b.high and b.low <= a.high
    return not (a.low == a.high == b.low == b.high)


def igap(op: str, a: Interval, b: Interval) -> Decimal:
    """How far ``a`` is from satisfying ``a op b`` at the nearest ends of the intervals."""
    if op in (">=", ">"):
        return b.low - a.high
    if op in ("<=", "<"):
        return a.low - b.high
    return max(b.low - a.high, a.low - b.high)
