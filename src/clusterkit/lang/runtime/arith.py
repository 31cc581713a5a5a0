"""Exact arithmetic for compiled rules: division that names its divisor, growth, CAGR,
explicit rounding, aggregates, dates. A result the data cannot give raises
:class:`Missing`, which makes the verdict "undetermined"."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from decimal import Decimal

from clusterkit.lang.runtime.context import Missing

__all__ = ["ROUNDING"]

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
        raise Missing("{what} to be non-zero", what=what)
    return a / b


def growth(a: Decimal, b: Decimal, what: str) -> Decimal:
    return div(b, a, what) - ONE


def share(part: Decimal, whole: Decimal, what: str) -> Decimal:
    return div(part, whole, what)


def cagr(a: Decimal, b: Decimal, years: Decimal, what: str) -> Decimal:
    if a <= 0 or b <= 0 or years <= 0:
        raise Missing("{what} to be positive", what=what)
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


def end_of_year(year: int | Decimal) -> dt.date:
    try:
        return dt.date(int(year), 12, 31)
    except (ValueError, OverflowError):
        raise Missing("a year between 1 and 9999 (got {year})", year=str(year)) from None


def make_date(year: Decimal | int, month: Decimal | int, day: Decimal | int) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except (ValueError, OverflowError):
        raise Missing("a date that exists (got {date})", date=f"{year}-{month}-{day}") from None
