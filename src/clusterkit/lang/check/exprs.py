"""Type checking of expressions: names, fields, operators, units, aggregates, calls.

Every expression gets a type (:mod:`clusterkit.lang.types.value_types`); numbers carry a
dimension, so KZT never meets USD and a percentage never passes for money. A mistake
is reported once: the bad expression's type is ``ERR``, which fits anywhere, so
nothing built on it reports it again.

The checker is here, with literals, names and fields; it is made of mixins, one per
kind of expression: operators, comparisons and ``if`` (:mod:`.operators`), aggregates
and calls (:mod:`.calls`), tables and dated parameters (:mod:`.tables`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Severity, Span
from clusterkit.lang import ast
from clusterkit.lang.ast.visitor import Visitor
from clusterkit.lang.check.calls import CallChecks
from clusterkit.lang.check.checked import Checked, DefineInfo
from clusterkit.lang.check.declared import SchemaView, schema_view
from clusterkit.lang.check.operators import OperatorChecks
from clusterkit.lang.check.schema import FieldSpec
from clusterkit.lang.check.scope import Scope
from clusterkit.lang.check.tables import TableChecks
from clusterkit.lang.types.units import (
    Dim,
    UnitError,
    known_unit_words,
    resolve_unit,
)
from clusterkit.lang.types.value_types import (
    BOOL,
    DATE,
    ERR,
    NONE,
    TEXT,
    BoolT,
    EntityT,
    ErrT,
    ListT,
    NumT,
    Type,
    describe,
    nullable,
)
from clusterkit.messages import msg, text_of
from clusterkit.numbers import NumberFormatError, check_bounds
from clusterkit.suggestions import did_you_mean

__all__ = ["ExprChecker"]

_COMMON_CURRENCIES = ("KZT", "USD", "EUR", "GBP", "RUB")


class ExprChecker(CallChecks, TableChecks, OperatorChecks, Visitor[Type]):
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
