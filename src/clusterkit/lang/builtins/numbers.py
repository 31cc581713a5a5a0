"""Built-in functions on numbers and lists: growth, shares, rounding, extremes, counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterkit import codes
from clusterkit.lang import ast
from clusterkit.lang.builtins.base import (
    ROUNDING_MODES,
    Builtin,
    Emitter,
    inline,
    literal,
    rt_call,
)
from clusterkit.lang.types.units import DIMENSIONLESS, unit_dim
from clusterkit.lang.types.value_types import (
    ERR,
    BoolT,
    ListT,
    NumT,
    Type,
    nullable,
)
from clusterkit.messages import msg
from clusterkit.suggestions import did_you_mean

if TYPE_CHECKING:
    from clusterkit.lang.check.calls import CallChecks

__all__ = ["NUMBERS"]


def _emit_round(e: Emitter, node: ast.Call) -> str:
    mode = literal(node.args[2]) if len(node.args) == 3 else "half_up"
    return f"rt.rnd({e.arg(node.args[0])}, {e.arg(node.args[1])}, {e.const(mode)})"


def _emit_min_max(e: Emitter, node: ast.Call) -> str:
    return f"{node.func}({', '.join(e.arg(a) for a in node.args)})"


def _check_growth(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 2):
        return ERR
    common = c.same_dims(node, args)
    return ERR if common is None else NumT(DIMENSIONLESS, True, common.nullable)


def _check_cagr(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 3):
        return ERR
    first = c.same_dims(ast.Call(node.span, node.func, node.args[:2]), args[:2])
    if first is None or not c.expect(node.args[2], args[2], NumT, msg("a number of years")):
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
                msg("the rounding mode is one of: {modes}", modes=", ".join(ROUNDING_MODES)),
                did_you_mean(mode.value, ROUNDING_MODES)
                if isinstance(mode, ast.StringLit)
                else None,
            )
            return ERR
    first = args[0]
    return nullable(first, first.nullable) if isinstance(first, NumT) else ERR


def _check_abs(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 1) or not c.expect(node.args[0], args[0], NumT, msg("a number")):
        return ERR
    return args[0]


def _check_min_max(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if len(args) < 2:
        c.error(
            codes.ARITY,
            node.span,
            msg("{func} takes two or more numbers, or {func}(EXPR for x in LIST)", func=node.func),
        )
        return ERR
    common = c.same_dims(node, args)
    return ERR if common is None else common


def _check_count(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 1) or not c.expect(node.args[0], args[0], ListT, msg("a list")):
        return ERR
    return NumT()


def _check_contains(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 2) or not c.expect(node.args[0], args[0], ListT, msg("a list")):
        return ERR
    elem = args[0].elem if isinstance(args[0], ListT) else ERR
    if not c.comparable("=", node.args[1], args[1], node.args[0], elem):
        return ERR
    return BoolT(nullable=args[1].nullable)


def _check_years(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 1) or not c.expect(node.args[0], args[0], NumT, msg("a number")):
        return ERR
    return NumT(unit_dim("year"), nullable=args[0].nullable)


NUMBERS: tuple[Builtin, ...] = (
    Builtin(
        "count",
        "count(list) -> number",
        "how many items a list has",
        _check_count,
        inline("Decimal(len({0}))"),
    ),
    Builtin(
        "growth",
        "growth(from, to) -> percentage",
        "to / from - 1",
        _check_growth,
        rt_call("growth", what=True),
    ),
    Builtin(
        "share",
        "share(part, whole) -> percentage",
        "part / whole",
        _check_growth,
        rt_call("share", what=True),
    ),
    Builtin(
        "cagr",
        "cagr(from, to, years) -> percentage",
        "the compound annual growth rate",
        _check_cagr,
        rt_call("cagr", what=True),
    ),
    Builtin(
        "round",
        'round(value, step[, "mode"]) -> the value\'s unit',
        "the value rounded to a multiple of step (half_up unless a mode is named)",
        _check_round,
        _emit_round,
    ),
    Builtin("abs", "abs(number) -> number", "the absolute value", _check_abs, inline("abs({0})")),
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
        "contains",
        "contains(list, value) -> yes/no",
        "whether the list holds the value",
        _check_contains,
        inline("({1} in {0})"),
    ),
    Builtin(
        "years",
        "years(number) -> years",
        "a number of years, to multiply a yearly amount by",
        _check_years,
        inline("{0}"),
    ),
)
