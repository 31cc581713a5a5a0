"""The types the checker gives expressions."""

from __future__ import annotations

import attrs

from clusterkit.lang.check.units import DAYS, DIMENSIONLESS, MONTHS, YEARS, Dim, dim_text, unit_dim

__all__ = [
    "BOOL",
    "DATE",
    "ERR",
    "NONE",
    "RATIO",
    "TEXT",
    "BoolT",
    "DateT",
    "EntityT",
    "ErrT",
    "ListT",
    "NoneT",
    "NumT",
    "TableT",
    "TextT",
    "Type",
    "compare_message",
    "describe",
    "is_money",
    "mix_hint",
    "mix_message",
    "nullable",
]


@attrs.frozen
class NumT:
    """A number of a dimension.

    Attributes:
        dim: the dimension (``[KZT]``, dimensionless, ...).
        percent: shown as a percentage (a ratio, a share, a growth).
        nullable: may be missing in the data.
    """

    dim: Dim = DIMENSIONLESS
    percent: bool = False
    nullable: bool = False


@attrs.frozen
class BoolT:
    nullable: bool = False


@attrs.frozen
class TextT:
    """Text; ``choices`` lists the allowed values of an enumeration field."""

    choices: frozenset[str] | None = None
    nullable: bool = False


@attrs.frozen
class DateT:
    nullable: bool = False


@attrs.frozen
class NoneT:
    nullable: bool = True


@attrs.frozen
class EntityT:
    """An entity of the domain model: ``cluster``, ``project``, ..."""

    kind: str
    nullable: bool = False


@attrs.frozen
class ListT:
    elem: Type
    nullable: bool = False


@attrs.frozen
class TableT:
    """A table from keys to values: ``{"bronze": 24 months, "gold": 24 months}``."""

    key: Type
    value: Type
    nullable: bool = False


@attrs.frozen
class ErrT:
    """The type of an expression that already has an error: it fits anywhere, so one
    mistake is reported once, not again by everything built on it."""

    nullable: bool = False


Type = NumT | BoolT | TextT | DateT | NoneT | EntityT | ListT | TableT | ErrT

_DURATIONS = {YEARS: "years", MONTHS: "months", DAYS: "days"}

ERR = ErrT()
BOOL = BoolT()
TEXT = TextT()
DATE = DateT()
NONE = NoneT()
RATIO = NumT(DIMENSIONLESS, percent=True)


def nullable(t: Type, value: bool = True) -> Type:
    """``t`` with its nullable flag set to ``value``."""
    if t.nullable is value:
        return t  # types are frozen: the same one serves
    return attrs.evolve(t, nullable=value)


def describe(t: Type) -> str:
    """A type as a policy author reads it: "money (KZT)", "a list of projects"."""
    if isinstance(t, NumT):
        if t.dim == DIMENSIONLESS:
            return "a percentage" if t.percent else "a plain number"
        if t.dim in _DURATIONS:
            return f"a number of {_DURATIONS[t.dim]}"
        return f"a number in {dim_text(t.dim)}"
    if isinstance(t, BoolT):
        return "yes/no"
    if isinstance(t, TextT):
        return "text"
    if isinstance(t, DateT):
        return "a date"
    if isinstance(t, NoneT):
        return "none"
    if isinstance(t, EntityT):
        return f"a {t.kind}"
    if isinstance(t, ErrT):
        return "(invalid)"
    if isinstance(t, TableT):
        key, value = describe(t.key), describe(t.value).removeprefix("a ")
        return f"a table from {key.removeprefix('a ')} to {value}"
    return f"a list of {describe(t.elem).removeprefix('a ')}"


def is_money(t: Type) -> bool:
    """Is ``t`` an amount of money, plain or per something (``KZT``, ``KZT/year``)?"""
    return isinstance(t, NumT) and any(
        name.strip("[]").isupper() and len(name.strip("[]")) == 3 for name in t.dim
    )


def _currency(t: NumT) -> bool:
    """Is ``t`` plain money in one currency (not money per year)?"""
    items = list(t.dim.items())
    return len(items) == 1 and is_money(t) and int(str(items[0][1])) == 1


def mix_message(op: str, left: NumT, right: NumT) -> str:
    verb = "add" if op == "+" else "subtract"
    if is_money(left) != is_money(right) and DIMENSIONLESS in (left.dim, right.dim):
        ratio = "a percentage" if (left.percent or right.percent) else "a plain number"
        return f"cannot {verb} money and {ratio}"
    return f"cannot {verb} {dim_text(left.dim)} and {dim_text(right.dim)}"


def compare_message(left: NumT, right: NumT) -> str:
    if is_money(left) and is_money(right):
        return f"cannot compare {dim_text(left.dim)} with {dim_text(right.dim)}"
    if is_money(left) != is_money(right) and DIMENSIONLESS in (left.dim, right.dim):
        return (
            "a ratio used as money: one side is money, the other "
            f"{'a percentage' if (left.percent or right.percent) else 'a plain number'}"
        )
    return f"cannot compare {describe(left)} with {describe(right)}"


def mix_hint(left: NumT, right: NumT) -> str | None:
    if _currency(left) and _currency(right):
        return 'convert one side with convert(AMOUNT, "CODE", DATE)'
    if is_money(left) != is_money(right) and DIMENSIONLESS in (left.dim, right.dim):
        return "multiply the percentage by an amount, e.g. 30 % * p.budget"
    per_year = unit_dim("year")
    if left.dim == right.dim * per_year or right.dim == left.dim * per_year:
        return "multiply a yearly amount by a number of years, e.g. cap * years(5)"
    return None
