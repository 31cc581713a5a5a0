"""Type checking of operators: ``not`` and ``-``, arithmetic (units multiply and divide,
and only like units add), ``and`` and ``or``, comparisons (of like units, with ``=``
and ``!=`` only for text, yes/no, entities and lists, a text field against its
choices), ``in``, list literals and ``if``. A mixin of the expression checker."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from clusterkit import codes
from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.check.checked import Checked
from clusterkit.lang.check.dates import date_arithmetic
from clusterkit.lang.check.scope import Scope
from clusterkit.lang.types.units import DIMENSIONLESS, dim_text
from clusterkit.lang.types.value_types import (
    BOOL,
    ERR,
    NONE,
    BoolT,
    DateT,
    EntityT,
    ErrT,
    ListT,
    NoneT,
    NumT,
    TableT,
    TextT,
    Type,
    compare_message,
    describe,
    mix_hint,
    mix_message,
    nullable,
)
from clusterkit.messages import msg
from clusterkit.suggestions import did_you_mean

__all__ = ["OperatorChecks"]


class OperatorChecks:
    """Operators, comparisons, membership, lists and ``if``; mixed into the expression
    checker."""

    if TYPE_CHECKING:
        result: Checked

        def expr(self, node: ast.Expr, scope: Scope) -> Type: ...
        def condition(self, node: ast.Expr, scope: Scope, what: str) -> None: ...
        def error(self, code: str, span: Span, message: str, hint: str | None = None) -> None: ...

    def unary(self, node: ast.Unary, scope: Scope) -> Type:
        t = self.expr(node.operand, scope)
        if isinstance(t, ErrT):
            return t
        if node.op == "not":
            if not isinstance(t, BoolT):
                self.error(
                    codes.TYPE_ERROR,
                    node.span,
                    msg("'not' needs a yes/no value, not {got}", got=describe(t)),
                )
                return ERR
            return t
        if not isinstance(t, NumT):
            self.error(
                codes.TYPE_ERROR, node.span, msg("'-' needs a number, not {got}", got=describe(t))
            )
            return ERR
        return t

    def binary(self, node: ast.Binary, scope: Scope) -> Type:
        left = self.expr(node.left, scope)
        right = self.expr(node.right, scope)
        if isinstance(left, ErrT) or isinstance(right, ErrT):
            return ERR
        is_null = left.nullable or right.nullable
        if node.op in ("and", "or"):
            for side, t in ((node.left, left), (node.right, right)):
                if not isinstance(t, BoolT):
                    self.error(
                        codes.TYPE_ERROR,
                        side.span,
                        msg(
                            "'{op}' joins yes/no conditions, not {got}",
                            op=node.op,
                            got=describe(t),
                        ),
                    )
                    return ERR
            return BoolT(nullable=is_null)
        if isinstance(left, DateT) or isinstance(right, DateT):
            found = date_arithmetic(node, left, right)
            if isinstance(found, str):
                self.error(codes.TYPE_ERROR, node.span, found)
                return ERR
            return found
        if not isinstance(left, NumT) or not isinstance(right, NumT):
            bad = node.left if not isinstance(left, NumT) else node.right
            self.error(
                codes.TYPE_ERROR,
                bad.span,
                msg(
                    "'{op}' needs numbers, not {got}",
                    op=node.op,
                    got=describe(left if bad is node.left else right),
                ),
            )
            return ERR
        if node.op in ("+", "-"):
            if _bare_zero(node.right):
                return nullable(left, is_null)
            if _bare_zero(node.left):
                return nullable(right, is_null)
            if left.dim != right.dim:
                self.error(
                    codes.UNIT_MIX,
                    node.span,
                    mix_message(node.op, left, right),
                    mix_hint(left, right),
                )
                return ERR
            return NumT(left.dim, left.percent and right.percent, is_null)
        if node.op == "*":
            dim = left.dim * right.dim
            # A percentage scaled by a written number stays one (2 * 30 % is 60 %); a
            # percentage of a count is a count (50 % * count(...) is a number of members).
            percent = dim == DIMENSIONLESS and (
                (left.percent and (right.percent or _plain_number(node.right)))
                or (right.percent and _plain_number(node.left))
            )
            return NumT(dim, percent, is_null)
        dim = left.dim / right.dim
        # Money over money is a ratio, shown as a percentage; so is a percentage halved.
        ratio = dim == DIMENSIONLESS and (left.dim != DIMENSIONLESS or left.percent)
        return NumT(dim, ratio, is_null)

    def compare(self, node: ast.Compare, scope: Scope) -> Type:
        types = [self.expr(o, scope) for o in node.operands]
        ok = True
        for (a, b), (ta, tb), op in zip(
            itertools.pairwise(node.operands), itertools.pairwise(types), node.ops, strict=True
        ):
            ok = self.comparable(op, a, ta, b, tb) and ok
        if not ok:
            return ERR
        return BoolT(nullable=any(t.nullable for t in types))

    def comparable(self, op: str, a: ast.Expr, ta: Type, b: ast.Expr, tb: Type) -> bool:
        if isinstance(ta, ErrT) or isinstance(tb, ErrT):
            return False
        if isinstance(ta, NoneT) or isinstance(tb, NoneT):
            self.error(
                codes.TYPE_ERROR,
                a.span if isinstance(ta, NoneT) else b.span,
                msg("compare with none using 'is none' or 'is not none'"),
            )
            return False
        if isinstance(ta, NumT) and isinstance(tb, NumT):
            if ta.dim != tb.dim and not (_bare_zero(a) or _bare_zero(b)):
                whole = Span(
                    a.span.file, a.span.line, a.span.column, b.span.end_line, b.span.end_column
                )
                self.error(codes.UNIT_COMPARE, whole, compare_message(ta, tb), mix_hint(ta, tb))
                return False
            return True
        if type(ta) is not type(tb):
            self.error(
                codes.TYPE_ERROR,
                b.span,
                msg("cannot compare {a} with {b}", a=describe(ta), b=describe(tb)),
            )
            return False
        if isinstance(ta, TextT | BoolT | EntityT | ListT) and op not in ("=", "!="):
            self.error(
                codes.TYPE_ERROR,
                a.span,
                msg("{what} can only be compared with = or !=", what=describe(ta)),
            )
            return False
        if isinstance(ta, TextT) and isinstance(tb, TextT):
            self.check_choice(a, ta, b)
            self.check_choice(b, tb, a)
        return True

    def check_choice(self, field: ast.Expr, t: TextT, literal: ast.Expr) -> None:
        if t.choices is None or not isinstance(literal, ast.StringLit):
            return
        if literal.value not in t.choices:
            self.error(
                codes.NOT_A_CHOICE,
                literal.span,
                msg(
                    "{value!r} is not one of: {allowed}",
                    value=literal.value,
                    allowed=", ".join(sorted(t.choices)),
                ),
                did_you_mean(literal.value, t.choices),
            )

    def is_none(self, node: ast.IsNone, scope: Scope) -> Type:
        self.expr(node.operand, scope)
        return BOOL

    def member(self, node: ast.Member, scope: Scope) -> Type:
        t = self.expr(node.operand, scope)
        if isinstance(node.container, ast.ListLit):
            ok = True
            for item in node.container.items:
                ti = self.expr(item, scope)
                ok = self.comparable("=", node.operand, t, item, ti) and ok
            self.result.types[id(node.container)] = ListT(t)
            return BoolT(nullable=t.nullable) if ok else ERR
        container = self.expr(node.container, scope)
        if isinstance(container, ErrT):
            return ERR
        if isinstance(container, ListT | TableT):
            inside = container.elem if isinstance(container, ListT) else container.key
            if isinstance(inside, NoneT):
                return BoolT(nullable=t.nullable)
            if not self.comparable("=", node.operand, t, node.container, inside):
                return ERR
            return BoolT(nullable=t.nullable or container.nullable)
        self.error(
            codes.TYPE_ERROR,
            node.container.span,
            msg("'in' needs a list or a table, not {got}", got=describe(container)),
        )
        return ERR

    def list_lit(self, node: ast.ListLit, scope: Scope) -> Type:
        types = [self.expr(i, scope) for i in node.items]
        if not types:
            return ListT(NONE)
        first = types[0]
        for item, t in zip(node.items[1:], types[1:], strict=True):
            if not self.comparable("=", node.items[0], first, item, t):
                return ERR
        return ListT(first)

    def if_(self, node: ast.If, scope: Scope) -> Type:
        self.condition(node.cond, scope, "'if'")
        a = self.expr(node.then, scope)
        b = self.expr(node.else_, scope)
        if isinstance(a, ErrT) or isinstance(b, ErrT):
            return ERR
        if isinstance(a, NoneT):
            return nullable(b)
        if isinstance(b, NoneT):
            return nullable(a)
        if isinstance(a, NumT) and isinstance(b, NumT):
            if a.dim != b.dim:
                self.error(
                    codes.UNIT_MIX,
                    node.span,
                    msg(
                        "the two branches give numbers in different units: {a} and {b}",
                        a=dim_text(a.dim),
                        b=dim_text(b.dim),
                    ),
                )
                return ERR
            return NumT(a.dim, a.percent and b.percent, a.nullable or b.nullable)
        if type(a) is not type(b):
            self.error(
                codes.TYPE_ERROR,
                node.span,
                msg("the branches give {a} and {b}", a=describe(a), b=describe(b)),
            )
            return ERR
        return nullable(a, a.nullable or b.nullable)


def _plain_number(node: ast.Expr) -> bool:
    """A number written without a unit (``2``, ``-1.5``)."""
    if isinstance(node, ast.Unary) and node.op == "-":
        node = node.operand
    return isinstance(node, ast.Number) and node.unit is None


def _bare_zero(node: ast.Expr) -> bool:
    """A plain 0 fits any unit: zero tenge, zero persons and zero percent are all 0."""
    return isinstance(node, ast.Number) and node.unit is None and node.value == 0
