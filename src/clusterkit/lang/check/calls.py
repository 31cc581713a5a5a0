"""Type checking of aggregates (``sum(... for x in ...)``, ``count(x in ... where ...)``)
and of calls of the built-in functions, whose own checks live in
:mod:`clusterkit.lang.builtins`; the helpers those checks use are here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterkit import codes
from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.builtins import BUILTINS
from clusterkit.lang.check.checked import Checked, FunctionInfo, Symbol
from clusterkit.lang.check.scope import Scope
from clusterkit.lang.types.units import dim_text
from clusterkit.lang.types.value_types import (
    BOOL,
    ERR,
    DateT,
    EntityT,
    ErrT,
    NumT,
    Type,
    describe,
    nullable,
)
from clusterkit.messages import join, msg
from clusterkit.suggestions import did_you_mean

__all__ = ["CallChecks"]


class CallChecks:
    """Aggregates, calls and the helpers of the built-in functions' checks; mixed into
    the expression checker."""

    #: Functions of the file not yet checked (a call to one is a call forward).
    later_functions: frozenset[str] = frozenset()

    if TYPE_CHECKING:
        result: Checked
        used: set[tuple[str, str]]
        reads: set[str] | None

        def expr(self, node: ast.Expr, scope: Scope) -> Type: ...
        def condition(self, node: ast.Expr, scope: Scope, what: str) -> None: ...
        def element_type(self, t: Type, span: Span) -> Type: ...
        def error(self, code: str, span: Span, message: str, hint: str | None = None) -> None: ...
        def comparable(self, op: str, a: ast.Expr, ta: Type, b: ast.Expr, tb: Type) -> bool: ...

    # -- aggregates and calls -----------------------------------------------------------
    def aggregate(self, node: ast.Aggregate, scope: Scope) -> Type:
        source = self.expr(node.source, scope)
        elem = self.element_type(source, node.source.span)
        inner = scope.child({node.var: Symbol("var", node.var, elem)})
        if node.where is not None:
            self.condition(node.where, inner, "'where'")
        if node.value is None:
            if node.func not in ("count", "any", "all"):
                self.error(
                    codes.AGGREGATE_FORM,
                    node.span,
                    msg(
                        "{func}(x in ...) is not a thing; use "
                        "count, any or all, or sum/min/max/average(EXPR for x in ...)",
                        func=node.func,
                    ),
                )
                return ERR
            if node.func == "count":
                return NumT()
            if node.where is None:
                self.error(
                    codes.AGGREGATE_FORM,
                    node.span,
                    msg("{func}(x in ... where CONDITION) needs its condition", func=node.func),
                )
            return BOOL
        if node.func not in ("sum", "min", "max", "average"):
            self.error(
                codes.AGGREGATE_FORM,
                node.span,
                msg(
                    "{func}(EXPR for x in ...) is not a thing; use "
                    "sum, min, max or average, or count/any/all(x in ... where ...)",
                    func=node.func,
                ),
            )
            return ERR
        value = self.expr(node.value, inner)
        if isinstance(value, ErrT):
            return ERR
        if isinstance(value, DateT) and node.func in ("min", "max"):
            return DateT(nullable=True)
        if not isinstance(value, NumT):
            what = msg("numbers or dates") if node.func in ("min", "max") else msg("numbers")
            self.error(
                codes.TYPE_ERROR,
                node.value.span,
                msg(
                    "{func} needs {what}, not {got}", func=node.func, what=what, got=describe(value)
                ),
            )
            return ERR
        return NumT(value.dim, value.percent, nullable=node.func != "sum")

    def call(self, node: ast.Call, scope: Scope) -> Type:
        args = [self.expr(a, scope) for a in node.args]
        if any(isinstance(a, ErrT) for a in args):
            return ERR
        builtin = BUILTINS.get(node.func)
        if builtin is not None:
            return builtin.check(self, node, args)
        function = self.result.functions.get(node.func)
        if function is not None:
            return self.user_call(node, function, args)
        if node.func in self.later_functions:
            self.error(
                codes.RECURSION,
                node.span,
                msg(
                    "{func!r} is defined after this point: a function can only call "
                    "functions defined before it, so none can call itself",
                    func=node.func,
                ),
            )
            return ERR
        self.error(
            codes.UNKNOWN_FUNCTION,
            node.span,
            msg("unknown function {func!r}", func=node.func),
            did_you_mean(node.func, [*BUILTINS, *self.result.functions]),
        )
        return ERR

    def user_call(self, node: ast.Call, function: FunctionInfo, args: list[Type]) -> Type:
        self.used.add((function.owner, f"function:{function.node.name}"))
        if self.reads is not None:
            self.reads |= self.result.uses.get(f"function:{function.node.name}", set())
        if len(args) != len(function.params):
            self.error(
                codes.ARITY,
                node.span,
                msg(
                    "{func} takes {want} argument(s), got {got}",
                    func=node.func,
                    want=len(function.params),
                    got=len(args),
                ),
            )
            return ERR
        ok = True
        for arg, t, (name, wanted) in zip(node.args, args, function.params, strict=True):
            if isinstance(wanted, NumT) and isinstance(t, NumT):
                if wanted.dim != t.dim and not (
                    isinstance(arg, ast.Number) and arg.unit is None and arg.value == 0
                ):
                    self.error(
                        codes.UNIT_COMPARE,
                        arg.span,
                        msg(
                            "{name} of {func} is {want}, not {got}",
                            name=name,
                            func=node.func,
                            want=describe(wanted),
                            got=describe(t),
                        ),
                    )
                    ok = False
            elif type(wanted) is not type(t) or (
                isinstance(wanted, EntityT) and isinstance(t, EntityT) and wanted.kind != t.kind
            ):
                self.error(
                    codes.TYPE_ERROR,
                    arg.span,
                    msg(
                        "{name} of {func} is {want}, not {got}",
                        name=name,
                        func=node.func,
                        want=describe(wanted),
                        got=describe(t),
                    ),
                )
                ok = False
        if not ok:
            return ERR
        return nullable(function.type, function.type.nullable or any(a.nullable for a in args))

    # -- helpers for the built-in functions' checks --------------------------------------
    def arity(self, node: ast.Call, args: list[Type], *counts: int) -> bool:
        if len(args) not in counts:
            want = join([str(c) for c in counts], msg(" or "))
            self.error(
                codes.ARITY,
                node.span,
                msg(
                    "{func} takes {want} argument(s), got {got}",
                    func=node.func,
                    want=want,
                    got=len(args),
                ),
            )
            return False
        return True

    def expect(self, node: ast.Expr, t: Type, want: type, what: str) -> bool:
        if not isinstance(t, want):
            self.error(
                codes.TYPE_ERROR,
                node.span,
                msg("expected {what}, got {got}", what=what, got=describe(t)),
            )
            return False
        return True

    def same_dims(self, node: ast.Call, args: list[Type]) -> NumT | None:
        """The common type of number arguments that must share a unit, or None."""
        for arg, t in zip(node.args, args, strict=True):
            if not self.expect(arg, t, NumT, msg("a number")):
                return None
        nums = [t for t in args if isinstance(t, NumT)]
        for arg, t in zip(node.args[1:], nums[1:], strict=True):
            if t.dim != nums[0].dim:
                self.error(
                    codes.UNIT_MIX,
                    arg.span,
                    msg(
                        "{func} needs numbers in one unit: {a} and {b}",
                        func=node.func,
                        a=dim_text(nums[0].dim),
                        b=dim_text(t.dim),
                    ),
                )
                return None
        return NumT(nums[0].dim, all(n.percent for n in nums), any(n.nullable for n in nums))
