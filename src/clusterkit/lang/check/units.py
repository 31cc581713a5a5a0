"""Units and dimensions for the checker, by dimensional analysis with pint.

Units are a compile-time concern. The checker gives every number a dimension (a
pint ``UnitsContainer`` such as ``[KZT] / [time]``); the compiled program runs on
plain Decimals in base units (tenge, not millions of tenge; 0.30, not 30 %), so no
pint object exists at evaluation time. Every currency is its own dimension, so
KZT never meets USD without an explicit ``convert``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import pint
from pint.util import UnitsContainer

from clusterkit.messages import msg
from clusterkit.money import MoneyError, check_currency
from clusterkit.numbers import shift
from clusterkit.units import Unit as DataUnit

__all__ = [
    "DAYS",
    "DIMENSIONLESS",
    "MONTHS",
    "OBLIGATION",
    "SERIES",
    "YEARS",
    "Declared",
    "Dim",
    "UnitError",
    "currency_dim",
    "data_unit",
    "dim_text",
    "resolve_unit",
    "unit_dim",
]

Dim = UnitsContainer

DIMENSIONLESS: Dim = UnitsContainer({})
#: The unit of a counter-obligation's own values: each obligation states its unit in
#: the data, so a rule may combine an obligation's values with one another only.
OBLIGATION: Dim = UnitsContainer({"[obligation unit]": 1})
#: Likewise for a raw indicator series value.
SERIES: Dim = UnitsContainer({"[series unit]": 1})
#: Durations: whole years, calendar months, days (a week is 7 days).
YEARS: Dim = UnitsContainer({"[time]": 1})
MONTHS: Dim = UnitsContainer({"[month]": 1})
DAYS: Dim = UnitsContainer({"[day]": 1})

# Count words are dimensionless: "10 organisation" is the number 10.
_COUNT_WORDS = {
    "1",
    "organisation",
    "organisations",
    "company",
    "companies",
    "product",
    "products",
    "project",
    "projects",
    "cluster",
    "clusters",
    "application",
    "applications",
}
_OWN_DIMENSIONS = {
    "person": "person",
    "persons": "person",
    "people": "person",
    "employee": "person",
    "employees": "person",
    "year": "year",
    "years": "year",
    "month": "month",
    "months": "month",
    "day": "day",
    "days": "day",
    "point": "point",
    "points": "point",
}
_DISPLAY = {
    "[time]": "year",
    "[month]": "month",
    "[day]": "day",
    "[point]": "points",
    "[person]": "person",
    "[obligation unit]": msg("(the obligation's unit)"),
    "[series unit]": msg("(the series' unit)"),
}


class UnitError(ValueError):
    """A unit word is unknown."""


@cache
def _registry() -> pint.UnitRegistry[Any]:
    registry: pint.UnitRegistry[Any] = pint.UnitRegistry(None)
    registry.define("year = [time]")
    registry.define("month = [month]")
    registry.define("day = [day]")
    registry.define("person = [person]")
    registry.define("point = [point]")
    return registry


@cache
def currency_dim(code: str) -> Dim:
    """The dimension of money in ``code`` (``[KZT]``)."""
    registry = _registry()
    if code not in registry:
        registry.define(f"{code} = [{code}]")
    dim: Dim = registry.parse_units(code).dimensionality
    return dim


#: Words for a number of days that are not ``day`` itself, with their factor.
_DAY_MULTIPLES = {"week": Decimal(7), "weeks": Decimal(7)}

#: Units a schema declares: groups of words for one unit, the first the unit's name.
Declared = tuple[tuple[str, ...], ...]


def _word_dim(word: str, declared: Declared = ()) -> tuple[Decimal, Dim]:
    for names in declared:
        if word in names:
            return Decimal(1), UnitsContainer({f"[{names[0]}]": 1})
    if word == "%":
        return Decimal("0.01"), DIMENSIONLESS
    lower = word.lower()
    if lower in _COUNT_WORDS:
        return Decimal(1), DIMENSIONLESS
    if lower in _DAY_MULTIPLES:
        day: Dim = _registry().parse_units("day").dimensionality
        return _DAY_MULTIPLES[lower], day
    if lower in _OWN_DIMENSIONS:
        unit: Dim = _registry().parse_units(_OWN_DIMENSIONS[lower]).dimensionality
        return Decimal(1), unit
    if len(word) == 3 and word.isupper():
        try:
            return Decimal(1), currency_dim(check_currency(word))
        except MoneyError:
            pass
    raise UnitError(word)


def resolve_unit(
    scale: int, name: str, per: str | None, declared: Declared = ()
) -> tuple[Decimal, Dim]:
    """``(factor, dimension)`` of a written unit: ``mln KZT per year`` → ``(10**6, [KZT]/[time])``.

    ``declared`` are the units a schema declares. Raises :class:`UnitError` naming the
    unknown word.
    """
    factor, dim = _word_dim(name, declared)
    factor = shift(factor, scale)
    if per is not None:
        per_factor, per_dim = _word_dim(per, declared)
        factor, dim = factor / per_factor, dim / per_dim
    return factor, dim


@cache
def unit_dim(word: str) -> Dim:
    """The dimension of a unit word (``year``, ``points``, ``KZT``)."""
    return resolve_unit(0, word, None)[1]


def known_unit_words(declared: Declared = ()) -> list[str]:
    """Unit words the checker accepts besides currency codes, for suggestions."""
    return sorted({"%", *_COUNT_WORDS, *_OWN_DIMENSIONS, *_DAY_MULTIPLES, *sum(declared, ())})


def dim_text(dim: Dim) -> str:
    """A dimension as a person reads it: ``KZT/year``, ``a plain number``."""
    if dim == DIMENSIONLESS:
        return msg("a plain number")
    top: list[str] = []
    bottom: list[str] = []
    for name, raw_power in sorted(dim.items()):
        power = int(str(raw_power))
        word = _DISPLAY.get(name, name.strip("[]"))
        text = word if abs(power) == 1 else f"{word}^{abs(power)}"
        (top if power > 0 else bottom).append(text)
    head = top[0] if len(top) == 1 else "·".join(top) or "1"
    return f"{head}/{'·'.join(bottom)}" if bottom else head


@cache
def data_unit(unit: DataUnit, declared: Declared = ()) -> tuple[Decimal, Dim]:
    """``(factor, dimension)`` of a unit stated in data (``mln KZT``, ``mln KZT/person``)."""
    return resolve_unit(unit.scale, unit.base, unit.per, declared)
