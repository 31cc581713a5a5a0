"""The units domain data is stated in: currencies, percentages, counts, and scaled forms.

An indicator series is stated in a unit such as ``mln KZT``, ``mln USD``,
``person`` or ``mln KZT/person``; a published figure as a :class:`Measure` such as
``264.9 bn KZT`` or ``34 %``. The rules checker maps these units onto dimensions;
this module only reads and validates them.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from clusterkit.messages import msg
from clusterkit.money import MoneyError, check_currency, require_text
from clusterkit.numbers import (
    SCALE_NAMES,
    SCALES,
    NumberFormatError,
    format_plain,
    parse_scaled,
    quantum,
    scale_word,
    shift,
)

__all__ = ["COUNT_UNITS", "Measure", "Unit", "UnitError", "parse_unit"]

#: Units that count things. ``1`` is a bare number.
COUNT_UNITS = frozenset(
    {"1", "person", "product", "organisation", "project", "cluster", "application", "year"}
)
_ALIASES = {
    "": "1",
    "count": "1",
    "number": "1",
    "persons": "person",
    "people": "person",
    "products": "product",
    "percent": "%",
    "pct": "%",
    "projects": "project",
    "clusters": "cluster",
    "organisations": "organisation",
    "years": "year",
}


class UnitError(ValueError):
    """A unit is not one clusterkit knows."""


def _base(word: str) -> str:
    word = _ALIASES.get(word.strip().lower(), word.strip())
    if word in COUNT_UNITS or word == "%":
        return word
    try:
        return check_currency(word)
    except MoneyError:
        raise UnitError(
            msg(
                "unknown unit {word!r}: expected a currency code, %, or one of {units}",
                word=word,
                units=", ".join(sorted(COUNT_UNITS)),
            )
        ) from None


@attrs.frozen
class Unit:
    """A unit: an optional power-of-ten scale, a base unit, and an optional 'per' unit.

    Attributes:
        scale: the power of ten (6 for ``mln``).
        base: a currency code, ``%``, or a count unit.
        per: the unit it is divided by (``person``, ``year``), if any.
    """

    scale: int
    base: str
    per: str | None = None

    @property
    def is_money(self) -> bool:
        return self.base not in COUNT_UNITS and self.base != "%"

    def __str__(self) -> str:
        head = f"{SCALE_NAMES[self.scale]} {self.base}" if self.scale else self.base
        return f"{head}/{self.per}" if self.per else head


def parse_unit(text: str) -> Unit:
    """Parse ``"mln KZT"``, ``"person"``, ``"mln KZT/person"``, ``"KZT per year"``."""
    require_text(text, "parse_unit")
    raw = text.strip()
    per: str | None = None
    for separator in ("/", " per "):
        if separator in raw:
            raw, per_text = raw.split(separator, 1)
            per = _base(per_text)
            break
    words = raw.split()
    scale = 0
    if words and words[0].lower() in SCALES:
        scale = SCALES[words[0].lower()]
        words = words[1:]
    if len(words) > 1:
        raise UnitError(msg("unknown unit {text!r}", text=text))
    return Unit(scale, _base(words[0] if words else ""), per)


@attrs.frozen
class Measure:
    """A stated quantity: an exact value and its unit (scale folded into the value).

    ``Measure.parse("264.9 bn KZT")`` is ``Measure(Decimal("2.649E+11"), Unit(0, "KZT"))``;
    its :attr:`quantum` is 0.1 bn, the precision it was stated with.
    """

    value: Decimal
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Measure:
        try:
            value, rest = parse_scaled(text.replace("%", " %"))
        except NumberFormatError as exc:
            raise UnitError(str(exc)) from None
        unit = parse_unit(rest)
        return cls(shift(value, unit.scale), Unit(0, unit.base, unit.per))

    @property
    def quantum(self) -> Decimal:
        return quantum(self.value)

    def __str__(self) -> str:
        if self.unit.base == "%":
            return f"{format_plain(self.value)} %"
        scaled, word = scale_word(self.value) if self.unit.is_money else (self.value, "")
        number = format_plain(scaled)
        unit = "" if str(self.unit) == "1" else str(self.unit)
        return " ".join(part for part in (number, word, unit) if part)
