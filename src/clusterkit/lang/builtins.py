"""The built-in functions, in one table: for each, how a call is type-checked, how it
is compiled (the code it emits, which calls the runtime's implementation), and a line
for the language reference.

Adding a function means one :class:`Builtin` entry here, its implementation in
:mod:`clusterkit.lang.runtime`, and a line in docs/language.md.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

import attrs

from clusterkit import codes
from clusterkit.lang import ast
from clusterkit.lang.check.types import (
    ERR,
    RATIO,
    BoolT,
    DateT,
    EntityT,
    ListT,
    NumT,
    TextT,
    Type,
    describe,
    nullable,
)
from clusterkit.lang.check.units import DIMENSIONLESS, Dim, currency_dim, unit_dim
from clusterkit.money import MoneyError, check_currency
from clusterkit.suggestions import did_you_mean

if TYPE_CHECKING:
    from clusterkit.lang.check.calls import CallChecks

__all__ = ["BUILTINS", "ROUNDING_MODES", "Builtin", "Emitter", "points_dim"]

ROUNDING_MODES = ("half_up", "half_even", "half_down", "up", "down", "ceiling", "floor")


def points_dim() -> Dim:
    return unit_dim("points")


class Emitter(Protocol):
    """What the compiler offers a built-in's code emission."""

    def arg(self, node: ast.Expr) -> str:
        """Code for an argument's value (missing data raises ``Missing``)."""

    def const(self, value: object) -> str:
        """Code for a constant (an entry of the constants table)."""

    def source(self, node: ast.Expr) -> str:
        """The rule text of a node, for messages."""

    def indicator_dim(self, name: str) -> Dim:
        """The declared unit's dimension of an indicator."""


Check = Callable[["CallChecks", ast.Call, list[Type]], Type]
Emit = Callable[[Emitter, ast.Call], str]


@attrs.frozen
class Builtin:
    """A built-in function.

    Attributes:
        name: what rules call it.
        signature: its arguments and result, for the reference and editor hover.
        doc: one line saying what it gives.
        check: types a call, reporting misuse; gives the result's type.
        emit: the code of a call, which calls the runtime's implementation.
    """

    name: str
    signature: str
    doc: str
    check: Check
    emit: Emit


# -- code emission ----------------------------------------------------------------------------


def _rt(name: str, *, ctx: bool = False, what: bool = False) -> Emit:
    """Emit ``rt.NAME([ctx, ]args...[, 'call text'])``."""

    def emit(e: Emitter, node: ast.Call) -> str:
        parts = ["ctx"] if ctx else []
        parts.extend(e.arg(a) for a in node.args)
        if what:
            parts.append(e.const(e.source(node)))
        return f"rt.{name}({', '.join(parts)})"

    return emit


def _literal(node: ast.Expr) -> str:
    return node.value if isinstance(node, ast.StringLit) else ""


def _series(name: str) -> Emit:
    """``NAME(cluster, "indicator", year)``: the indicator's name and unit are constants."""

    def emit(e: Emitter, node: ast.Call) -> str:
        cluster, indicator, year = node.args
        dim = e.indicator_dim(_literal(indicator))
        return (
            f"rt.{name}(ctx, {e.arg(cluster)}, {e.arg(year)}, "
            f"{e.const(_literal(indicator))}, {e.const(dim)})"
        )

    return emit


def _emit_round(e: Emitter, node: ast.Call) -> str:
    mode = _literal(node.args[2]) if len(node.args) == 3 else "half_up"
    return f"rt.rnd({e.arg(node.args[0])}, {e.arg(node.args[1])}, {e.const(mode)})"


def _emit_convert(e: Emitter, node: ast.Call) -> str:
    amount, code, day = node.args
    return f"rt.convert(ctx, {e.arg(amount)}, {e.arg(day)}, {e.const(_literal(code).upper())})"


def _inline(template: str) -> Emit:
    """Emit Python that needs no runtime call, ``{0}``, ``{1}`` being the arguments."""

    def emit(e: Emitter, node: ast.Call) -> str:
        return template.format(*(e.arg(a) for a in node.args))

    return emit


def _emit_min_max(e: Emitter, node: ast.Call) -> str:
    return f"{node.func}({', '.join(e.arg(a) for a in node.args)})"


# -- type checks ------------------------------------------------------------------------------


