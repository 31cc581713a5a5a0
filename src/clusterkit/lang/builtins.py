"""Type checks of the built-in functions (``indicator``, ``growth``, ``round``, ...).

A mixin of the checker: each ``fn_NAME`` method checks a call of ``NAME`` and gives
its type. Adding a function means a method here, code in the compiler, and a line
in docs/language.md.
"""

from __future__ import annotations

from decimal import Decimal

from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.checked import Checked, suggest
from clusterkit.lang.types import (
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
from clusterkit.lang.units import DIMENSIONLESS, Dim, currency_dim, dim_text, unit_dim
from clusterkit.money import MoneyError, check_currency

__all__ = ["ROUNDING_MODES", "BuiltinChecks", "function_names", "points_dim"]

ROUNDING_MODES = ("half_up", "half_even", "half_down", "up", "down", "ceiling", "floor")
_ERR = ERR


def points_dim() -> Dim:
    return unit_dim("points")


class BuiltinChecks:
    """The checks of built-in function calls; mixed into the file checker."""

    result: Checked

    def error(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        raise NotImplementedError

    def comparable(self, op: str, a: ast.Expr, ta: Type, b: ast.Expr, tb: Type) -> bool:
        raise NotImplementedError

    def arity(self, node: ast.Call, args: list[Type], *counts: int) -> bool:
        if len(args) not in counts:
            want = " or ".join(str(c) for c in counts)
            self.error("R213", node.span, f"{node.func} takes {want} argument(s), got {len(args)}")
            return False
        return True

    def expect(self, node: ast.Expr, t: Type, want: type, what: str) -> bool:
        if not isinstance(t, want):
            self.error("R301", node.span, f"expected {what}, got {describe(t)}")
            return False
        return True

    def indicator_args(self, node: ast.Call, args: list[Type]) -> tuple[Decimal, Dim] | None:
        if not self.arity(node, args, 3):
            return None
        if not (
            self.expect(node.args[0], args[0], EntityT, "a cluster")
            and self.expect(node.args[2], args[2], NumT, "a year")
        ):
            return None
        name = node.args[1]
        if not isinstance(name, ast.StringLit):
            self.error("R214", name.span, "the indicator is named by a quoted name here")
            return None
        declared = self.result.indicators.get(name.value)
        if declared is None:
            self.error(
                "R215",
                name.span,
                f"indicator {name.value!r} is not declared",
                suggest(name.value, self.result.indicators)
                or f"declare it: indicator {name.value} in KZT",
            )
            return None
        return declared

    def fn_indicator(self, node: ast.Call, args: list[Type]) -> Type:
        declared = self.indicator_args(node, args)
        return _ERR if declared is None else NumT(declared[1], nullable=True)

    def fn_attributed(self, node: ast.Call, args: list[Type]) -> Type:
        return self.fn_indicator(node, args)

    def fn_attributed_percent(self, node: ast.Call, args: list[Type]) -> Type:
        return _ERR if self.indicator_args(node, args) is None else nullable(RATIO)

    def fn_stated_effect(self, node: ast.Call, args: list[Type]) -> Type:
        return self.fn_attributed_percent(node, args)

    def same_dims(self, node: ast.Call, args: list[Type]) -> NumT | None:
        for arg, t in zip(node.args, args, strict=True):
            if not self.expect(arg, t, NumT, "a number"):
                return None
        nums = [t for t in args if isinstance(t, NumT)]
        for arg, t in zip(node.args[1:], nums[1:], strict=True):
            if t.dim != nums[0].dim:
                self.error(
                    "R303",
                    arg.span,
                    f"{node.func} needs numbers in one unit: "
                    f"{dim_text(nums[0].dim)} and {dim_text(t.dim)}",
                )
                return None
        return NumT(nums[0].dim, all(n.percent for n in nums), any(n.nullable for n in nums))

    def fn_growth(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 2):
            return _ERR
        common = self.same_dims(node, args)
        return _ERR if common is None else NumT(DIMENSIONLESS, True, common.nullable)

    def fn_share(self, node: ast.Call, args: list[Type]) -> Type:
        return self.fn_growth(node, args)

    def fn_cagr(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 3):
            return _ERR
        first = self.same_dims(ast.Call(node.span, node.func, node.args[:2]), args[:2])
        if first is None or not self.expect(node.args[2], args[2], NumT, "a number of years"):
            return _ERR
        return NumT(DIMENSIONLESS, True, first.nullable or args[2].nullable)

    def fn_round(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 2, 3):
            return _ERR
        common = self.same_dims(ast.Call(node.span, node.func, node.args[:2]), args[:2])
        if common is None:
            return _ERR
        if len(node.args) == 3:
            mode = node.args[2]
            if not isinstance(mode, ast.StringLit) or mode.value not in ROUNDING_MODES:
                self.error(
                    "R216",
                    mode.span,
                    "the rounding mode is one of: " + ", ".join(ROUNDING_MODES),
                    suggest(mode.value, ROUNDING_MODES)
                    if isinstance(mode, ast.StringLit)
                    else None,
                )
                return _ERR
        first = args[0]
        return nullable(first, first.nullable) if isinstance(first, NumT) else _ERR

    def fn_abs(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 1) or not self.expect(
            node.args[0], args[0], NumT, "a number"
        ):
            return _ERR
        return args[0]

    def fn_min(self, node: ast.Call, args: list[Type]) -> Type:
        if len(args) < 2:
            self.error(
                "R213",
                node.span,
                f"{node.func} takes two or more numbers, or {node.func}(EXPR for x in LIST)",
            )
            return _ERR
        common = self.same_dims(node, args)
        return _ERR if common is None else common

    def fn_max(self, node: ast.Call, args: list[Type]) -> Type:
        return self.fn_min(node, args)

    def fn_count(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 1) or not self.expect(node.args[0], args[0], ListT, "a list"):
            return _ERR
        return NumT()

    def fn_contains(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 2) or not self.expect(node.args[0], args[0], ListT, "a list"):
            return _ERR
        elem = args[0].elem if isinstance(args[0], ListT) else _ERR
        if not self.comparable("=", node.args[1], args[1], node.args[0], elem):
            return _ERR
        return BoolT(nullable=args[1].nullable)

    def fn_points(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 2):
            return _ERR
        if not (
            self.expect(node.args[0], args[0], EntityT, "an application")
            and self.expect(node.args[1], args[1], TextT, "a criterion's name")
        ):
            return _ERR
        return NumT(points_dim(), nullable=True)

    def fn_holds_label(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 2):
            return _ERR
        if not (
            self.expect(node.args[0], args[0], EntityT, "a cluster")
            and self.expect(node.args[1], args[1], TextT, "a label's name")
        ):
            return _ERR
        return BoolT(nullable=True)

    def fn_date(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 3):
            return _ERR
        for arg, t in zip(node.args, args, strict=True):
            if not self.expect(arg, t, NumT, "a whole number"):
                return _ERR
        return DateT(nullable=any(a.nullable for a in args))

    def fn_year(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 1) or not self.expect(node.args[0], args[0], DateT, "a date"):
            return _ERR
        return NumT(nullable=args[0].nullable)

    def fn_end_of_year(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 1) or not self.expect(node.args[0], args[0], NumT, "a year"):
            return _ERR
        return DateT(nullable=args[0].nullable)

    def fn_years(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 1) or not self.expect(
            node.args[0], args[0], NumT, "a number"
        ):
            return _ERR
        return NumT(unit_dim("year"), nullable=args[0].nullable)

    def fn_convert(self, node: ast.Call, args: list[Type]) -> Type:
        if not self.arity(node, args, 3):
            return _ERR
        if not (
            self.expect(node.args[0], args[0], NumT, "money")
            and self.expect(node.args[2], args[2], DateT, "the date of the rate")
        ):
            return _ERR
        target = node.args[1]
        if not isinstance(target, ast.StringLit):
            self.error("R214", target.span, 'the target currency is a quoted code such as "USD"')
            return _ERR
        try:
            code = check_currency(target.value)
        except MoneyError:
            self.error("R207", target.span, f"unknown currency {target.value!r}")
            return _ERR
        source = args[0]
        if isinstance(source, NumT) and source.dim != currency_dim(self.result.currency):
            self.error(
                "R302",
                node.args[0].span,
                f"convert takes money in {self.result.currency}, "
                f"the rulebook's currency, not {describe(source)}",
            )
            return _ERR
        return NumT(currency_dim(code), nullable=True)


def function_names() -> list[str]:
    """Every built-in function's name."""
    return sorted(name[3:] for name in dir(BuiltinChecks) if name.startswith("fn_"))
