"""Compiling ``within precision`` comparisons: code for the interval of values an
expression can have, given the precision each figure it reads is stated to.

A mixin of the compiler's generator: it reuses the generator's point-value code for
whatever is not arithmetic on figures.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from clusterkit.lang import ast
from clusterkit.lang.check.checked import Checked
from clusterkit.lang.runtime.intervals import Interval
from clusterkit.lang.types.value_types import NumT, Type

__all__ = ["PrecisionCode"]

_ARITH = {"+", "-", "*", "/"}
#: Built-in functions that read a stated figure from the data.
_READS_FIGURES = {"indicator", "attributed", "attributed_percent", "stated_effect", "points"}


class PrecisionCode:
    """Interval code for ``within precision``; mixed into the code generator."""

    if TYPE_CHECKING:
        checked: Checked

        def code(self, node: ast.Expr, env: dict[str, str]) -> str: ...
        def val(self, node: ast.Expr, env: dict[str, str]) -> str: ...
        def iterable(self, node: ast.Expr, env: dict[str, str]) -> str: ...
        def const(self, value: object) -> str: ...
        def source(self, node: ast.Expr) -> str: ...
        def fresh(self, prefix: str) -> str: ...
        def type(self, node: ast.Expr) -> Type: ...

    def ival(self, node: ast.Expr, env: dict[str, str], lets: dict[str, ast.Let]) -> str:
        """Code for the interval of values an expression can have, given the stated
        precision of the data it reads."""
        if isinstance(node, ast.Number):
            return self.exact_const(self.checked.literals[id(node)])
        if isinstance(node, ast.Name):
            symbol = self.checked.names[id(node)]
            if symbol.kind == "let":
                return self.ival(lets[node.id].expr, env, lets)
            if symbol.kind == "const":
                return self.exact_const(self.checked.const_values[node.id])
            return f"rt.ival({self.val(node, env)})"
        if isinstance(node, ast.Unary) and node.op == "-":
            return f"rt.ineg({self.ival(node.operand, env, lets)})"
        if isinstance(node, ast.Binary) and node.op in _ARITH:
            a, b = self.ival(node.left, env, lets), self.ival(node.right, env, lets)
            if node.op == "/":
                return f"rt.idiv({a}, {b}, {self.const(self.source(node.right))})"
            fn = {"+": "iadd", "-": "isub", "*": "imul"}[node.op]
            return f"rt.{fn}({a}, {b})"
        if isinstance(node, ast.Aggregate) and node.value is not None and node.func == "sum":
            var = self.fresh("V")
            inner = {**env, node.var: var}
            source = self.iterable(node.source, env)
            cond = f" if {self.val(node.where, inner)}" if node.where is not None else ""
            return f"rt.itotal({self.ival(node.value, inner, lets)} for {var} in {source}{cond})"
        if isinstance(node, ast.Call) and node.func in ("growth", "share"):
            a, b = self.ival(node.args[0], env, lets), self.ival(node.args[1], env, lets)
            what = self.const(self.source(node))
            if node.func == "growth":
                return f"rt.igrowth({a}, {b}, {what})"
            return f"rt.idiv({a}, {b}, {what})"
        if isinstance(node, ast.If):
            cond = self.val(node.cond, env)
            then, other = self.ival(node.then, env, lets), self.ival(node.else_, env, lets)
            return f"({then} if {cond} else {other})"
        reads_data = isinstance(node, ast.Field) or (
            isinstance(node, ast.Call) and node.func in _READS_FIGURES
        )
        if reads_data and isinstance(self.type(node), NumT):
            # A figure read from data stands for every value that rounds to it.
            return f"rt.ival({self.val(node, env)})"
        # Counts, results of other functions and calculations are exact.
        return f"rt.exact({self.val(node, env)})"

    def exact_const(self, value: object) -> str:
        """A constant as an exact interval, made once when the rules are compiled."""
        if isinstance(value, Decimal):
            return self.const(Interval(value, value))
        return f"rt.exact({self.const(value)})"