def _indicator_args(c: CallChecks, node: ast.Call, args: list[Type]) -> tuple[Decimal, Dim] | None:
    if not c.arity(node, args, 3):
        return None
    if not (
        c.expect(node.args[0], args[0], EntityT, "a cluster")
        and c.expect(node.args[2], args[2], NumT, "a year")
    ):
        return None
    name = node.args[1]
    if not isinstance(name, ast.StringLit):
        c.error(codes.LITERAL_ARGUMENT, name.span, "the indicator is named by a quoted name here")
        return None
    declared = c.result.indicators.get(name.value)
    if declared is None:
        c.error(
            codes.UNDECLARED_INDICATOR,
            name.span,
            f"indicator {name.value!r} is not declared",
            did_you_mean(name.value, c.result.indicators)
            or f"declare it: indicator {name.value} in KZT",
        )
        return None
    return declared


def _check_indicator(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    declared = _indicator_args(c, node, args)
    return ERR if declared is None else NumT(declared[1], nullable=True)


def _check_indicator_percent(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    return ERR if _indicator_args(c, node, args) is None else nullable(RATIO)


def _check_growth(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 2):
        return ERR
    common = c.same_dims(node, args)
    return ERR if common is None else NumT(DIMENSIONLESS, True, common.nullable)


def _check_cagr(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 3):
        return ERR
    first = c.same_dims(ast.Call(node.span, node.func, node.args[:2]), args[:2])
    if first is None or not c.expect(node.args[2], args[2], NumT, "a number of years"):
        return ERR
    return NumT(DIMENSIONLESS, True, first.nullable or args[2].nullable)


def _check_round(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 2, 3):
        return ERR
    common = c.same_dims(ast.Call(node.span, node.func, node.args[:2]), args[:2])
    if common is None:
        return ERR
    if len(node.args) == 3:
        mode = node.args[2]
        if not isinstance(mode, ast.StringLit) or mode.value not in ROUNDING_MODES:
            c.error(
                codes.ROUNDING_MODE,
                mode.span,
                "the rounding mode is one of: " + ", ".join(ROUNDING_MODES),
                did_you_mean(mode.value, ROUNDING_MODES)
                if isinstance(mode, ast.StringLit)
                else None,
            )
            return ERR
    first = args[0]
    return nullable(first, first.nullable) if isinstance(first, NumT) else ERR


def _check_abs(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 1) or not c.expect(node.args[0], args[0], NumT, "a number"):
        return ERR
    return args[0]


def _check_min_max(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if len(args) < 2:
        c.error(
            codes.ARITY,
            node.span,
            f"{node.func} takes two or more numbers, or {node.func}(EXPR for x in LIST)",
        )
        return ERR
    common = c.same_dims(node, args)
    return ERR if common is None else common


def _check_count(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 1) or not c.expect(node.args[0], args[0], ListT, "a list"):
        return ERR
    return NumT()


def _check_contains(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 2) or not c.expect(node.args[0], args[0], ListT, "a list"):
        return ERR
    elem = args[0].elem if isinstance(args[0], ListT) else ERR
    if not c.comparable("=", node.args[1], args[1], node.args[0], elem):
        return ERR
    return BoolT(nullable=args[1].nullable)


def _check_points(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 2):
        return ERR
    if not (
        c.expect(node.args[0], args[0], EntityT, "an application")
        and c.expect(node.args[1], args[1], TextT, "a criterion's name")
    ):
        return ERR
    return NumT(points_dim(), nullable=True)


def _check_holds_label(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 2):
        return ERR
    if not (
        c.expect(node.args[0], args[0], EntityT, "a cluster")
        and c.expect(node.args[1], args[1], TextT, "a label's name")
    ):
        return ERR
    return BoolT(nullable=True)


def _check_date(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 3):
        return ERR
    for arg, t in zip(node.args, args, strict=True):
        if not c.expect(arg, t, NumT, "a whole number"):
            return ERR
    return DateT(nullable=any(a.nullable for a in args))


def _check_year(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 1) or not c.expect(node.args[0], args[0], DateT, "a date"):
        return ERR
    return NumT(nullable=args[0].nullable)


def _check_end_of_year(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 1) or not c.expect(node.args[0], args[0], NumT, "a year"):
        return ERR
    return DateT(nullable=args[0].nullable)


def _check_years(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 1) or not c.expect(node.args[0], args[0], NumT, "a number"):
        return ERR
    return NumT(unit_dim("year"), nullable=args[0].nullable)


def _check_convert(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 3):
        return ERR
    if not (
        c.expect(node.args[0], args[0], NumT, "money")
        and c.expect(node.args[2], args[2], DateT, "the date of the rate")
    ):
        return ERR
    target = node.args[1]
    if not isinstance(target, ast.StringLit):
        c.error(
            codes.LITERAL_ARGUMENT,
            target.span,
            'the target currency is a quoted code such as "USD"',
        )
        return ERR
    try:
        code = check_currency(target.value)
    except MoneyError:
        c.error(codes.UNKNOWN_CURRENCY, target.span, f"unknown currency {target.value!r}")
        return ERR
    source = args[0]
    if isinstance(source, NumT) and source.dim != currency_dim(c.result.currency):
        c.error(
            codes.UNIT_ROLE,
            node.args[0].span,
            f"convert takes money in {c.result.currency}, "
            f"the rulebook's currency, not {describe(source)}",
        )
        return ERR
    return NumT(currency_dim(code), nullable=True)


_TABLE = (
    Builtin(
        "indicator",
        'indicator(cluster, "name", year) -> number in the declared unit',
        "a declared indicator's value for a cluster and year, from its series",
        _check_indicator,
        _series("indicator"),
    ),
    Builtin(
        "attributed",
        'attributed(cluster, "name", year) -> number in the declared unit',
        "the part of an indicator's value the source attributes to the cluster's projects",
        _check_indicator,
        _series("attributed"),
    ),
    Builtin(
        "attributed_percent",
        'attributed_percent(cluster, "name", year) -> percentage',
        "the share of an indicator's change attributed to the projects, as stated",
        _check_indicator_percent,
        _series("attributed_percent"),
    ),
    Builtin(
        "stated_effect",
        'stated_effect(cluster, "name", year) -> percentage',
        "the effect on an indicator the source states",
        _check_indicator_percent,
        _series("stated_effect"),
    ),
    Builtin(
        "growth",
        "growth(from, to) -> percentage",
        "to / from - 1",
        _check_growth,
        _rt("growth", what=True),
    ),
    Builtin(
        "share",
        "share(part, whole) -> percentage",
        "part / whole",
        _check_growth,
        _rt("share", what=True),
    ),
    Builtin(
        "cagr",
        "cagr(from, to, years) -> percentage",
        "the compound annual growth rate",
        _check_cagr,
        _rt("cagr", what=True),
    ),
    Builtin(
        "round",
        'round(value, step[, "mode"]) -> the value\'s unit',
        "the value rounded to a multiple of step (half_up unless a mode is named)",
        _check_round,
        _emit_round,
    ),
    Builtin("abs", "abs(number) -> number", "the absolute value", _check_abs, _inline("abs({0})")),
    Builtin(
        "min",
        "min(a, b, ...) -> number",
        "the smallest of the numbers",
        _check_min_max,
        _emit_min_max,
    ),
    Builtin(
        "max",
        "max(a, b, ...) -> number",
        "the largest of the numbers",
        _check_min_max,
        _emit_min_max,
    ),
    Builtin(
        "count",
        "count(list) -> number",
        "how many items a list has",
        _check_count,
        _inline("Decimal(len({0}))"),
    ),
    Builtin(
        "contains",
        "contains(list, value) -> yes/no",
        "whether the list holds the value",
        _check_contains,
        _inline("({1} in {0})"),
    ),
    Builtin(
        "points",
        'points(application, "criterion") -> points',
        "the points an application was given for a criterion",
        _check_points,
        _rt("points"),
    ),
    Builtin(
        "holds_label",
        'holds_label(cluster, "label") -> yes/no',
        "whether the cluster holds the label on the as-of date (none when the dates do not tell)",
        _check_holds_label,
        _rt("holds_label", ctx=True),
    ),
    Builtin(
        "date",
        "date(year, month, day) -> date",
        "the date (undetermined if it does not exist)",
        _check_date,
        _rt("make_date"),
    ),
    Builtin(
        "year",
        "year(date) -> number",
        "the date's year",
        _check_year,
        _inline("Decimal({0}.year)"),
    ),
    Builtin(
        "end_of_year",
        "end_of_year(year) -> date",
        "31 December of the year",
        _check_end_of_year,
        _rt("end_of_year"),
    ),
    Builtin(
        "years",
        "years(number) -> years",
        "a number of years, to multiply a yearly amount by",
        _check_years,
        _inline("{0}"),
    ),
    Builtin(
        "convert",
        'convert(amount, "CODE", date) -> money in CODE',
        "the amount in another currency at the dataset's rate on or before the date",
        _check_convert,
        _emit_convert,
    ),
)

#: Every built-in function by name.
BUILTINS: dict[str, Builtin] = {b.name: b for b in _TABLE}
