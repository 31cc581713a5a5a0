"""Expression nodes of the rules language's syntax tree, and units as written."""

from __future__ import annotations

import datetime as dt
import typing
from decimal import Decimal

import attrs

from clusterkit.diagnostics import Span
from clusterkit.numbers import SCALE_NAMES

__all__ = [
    "EXPRESSION_NODES",
    "Aggregate",
    "Binary",
    "BoolLit",
    "Call",
    "Compare",
    "DateLit",
    "Dated",
    "Expr",
    "Field",
    "If",
    "Index",
    "IsNone",
    "ListLit",
    "Member",
    "Name",
    "NoneLit",
    "Number",
    "StringLit",
    "TableLit",
    "Unary",
    "UnitSpec",
]


@attrs.frozen
class UnitSpec:
    """A unit as written: ``%``, ``mln KZT``, ``KZT per year``, ``points``.

    Attributes:
        scale: power of ten of the scale word (6 for ``mln``), 0 if none.
        name: the unit word (``KZT``, ``person``, ``%``).
        per: the unit it is divided by, if any.
    """

    span: Span
    scale: int
    name: str
    per: str | None = None

    def __str__(self) -> str:
        head = f"{SCALE_NAMES[self.scale]} {self.name}" if self.scale else self.name
        return f"{head} per {self.per}" if self.per else head


# -- expressions --------------------------------------------------------------------


@attrs.frozen
class Number:
    span: Span
    value: Decimal
    unit: UnitSpec | None = None


@attrs.frozen
class StringLit:
    span: Span
    value: str


@attrs.frozen
class DateLit:
    span: Span
    value: dt.date


@attrs.frozen
class BoolLit:
    span: Span
    value: bool


@attrs.frozen
class NoneLit:
    span: Span


@attrs.frozen
class Name:
    span: Span
    id: str


@attrs.frozen
class Field:
    span: Span
    obj: Expr
    name: str


@attrs.frozen
class Call:
    span: Span
    func: str
    args: tuple[Expr, ...]


@attrs.frozen
class Aggregate:
    """``sum(x.amount for x in xs where ...)`` or ``count(x in xs where ...)``.

    Attributes:
        value: the mapped expression; None for count/any/all forms.
    """

    span: Span
    func: str
    var: str
    source: Expr
    where: Expr | None
    value: Expr | None


@attrs.frozen
class Unary:
    span: Span
    op: str  # "-" or "not"
    operand: Expr


@attrs.frozen
class Binary:
    span: Span
    op: str  # + - * / and or
    left: Expr
    right: Expr


@attrs.frozen
class Compare:
    """A comparison, possibly chained: ``70 % <= x < 90 %``."""

    span: Span
    operands: tuple[Expr, ...]
    ops: tuple[str, ...]


@attrs.frozen
class IsNone:
    span: Span
    operand: Expr
    negated: bool


@attrs.frozen
class Member:
    """``x in LIST`` or ``x not in LIST``: the list is written out or is any list value."""

    span: Span
    operand: Expr
    container: Expr
    negated: bool


@attrs.frozen
class ListLit:
    span: Span
    items: tuple[Expr, ...]


@attrs.frozen
class If:
    span: Span
    cond: Expr
    then: Expr
    else_: Expr


@attrs.frozen
class TableLit:
    """``{"bronze": 24 months, "gold": 24 months}``: a table from keys to values."""

    span: Span
    entries: tuple[tuple[Expr, Expr], ...]


@attrs.frozen
class Index:
    """``table[key]``: the value a table gives a key."""

    span: Span
    obj: Expr
    key: Expr


@attrs.frozen
class Dated:
    """``param as of DATE``: a dated parameter's value on a date other than the as-of date."""

    span: Span
    name: str
    date: Expr


Expr = (
    Number
    | StringLit
    | DateLit
    | BoolLit
    | NoneLit
    | Name
    | Field
    | Call
    | Aggregate
    | Unary
    | Binary
    | Compare
    | IsNone
    | Member
    | ListLit
    | If
    | TableLit
    | Index
    | Dated
)
#: Every expression node class, for visitors.
EXPRESSION_NODES: tuple[type, ...] = typing.get_args(Expr)
