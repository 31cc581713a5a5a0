"""Type checking of tables (``{"bronze": 24 months}``), looking a key up in one
(``validity[level]``), dated parameters read on a date (``share as of d``), and the
values of fixed expressions (consts, table entries, parameter values)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from clusterkit import codes
from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.check.checked import Checked
from clusterkit.lang.check.scope import Scope
from clusterkit.lang.runtime.arith import Table
from clusterkit.lang.types.value_types import (
    ERR,
    BoolT,
    DateT,
    ErrT,
    NumT,
    TableT,
    TextT,
    Type,
    describe,
    nullable,
)
from clusterkit.messages import msg

__all__ = ["TableChecks"]

# What each kind of name is, for messages.
_KINDS = {
    "const": msg("a const"),
    "figure": msg("a published figure"),
    "let": msg("a value of the rule"),
    "var": msg("a variable"),
    "collection": msg("a collection"),
    "as_of": msg("the as-of date"),
    "criterion": msg("a criterion"),
}


class TableChecks:
    """Tables, keys and dated parameters; mixed into the expression checker."""

    #: Set when folding a fixed expression overflowed the bounds of exact numbers.
    folding_failed = False

    if TYPE_CHECKING:
        result: Checked

        def expr(self, node: ast.Expr, scope: Scope) -> Type: ...
        def error(self, code: str, span: Span, message: str, hint: str | None = None) -> None: ...
        def comparable(self, op: str, a: ast.Expr, ta: Type, b: ast.Expr, tb: Type) -> bool: ...
        def name(self, node: ast.Name, scope: Scope) -> Type: ...

    def table_lit(self, node: ast.TableLit, scope: Scope) -> Type:
        if not node.entries:
            self.error(codes.TYPE_ERROR, node.span, msg("a table needs at least one entry"))
            return ERR
        keys = [self.expr(k, scope) for k, _ in node.entries]
        values = [self.expr(v, scope) for _, v in node.entries]
        if any(isinstance(t, ErrT) for t in (*keys, *values)):
            return ERR
        (first_key, first_value), first = node.entries[0], (keys[0], values[0])
        if not isinstance(first[0], TextT | NumT | DateT | BoolT):
            self.error(
                codes.TYPE_ERROR,
                first_key.span,
                msg(
                    "a table's keys are text, numbers, dates or yes/no, not {got}",
                    got=describe(first[0]),
                ),
            )
            return ERR
        ok = True
        seen: set[object] = set()
        for (key, value), tk, tv in zip(node.entries, keys, values, strict=True):
            ok = self.comparable("=", first_key, first[0], key, tk) and ok
            ok = self.comparable("=", first_value, first[1], value, tv) and ok
            for part in (key, value):
                if self.constant_value(part) is None:
                    self.error(
                        codes.CONST_NOT_FIXED,
                        part.span,
                        msg(
                            "a table's keys and values are fixed values (numbers, units, text, "
                            "dates, consts)"
                        ),
                    )
                    ok = False
            fixed = self.constant_value(key)
            if fixed is not None and fixed in seen:
                self.error(codes.DEFINED_TWICE, key.span, msg("this key is already in the table"))
                ok = False
            seen.add(fixed)
        if not ok:
            return ERR
        self.result.tables.constants[id(node)] = Table(
            (self.constant_value(k), self.constant_value(v)) for k, v in node.entries
        )
        return TableT(nullable(first[0], False), nullable(first[1], False))

    def index(self, node: ast.Index, scope: Scope) -> Type:
        table = self.expr(node.obj, scope)
        key = self.expr(node.key, scope)
        if isinstance(table, ErrT) or isinstance(key, ErrT):
            return ERR
        if not isinstance(table, TableT):
            self.error(
                codes.TYPE_ERROR,
                node.obj.span,
                msg("only a table is looked up with [...], not {got}", got=describe(table)),
            )
            return ERR
        if not self.comparable("=", node.key, key, node.obj, table.key):
            return ERR
        return nullable(table.value, key.nullable)

    def dated(self, node: ast.Dated, scope: Scope) -> Type:
        name = ast.Name(node.span, node.name)
        t = self.name(name, scope)
        symbol = self.result.names.get(id(name))
        day = self.expr(node.date, scope)
        if isinstance(t, ErrT) or isinstance(day, ErrT):
            return ERR
        if symbol is None or symbol.kind != "param":
            self.error(
                codes.TYPE_ERROR,
                node.span,
                msg(
                    "only a parameter has values on other dates ({name!r} is {what})",
                    name=node.name,
                    what=_KINDS.get(symbol.kind, symbol.kind),
                )
                if symbol is not None
                else msg("{name!r} is not a parameter", name=node.name),
                msg("declare it with 'param NAME' and its values 'from DATE = VALUE'"),
            )
            return ERR
        self.result.names[id(node)] = symbol
        if not isinstance(day, DateT):
            self.error(
                codes.TYPE_ERROR,
                node.date.span,
                msg("'as of' needs a date, not {got}", got=describe(day)),
            )
            return ERR
        return nullable(t, day.nullable)

    def constant_value(self, node: ast.Expr) -> object:
        """The value of a fixed expression in base units (a number, text, a date, a
        list or table of them, a const), or None if it is not fixed."""
        if isinstance(node, ast.Number):
            return self.result.literals.get(id(node))
        if isinstance(node, ast.StringLit | ast.DateLit | ast.BoolLit):
            return node.value
        if isinstance(node, ast.TableLit):
            return self.result.tables.constants.get(id(node))
        if isinstance(node, ast.ListLit):
            items = [self.constant_value(i) for i in node.items]
            return None if any(i is None for i in items) else tuple(items)
        if isinstance(node, ast.Name):
            symbol = self.result.names.get(id(node))
            if symbol is not None and symbol.kind == "const":
                return self.result.const_values.get(symbol.name)
            return None
        if isinstance(node, ast.Unary) and node.op == "-":
            inner = self.constant_value(node.operand)
            return -inner if isinstance(inner, Decimal) else None
        if isinstance(node, ast.Binary) and node.op in "+-*/":
            a, b = self.constant_value(node.left), self.constant_value(node.right)
            if isinstance(a, Decimal) and isinstance(b, Decimal):
                try:
                    if node.op == "/":
                        return None if b == 0 else a / b
                    return {"+": a + b, "-": a - b, "*": a * b}[node.op]
                except ArithmeticError:
                    self.folding_failed = True
                    return None
        return None
