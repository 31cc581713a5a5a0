"""Checking one rule file: its header, consts, figures, indicators, defines and the
``rule``, ``monitor`` and ``score`` blocks, against the files it imports.

The file checker walks the items, and each block's steps; it is made of mixins: what
a block must hold (:mod:`.blocks`), parameters and functions (:mod:`.definitions`),
and expressions (:mod:`.exprs`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Span
from clusterkit.lang import ast
from clusterkit.lang.builtins import points_dim
from clusterkit.lang.check.bands import check_bands
from clusterkit.lang.check.blocks import OUTCOME_NAMES, BlockChecks
from clusterkit.lang.check.checked import (
    Checked,
    DefineInfo,
    NodeTables,
    Symbol,
)
from clusterkit.lang.check.definitions import DefinitionChecks
from clusterkit.lang.check.exprs import ExprChecker
from clusterkit.lang.check.scope import Scope
from clusterkit.lang.types.value_types import DATE, EntityT, ErrT, NumT
from clusterkit.messages import msg
from clusterkit.money import MoneyError, check_currency
from clusterkit.schema import DEFAULT_SCHEMA, Schema
from clusterkit.suggestions import did_you_mean

__all__ = ["BASES", "DEFAULT_CURRENCY", "OUTCOME_NAMES", "FileChecker"]

DEFAULT_CURRENCY = "KZT"
#: What a parameter, a rule or a rulebook may rest on.
BASES = ("source", "inferred", "illustrative")


class FileChecker(DefinitionChecks, BlockChecks, ExprChecker):
    """Checks one rule file against the files it imports."""

    def __init__(
        self,
        file: ast.RuleFile,
        imported: Sequence[Checked],
        diagnostics: list[Diagnostic],
        used: set[tuple[str, str]],
        *,
        schema: Schema = DEFAULT_SCHEMA,
        tables: NodeTables | None = None,
    ) -> None:
        header = file.header
        currency = DEFAULT_CURRENCY
        problems: list[tuple[str, Span, str, str | None]] = []
        if header.currency is not None:
            try:
                currency = check_currency(header.currency)
            except MoneyError:
                problems.append(
                    (
                        codes.UNKNOWN_CURRENCY,
                        header.currency_span or header.span,
                        msg("unknown currency {code!r}", code=header.currency),
                        did_you_mean(header.currency.upper(), ("KZT", "USD", "EUR", "GBP", "RUB")),
                    )
                )
        result = Checked(
            file,
            currency,
            hashlib.sha256(file.text.encode("utf-8")).hexdigest(),
            schema,
            tables or NodeTables(),
            imports=[c.path for c in imported],
        )
        super().__init__(file, result, diagnostics, used)
        for problem in problems:
            self.error(*problem)
        self.globals: dict[str, Symbol] = {
            name: Symbol("collection", name, self.view.collection_type(name))
            for name in self.view.collections
        }
        self.globals["as_of"] = Symbol("as_of", "as_of", DATE)
        for other in imported:
            self.take_imported(other)
        if (
            header.in_force_from
            and header.in_force_until
            and header.in_force_until < header.in_force_from
        ):
            self.error(
                codes.FORCE_DATES,
                header.span,
                msg("the rulebook is in force until a date before it starts"),
            )

    def take_imported(self, other: Checked) -> None:
        """Make an imported file's consts, figures, indicators and defines visible."""
        if other.file.header.currency is not None and other.currency != self.result.currency:
            self.error(
                codes.CURRENCY_IMPORT,
                self.file.header.span,
                msg(
                    "imports {path}, whose currency is {currency}, into a rulebook in {own}",
                    path=other.path,
                    currency=other.currency,
                    own=self.result.currency,
                ),
            )
        self.globals.update(other.consts)
        self.globals.update({name: sym for name, (_, _, sym) in other.figures.items()})
        self.globals.update(
            (name, Symbol("param", name, info.type, info.owner, info.node))
            for name, info in other.params.items()
        )
        self.result.indicators.update(other.indicators)
        self.result.visible_defines.update(other.visible_defines)
        self.result.const_values.update(other.const_values)
        self.result.figures.update(other.figures)
        self.result.params.update(other.params)
        self.result.functions.update(other.functions)
        self.result.bases.update(other.bases)
        self.result.uses.update(other.uses)

    # -- items -------------------------------------------------------------------------
    def run(self) -> Checked:
        scope = Scope(self.globals)
        self.later_functions = frozenset(
            item.name for item in self.file.items if isinstance(item, ast.Function)
        )
        self.check_basis(self.file.header.basis)
        for item in self.file.items:
            if isinstance(item, ast.Const):
                self.const(item, scope)
            elif isinstance(item, ast.Param):
                self.param(item, scope)
            elif isinstance(item, ast.Function):
                self.function(item, scope)
            elif isinstance(item, ast.IndicatorDecl):
                unit = self.unit(item.unit)
                if unit is not None:
                    self.result.indicators[item.name] = unit
            elif isinstance(item, ast.FigureDecl):
                self.figure(item, scope)
            elif isinstance(item, ast.Define):
                self.define(item, scope)
            elif isinstance(item, ast.Rule):
                self.rule(item, scope)
        return self.result

    def declare(self, scope: Scope, symbol: Symbol, span: Span) -> None:
        if symbol.name in scope.names and scope.names[symbol.name].kind != "collection":
            self.error(
                codes.DEFINED_TWICE, span, msg("{name!r} is already defined", name=symbol.name)
            )
        elif symbol.name in self.view.collections or symbol.name == "as_of":
            self.error(
                codes.DEFINED_TWICE, span, msg("{name!r} is a built-in name", name=symbol.name)
            )
        scope.names[symbol.name] = symbol

    def const(self, item: ast.Const, scope: Scope) -> None:
        t = self.expr(item.expr, scope)
        self.folding_failed = False
        value = self.constant_value(item.expr)
        if self.folding_failed:
            self.error(
                codes.NUMBER_BOUNDS,
                item.expr.span,
                msg("const {name!r} is beyond the numbers clusterkit computes in", name=item.name),
            )
        elif value is None and not isinstance(t, ErrT):
            self.error(
                codes.CONST_NOT_FIXED,
                item.expr.span,
                msg(
                    "const {name!r} must be a fixed value (numbers, units, text, dates, "
                    "and other consts)",
                    name=item.name,
                ),
            )
        symbol = Symbol("const", item.name, t, self.file.path, item)
        self.declare(scope, symbol, item.span)
        self.result.consts[item.name] = symbol
        self.result.const_values[item.name] = value
        self.result.bases[item.name] = item.basis
        self.check_basis(item.basis)

    def check_basis(self, basis: ast.Basis | None) -> None:
        if basis is not None and basis.kind not in BASES:
            self.error(
                codes.NOT_A_CHOICE,
                basis.span,
                msg(
                    "a basis is one of: {names}, not {got!r}",
                    names=", ".join(BASES),
                    got=basis.kind,
                ),
                did_you_mean(basis.kind, BASES),
            )

    def figure(self, item: ast.FigureDecl, scope: Scope) -> None:
        unit = self.unit(item.unit)
        if unit is None:
            return
        factor, dim = unit
        percent = item.unit.name == "%"
        symbol = Symbol(
            "figure", item.name, NumT(dim, percent, nullable=True), self.file.path, item
        )
        self.declare(scope, symbol, item.span)
        self.result.figures[item.name] = (item.figure_id, factor, symbol)

    def define(self, item: ast.Define, scope: Scope) -> None:
        if not self.view.has_kind(item.entity):
            self.error(
                codes.UNKNOWN_KIND,
                item.span,
                msg("{name!r} is not an entity kind", name=item.entity),
                did_you_mean(item.entity, self.view.kinds()),
            )
            return
        key = (item.entity, item.name)
        if item.name in self.view.fields(item.entity):
            self.error(
                codes.DEFINED_TWICE,
                item.span,
                msg("{owner} already has a field {field!r}", owner=item.entity, field=item.name),
            )
            return
        if key in self.result.visible_defines:
            self.error(
                codes.DEFINED_TWICE,
                item.span,
                msg("{kind}.{name} is already defined", kind=item.entity, name=item.name),
            )
            return
        inner = scope.child({item.var: Symbol("var", item.var, EntityT(item.entity))})
        outer, self.reads = self.reads, set()
        try:
            t = self.expr(item.expr, inner)
        finally:
            self.result.uses[f"define:{item.entity}.{item.name}"] = self.reads
            self.reads = outer
        info = DefineInfo(item, t, self.file.path)
        self.result.defines[key] = info
        self.result.visible_defines[key] = info

    # -- rules -------------------------------------------------------------------------
    def rule(self, item: ast.Rule, outer: Scope) -> None:
        self.result.rules.append(item)
        self.reads = self.result.rule_uses[id(item)] = set()
        try:
            self.rule_body(item, outer)
        finally:
            self.reads = None

    def rule_body(self, item: ast.Rule, outer: Scope) -> None:
        self.check_basis(item.basis)
        scope = outer.child()
        if item.iteration is not None:
            source = self.expr(item.iteration.source, scope)
            elem = self.element_type(source, item.iteration.source.span)
            scope.names[item.iteration.var] = Symbol("var", item.iteration.var, elem)
            if item.iteration.where is not None:
                self.condition(item.iteration.where, scope, "'where'")
        if item.applies is not None:
            self.condition(item.applies, scope, "'when'")
        if item.version_by is not None:
            self.version_by(item, scope)
        self.outcome_labels(item)
        self.rule_shape(item)
        criteria: list[ast.Criterion] = []
        for step in item.steps:
            if isinstance(step, ast.Let):
                t = self.expr(step.expr, scope)
                self.declare(scope, Symbol("let", step.name, t, self.file.path, step), step.span)
            elif isinstance(step, ast.Require):
                self.condition(step.expr, scope, "'require'")
                if step.within_precision and not isinstance(step.expr, ast.Compare):
                    self.error(
                        codes.PRECISION_NOT_COMPARISON,
                        step.span,
                        msg("'within precision' applies to a comparison"),
                    )
            elif isinstance(step, ast.Band):
                if step.cond is not None:
                    self.condition(step.cond, scope, msg("the {level} band", level=step.level))
            else:
                self.criterion(step, scope)
                criteria.append(step)
                scope.names[step.name] = Symbol(
                    "criterion", step.name, NumT(points_dim()), "", step
                )
        if item.kind == "monitor":
            check_bands(self, [s for s in item.steps if isinstance(s, ast.Band)])
        if item.kind == "score":
            self.scoring(item, criteria, scope)
        self.unused_lets(item)
