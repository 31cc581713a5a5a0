"""The types the checker gives expressions."""

from __future__ import annotations

import attrs

from clusterkit.lang.units import DIMENSIONLESS, Dim, dim_text

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
    "TextT",
    "Type",
    "describe",
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
class ErrT:
    """The type of an expression that already has an error: it fits anywhere, so one
    mistake is reported once, not again by everything built on it."""

    nullable: bool = False


Type = NumT | BoolT | TextT | DateT | NoneT | EntityT | ListT | ErrT

ERR = ErrT()
BOOL = BoolT()
TEXT = TextT()
DATE = DateT()
NONE = NoneT()
RATIO = NumT(DIMENSIONLESS, percent=True)


def nullable(t: Type, value: bool = True) -> Type:
    """``t`` with its nullable flag set to ``value``."""
    return attrs.evolve(t, nullable=value)


def describe(t: Type) -> str:
    """A type as a policy author reads it: "money (KZT)", "a list of projects"."""
    if isinstance(t, NumT):
        if t.dim == DIMENSIONLESS:
            return "a percentage" if t.percent else "a plain number"
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
    return f"a list of {describe(t.elem).removeprefix('a ')}"
