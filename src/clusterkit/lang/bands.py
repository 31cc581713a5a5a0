"""Grading bands as ranges of one value: overlaps and gaps, for the checker."""

from __future__ import annotations

from decimal import Decimal

import attrs

__all__ = ["Interval", "first_gap"]


@attrs.frozen
class Interval:
    """A range of values with open or closed ends (None = unbounded)."""

    low: Decimal | None = None
    low_closed: bool = False
    high: Decimal | None = None
    high_closed: bool = False

    def constrain(self, op: str, value: Decimal) -> Interval:
        if op in (">", ">="):
            return attrs.evolve(self, low=value, low_closed=op == ">=")
        if op in ("<", "<="):
            return attrs.evolve(self, high=value, high_closed=op == "<=")
        if op == "=":
            return Interval(value, True, value, True)
        return self

    def intersect(self, other: Interval) -> Interval | None:
        low, low_closed = _max_low(self, other)
        high, high_closed = _min_high(self, other)
        empty = (
            low is not None
            and high is not None
            and (low > high or (low == high and not (low_closed and high_closed)))
        )
        if empty:
            return None
        return Interval(low, low_closed, high, high_closed)

    def text(self) -> str:
        def show(value: Decimal) -> str:
            return f"{(value * 100).normalize():f} %" if abs(value) <= 10 else f"{value:f}"

        if self.low is not None and self.high is not None and self.low == self.high:
            return f"at {show(self.low)}"
        parts = []
        if self.low is not None:
            parts.append(f"from {show(self.low)}{'' if self.low_closed else ' (excluded)'}")
        if self.high is not None:
            parts.append(f"to {show(self.high)}{'' if self.high_closed else ' (excluded)'}")
        return " ".join(parts) or "everywhere"


def _max_low(a: Interval, b: Interval) -> tuple[Decimal | None, bool]:
    if a.low is None:
        return b.low, b.low_closed
    if b.low is None or a.low > b.low:
        return a.low, a.low_closed
    if b.low > a.low:
        return b.low, b.low_closed
    return a.low, a.low_closed and b.low_closed


def _min_high(a: Interval, b: Interval) -> tuple[Decimal | None, bool]:
    if a.high is None:
        return b.high, b.high_closed
    if b.high is None or a.high < b.high:
        return a.high, a.high_closed
    if b.high < a.high:
        return b.high, b.high_closed
    return a.high, a.high_closed and b.high_closed


def first_gap(intervals: list[Interval]) -> str | None:
    """Describe the first stretch of values no interval covers, or None."""
    ordered = sorted(intervals, key=lambda i: (i.low is not None, i.low or 0, not i.low_closed))
    first = ordered[0]
    if first.low is not None:
        return Interval(None, False, first.low, not first.low_closed).text()
    reach, reach_closed = first.high, first.high_closed
    for interval in ordered[1:]:
        if reach is None:
            return None
        low = interval.low
        assert low is not None  # only the first interval can be unbounded below
        if low > reach or (low == reach and not reach_closed and not interval.low_closed):
            return Interval(reach, not reach_closed, low, not interval.low_closed).text()
        if interval.high is None:
            reach = None
        elif interval.high > reach or (interval.high == reach and interval.high_closed):
            reach, reach_closed = interval.high, interval.high_closed
    if reach is not None:
        return Interval(reach, not reach_closed, None, False).text()
    return None
