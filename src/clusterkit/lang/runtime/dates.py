"""Calendar arithmetic for compiled rules: adding days, months and years to dates (a
month added to 31 January gives the last day of February), differences in days,
whole months and whole years, and the parts and bounds of months and years."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from clusterkit.i18n import N_
from clusterkit.lang.runtime.context import Missing

__all__ = ["add_months", "months_between"]


def end_of_year(year: int | Decimal) -> dt.date:
    try:
        return dt.date(int(year), 12, 31)
    except (ValueError, OverflowError):
        raise Missing(N_("a year between 1 and 9999 (got {year})"), year=str(year)) from None


def make_date(year: Decimal | int, month: Decimal | int, day: Decimal | int) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except (ValueError, OverflowError):
        raise Missing(N_("a date that exists (got {date})"), date=f"{year}-{month}-{day}") from None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months; a day the month lacks becomes its last
    (31 January + 1 month = 28 or 29 February)."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    last = calendar.monthrange(year, month + 1)[1] if 1 <= year <= 9999 else 31
    return dt.date(year, month + 1, min(day.day, last))


def shift_date(day: dt.date, amount: Decimal, unit: str) -> dt.date:
    """``day`` plus ``amount`` days, months or years (a year is 12 months)."""
    if amount != amount.to_integral_value():
        raise Missing(N_("a whole number of {unit}s (got {amount})"), unit=unit, amount=str(amount))
    try:
        count = int(amount)
        if unit == "day":
            return day + dt.timedelta(days=count)
        return add_months(day, count * (12 if unit == "year" else 1))
    except (ValueError, OverflowError):
        raise Missing(N_("a date between 0001-01-01 and 9999-12-31")) from None


def day_diff(a: dt.date, b: dt.date) -> Decimal:
    return Decimal((a - b).days)


def months_between(a: dt.date, b: dt.date) -> Decimal:
    """Whole calendar months from ``a`` to ``b``: the most ``n`` with ``a + n months <=
    b`` (negative when ``b`` is before ``a``)."""
    if b < a:
        return -months_between(b, a)
    months = (b.year - a.year) * 12 + b.month - a.month
    if add_months(a, months) > b:
        months -= 1
    return Decimal(months)


def years_between(a: dt.date, b: dt.date) -> Decimal:
    months = months_between(a, b)
    return Decimal(int(months / 12))


def days_between(a: dt.date, b: dt.date) -> Decimal:
    return Decimal((b - a).days)


def month(day: dt.date) -> Decimal:
    return Decimal(day.month)


def day_of(day: dt.date) -> Decimal:
    return Decimal(day.day)


def start_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def start_of_year(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)


def end_of_year_of(value: dt.date | Decimal | int) -> dt.date:
    """31 December of a date's year, or of a year given as a number."""
    return end_of_year(value.year if isinstance(value, dt.date) else value)
