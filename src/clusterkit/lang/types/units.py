"""Units and dimensions for the checker, by dimensional analysis.

Units are a compile-time concern. The checker gives every number a dimension (a
:class:`Dim` such as ``[KZT] / [time]``); the compiled program runs on
plain Decimals in base units (tenge, not millions of tenge; 0.30, not 30 %), so no
dimension is looked at during evaluation. Every currency is its own dimension, so
KZT never meets USD without an explicit ``convert``.

A dimension is a product of base dimensions with whole powers; that is all the
checker asks of dimensional analysis, so it is done here rather than with a units
library, whose import alone would cost every ``clusterkit check`` more than the check.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache

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


class Dim(Mapping[str, int]):
    """A dimension: base dimensions (``[KZT]``, ``[time]``) with whole powers, such as
    ``[KZT] / [time]``. Immutable and hashable; multiplying adds powers, dividing
    subtracts them, and a power that reaches zero is dropped."""

    __slots__ = ("_hash", "_powers")

    def __init__(self, powers: Mapping[str, int] | None = None) -> None:
        items = tuple(sorted((k, v) for k, v in (powers or {}).items() if v))
        self._powers: dict[str, int] = dict(items)
        self._hash = hash(items)

    def __getitem__(self, name: str) -> int:
        return self._powers[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._powers)

    def __len__(self) -> int:
        return len(self._powers)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Dim):
            return self._hash == other._hash and self._powers == other._powers
        return NotImplemented

    def _combine(self, other: Dim, sign: int) -> Dim:
        powers = dict(self._powers)
        for name, power in other._powers.items():
            powers[name] = powers.get(name, 0) + sign * power
        return Dim(powers)

    def __mul__(self, other: Dim) -> Dim:
        return self._combine(other, 1)

    def __truediv__(self, other: Dim) -> Dim:
        return self._combine(other, -1)

    def __rtruediv__(self, other: int) -> Dim:
        """``1 / dim``: the inverse."""
        if other != 1:
            return NotImplemented
        return DIMENSIONLESS._combine(self, -1)

    def __repr__(self) -> str:
        return f"Dim({self._powers!r})"

    def __reduce__(self) -> tuple[type[Dim], tuple[dict[str, int]]]:
        return (Dim, (self._powers,))


DIMENSIONLESS: Dim = Dim({})
#: The unit of a counter-obligation's own values: each obligation states its unit in
#: the data, so a rule may combine an obligation's values with one another only.
OBLIGATION: Dim = Dim({"[obligation unit]": 1})
#: Likewise for a raw indicator series value.
SERIES: Dim = Dim({"[series unit]": 1})
#: Durations: whole years, calendar months, days (a week is 7 days).
YEARS: Dim = Dim({"[time]": 1})
MONTHS: Dim = Dim({"[month]": 1})
DAYS: Dim = Dim({"[day]": 1})

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


# The base dimension of each unit with one of its own.
_BASE = {
    "year": "[time]",
    "month": "[month]",
    "day": "[day]",
    "person": "[person]",
    "point": "[point]",
}


@cache
def currency_dim(code: str) -> Dim:
    """The dimension of money in ``code`` (``[KZT]``)."""
    return Dim({f"[{code}]": 1})


#: Words for a number of days that are not ``day`` itself, with their factor.
_DAY_MULTIPLES = {"week": Decimal(7), "weeks": Decimal(7)}

#: Units a schema declares: groups of words for one unit, the first the unit's name.
Declared = tuple[tuple[str, ...], ...]


def _word_dim(word: str, declared: Declared = ()) -> tuple[Decimal, Dim]:
    for names in declared:
        if word in names:
            return Decimal(1), Dim({f"[{names[0]}]": 1})
    if word == "%":
        return Decimal("0.01"), DIMENSIONLESS
    lower = word.lower()
    if lower in _COUNT_WORDS:
        return Decimal(1), DIMENSIONLESS
    if lower in _DAY_MULTIPLES:
        return _DAY_MULTIPLES[lower], DAYS
    if lower in _OWN_DIMENSIONS:
        return Decimal(1), Dim({_BASE[_OWN_DIMENSIONS[lower]]: 1})
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
    for name, power in sorted(dim.items()):
        word = _DISPLAY.get(name, name.strip("[]"))
        text = word if abs(power) == 1 else f"{word}^{abs(power)}"
        (top if power > 0 else bottom).append(text)
    head = top[0] if len(top) == 1 else "·".join(top) or "1"
    return f"{head}/{'·'.join(bottom)}" if bottom else head


@cache
def data_unit(unit: DataUnit, declared: Declared = ()) -> tuple[Decimal, Dim]:
    """``(factor, dimension)`` of a unit stated in data (``mln KZT``, ``mln KZT/person``)."""
    return resolve_unit(unit.scale, unit.base, unit.per, declared)
