"""Type checking of expressions: names, fields, operators, units, aggregates, calls.

Every expression gets a type (:mod:`clusterkit.lang.check.types`); numbers carry a
dimension, so KZT never meets USD and a percentage never passes for money. A mistake
is reported once: the bad expression's type is ``ERR``, which fits anywhere, so
nothing built on it reports it again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Severity, Span
from clusterkit.lang import ast
from clusterkit.lang.check.calls import CallChecks
from clusterkit.lang.check.checked import Checked, DefineInfo
from clusterkit.lang.check.dates import date_arithmetic
from clusterkit.lang.check.declared import SchemaView, schema_view
from clusterkit.lang.check.schema import FieldSpec
from clusterkit.lang.check.scope import Scope
from clusterkit.lang.check.tables import TableChecks
from clusterkit.lang.check.types import (
    BOOL,
    DATE,
    ERR,
    NONE,
    TEXT,
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
from clusterkit.lang.check.units import (
    DIMENSIONLESS,
    Dim,
    UnitError,
    dim_text,
    known_unit_words,
    resolve_unit,
)
from clusterkit.lang.visitor import Visitor
from clusterkit.messages import msg, text_of
from clusterkit.numbers import NumberFormatError, check_bounds
from clusterkit.suggestions import did_you_mean

__all__ = ["ExprChecker"]

_COMMON_CURRENCIES = ("KZT", "USD", "EUR", "GBP", "RUB")


class ExprChecker(CallChecks, TableChecks, Visitor[Type]):
    """Gives each expression of one rule file its type, reporting what is wrong."""

    def __init__(
        self,
        file: ast.RuleFile,
        result: Checked,
        diagnostics: list[Diagnostic],
        used: set[tuple[str, str]],
    ) -> None:
        self.file = file
        self.result = result
        self.diagnostics = diagnostics
        self.used = used
        self.view: SchemaView = schema_view(result.schema, result.currency)
        # Names of consts, params and figures each rule reads (for its assumptions).
        self.reads: set[str] | None = None
        # The method for each kind of node, bound once: every expression passes here.
        self.methods: dict[type, Callable[[Any, Scope], Type]] = {
            node: getattr(self, name) for node, name in self._dispatch.items()
        }

    # -- reporting ----------------------------------------------------------------------
    def error(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(code, Severity.ERROR, message, file=span.file, span=span, hint=hint)
        )

    def warning(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(code, Severity.WARNING, message, file=span.file, span=span, hint=hint)
        )

    def text(self, node: ast.Expr) -> str:
        return ast.source_text(self.file.text, node.span)

    # -- entry points -------------------------------------------------------------------
    def expr(self, node: ast.Expr, scope: Scope) -> Type:
        t = self.methods[type(node)](node, scope)
        self.result.types[id(node)] = t
        return t

    def condition(self, node: ast.Expr, scope: Scope, what: str) -> None:
        t = self.expr(node, scope)
        if not isinstance(t, BoolT | ErrT):
            self.error(
                codes.TYPE_ERROR,
                node.span,
                msg("{what} needs a yes/no condition, not {got}", what=what, got=describe(t)),
            )

    def element_type(self, t: Type, span: Span) -> Type:
        if isinstance(t, ListT):
            return t.elem
        if not isinstance(t, ErrT):
            self.error(
                codes.TYPE_ERROR,
                span,
                msg("expected a list to go through, got {got}", got=describe(t)),
            )
        return ERR

    def unit(self, spec: ast.UnitSpec) -> tuple[Decimal, Dim] | None:
        try:
            return resolve_unit(spec.scale, spec.name, spec.per, self.result.schema.units)
        except UnitError as exc:
            word = str(exc)
            options = [*known_unit_words(self.result.schema.units), *_COMMON_CURRENCIES]
            self.error(
                codes.UNKNOWN_UNIT,
                spec.span,
                msg("unknown unit {unit!r}", unit=word),
                did_you_mean(word, options),
            )
            return None

    # -- literals and names -------------------------------------------------------------
    def number(self, node: ast.Number, scope: Scope) -> Type:
        try:
            check_bounds(node.value)
        except NumberFormatError:
            return self.out_of_bounds(node)
        if node.unit is None:
            self.result.literals[id(node)] = node.value
            return NumT()
        unit = self.unit(node.unit)
        if unit is None:
            return ERR
        factor, dim = unit
        self.result.literals[id(node)] = node.value * factor
        return NumT(dim, percent=node.unit.name == "%")

    def out_of_bounds(self, node: ast.Number) -> Type:
        # The number as written is looked up only when it is wrong: it costs a slice.
        try:
            check_bounds(node.value, self.text(node))
        except NumberFormatError as exc:
            self.error(codes.NUMBER_BOUNDS, node.span, text_of(exc))
        return ERR

    def string_lit(self, node: ast.StringLit, scope: Scope) -> Type:
        return TEXT

    def date_lit(self, node: ast.DateLit, scope: Scope) -> Type:
        return DATE

    def bool_lit(self, node: ast.BoolLit, scope: Scope) -> Type:
        return BOOL

    def none_lit(self, node: ast.NoneLit, scope: Scope) -> Type:
        return NONE

    def name(self, node: ast.Name, scope: Scope) -> Type:
        symbol = scope.lookup(node.id)
        if symbol is None:
            self.error(
                codes.UNKNOWN_NAME,
                node.span,
                msg("unknown name {name!r}", name=node.id),
                did_you_mean(node.id, scope.all_names()),
            )
            return ERR
        self.result.names[id(node)] = symbol
        if symbol.kind in ("const", "figure", "param"):
            self.used.add((symbol.owner, symbol.name))
            if self.reads is not None:
                self.reads.add(symbol.name)
        elif symbol.kind == "let":
            self.used.add((self.file.path, f"let:{id(symbol.node)}"))
        return symbol.type

    def field(self, node: ast.Field, scope: Scope) -> Type:
        obj = self.expr(node.obj, scope)
        if isinstance(obj, ErrT):
            return ERR
        if isinstance(obj, ListT):
            self.error(
                codes.FIELD_OF_LIST,
                node.span,
                msg(
                    "{text!r} is a list; go through it with count(...), "
                    "sum(...), any(...) or all(...)",
                    text=self.text(node.obj),
                ),
            )
            return ERR
        if not isinstance(obj, EntityT):
            self.error(
                codes.UNKNOWN_FIELD,
                node.span,
                msg("{what} has no field {name!r}", what=describe(obj), name=node.name),
            )
            return ERR
        fields = self.view.fields(obj.kind)
        spec: FieldSpec | DefineInfo | None = fields.get(node.name)
        if spec is None:
            spec = self.result.visible_defines.get((obj.kind, node.name))
            if spec is not None:
                self.used.add((spec.owner, f"define:{obj.kind}.{node.name}"))
                if self.reads is not None:
                    self.reads |= self.result.uses.get(f"define:{obj.kind}.{node.name}", set())
        if spec is None:
            options = [*fields, *(n for k, n in self.result.visible_defines if k == obj.kind)]
            self.error(
                codes.UNKNOWN_FIELD,
                node.span,
                msg("a {kind} has no field {name!r}", kind=obj.kind, name=node.name),
                did_you_mean(node.name, options),
            )
            return ERR
        self.result.fields[id(node)] = spec
        return nullable(spec.type, spec.type.nullable or obj.nullable)

    # -- operators ----------------------------------------------------------------------
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
