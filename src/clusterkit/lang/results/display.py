"""Values for people, in the unit their type gives them (``33.6 mln KZT``, ``30 %``,
``2 years``), rounded for display only; and exact values as text (``[low, high]`` for
an interval), as results keep them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

import attrs

from clusterkit.formatting import format_money, format_number
from clusterkit.i18n import N_, translator
from clusterkit.lang.results.outcome import Outcome
from clusterkit.lang.runtime.access import entity_key
from clusterkit.lang.runtime.intervals import Interval
from clusterkit.lang.types.units import (
    DAYS,
    DIMENSIONLESS,
    MONTHS,
    YEARS,
    Dim,
    currency_dim,
    dim_text,
)
from clusterkit.lang.types.value_types import BoolT, DateT, NumT, Type
from clusterkit.money import Money

if TYPE_CHECKING:
    from clusterkit.lang.results.result import TraceEntry

__all__ = ["DISPLAY_DIGITS", "entry_text", "format_value", "outcome_text", "raw_text"]

#: Computed values (a growth, a ratio) can carry 34 digits; people see this many.
DISPLAY_DIGITS = 6
_DURATION_WORDS = {
    YEARS: (N_("year"), N_("years")),
    MONTHS: (N_("month"), N_("months")),
    DAYS: (N_("day"), N_("days")),
    Dim({"[point]": 1}): (N_("point"), N_("points")),  # not a duration; one, many
}


def _readable(number: Decimal) -> Decimal:
    """``number`` rounded to :data:`DISPLAY_DIGITS` significant digits if it has more.

    Only for display: results keep the exact value.
    """
    digits = len(number.as_tuple().digits)
    if digits <= DISPLAY_DIGITS or number == number.to_integral_value():
        return number
    with localcontext() as context:
        context.prec = DISPLAY_DIGITS
        return (+number).normalize()


def _number(number: Decimal, t: NumT, currency: str, lang: str) -> str:
    number = _readable(number)
    if t.dim in _DURATION_WORDS:
        one, many = _DURATION_WORDS[t.dim]
        _ = translator(lang)
        word = _(one) if abs(number) == 1 else _(many)
        return f"{format_number(number, lang)} {word}"
    if t.dim == DIMENSIONLESS:
        if t.percent:
            return f"{format_number(_readable(number * 100).normalize(), lang)} %"
        whole = number == number.to_integral()
        if whole and abs(number) < 10000:
            return str(int(number))  # counts and years read better without grouping
        return format_number(number.normalize() if whole else number, lang)
    money_dim = currency_dim(currency)
    if t.dim == money_dim:
        return format_money(Money(number, currency), lang)
    per = t.dim / money_dim
    if all(int(str(power)) < 0 for _, power in per.items()):
        # money per something (KZT/year): scale the money, then name the per-unit
        unit = translator(lang.split("_", maxsplit=1)[0])(dim_text(1 / per))
        return f"{format_money(Money(number, currency), lang)}/{unit}"
    # a unit word clusterkit knows (points, person) in ``lang``; a declared one as written
    word = translator(lang.split("_", maxsplit=1)[0])(dim_text(t.dim))
    return f"{format_number(number, lang)} {word}"


def format_value(value: Any, t: Type | None, currency: str, lang: str = "en") -> str:
    """A value for people, in the unit its type gives it."""
    if value is None:
        return translator(lang)(N_("none"))
    if isinstance(value, Interval):
        middle = format_value((value.low + value.high) / 2, t, currency, lang)
        if value.low == value.high:
            return middle
        return f"{middle} ± {format_value((value.high - value.low) / 2, t, currency, lang)}"
    if isinstance(t, NumT) and isinstance(value, Decimal | int):
        return _number(Decimal(value), t, currency, lang)
    if isinstance(t, BoolT) or isinstance(value, bool):
        return translator(lang)(N_("yes") if value else N_("no"))
    if isinstance(t, DateT) or isinstance(value, dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, Decimal):
        return format_number(value, lang)
    if isinstance(value, list | tuple):
        return f"{len(value)} item(s)"
    if attrs.has(type(value)):
        return entity_key(value)
    return str(value)


def raw_text(value: Any) -> str:
    """An exact value as text: Decimals as written, intervals as ``[low, high]``."""
    if isinstance(value, Interval):
        return f"[{value.low}, {value.high}]"
    if isinstance(value, tuple):
        return "[" + ", ".join(raw_text(v) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | str | bool) or value is None:
        return str(value)
    return entity_key(value)


def entry_text(entry: TraceEntry, lang: str = "en") -> str:
    """A trace value for people (``33.6 mln KZT``, ``30 %``, ``6.45 points``)."""
    if entry.role == "total":
        points = translator(lang)(N_("points"))
        return f"{format_value(entry.exact, None, entry.currency, lang)} {points}"
    return format_value(entry.exact, entry.type, entry.currency, lang)


def outcome_text(outcome: Outcome, lang: str = "en") -> str:
    """An outcome's name in ``lang``."""
    return outcome.text(lang)
