"""Checking one rule file: its header, consts, figures, indicators, defines and the
``rule``, ``monitor`` and ``score`` blocks, against the files it imports."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Span
from clusterkit.lang import ast
from clusterkit.lang.builtins import points_dim
from clusterkit.lang.check.bands import check_bands
from clusterkit.lang.check.checked import (
    Checked,
    DefineInfo,
    NodeTables,
    Symbol,
)
from clusterkit.lang.check.definitions import DefinitionChecks
from clusterkit.lang.check.exprs import ExprChecker
from clusterkit.lang.check.scope import Scope
from clusterkit.lang.check.types import DATE, DateT, EntityT, ErrT, NumT, describe
from clusterkit.lang.check.units import DIMENSIONLESS
from clusterkit.messages import msg
from clusterkit.money import MoneyError, check_currency
from clusterkit.schema import DEFAULT_SCHEMA, Schema
from clusterkit.suggestions import did_you_mean

__all__ = ["BASES", "DEFAULT_CURRENCY", "OUTCOME_NAMES", "FileChecker"]

DEFAULT_CURRENCY = "KZT"
#: What a parameter, a rule or a rulebook may rest on.
BASES = ("source", "inferred", "illustrative")
#: What an outcome label may name: the outcomes, and ``ok`` (a monitor's pass).
OUTCOME_NAMES = ("pass", "ok", "fail", "warning", "breach", "not_applicable", "undetermined")

# Which steps each kind of block holds, and what each must have.
_ALLOWED: dict[str, set[type]] = {
    "rule": {ast.Let, ast.Require},
    "monitor": {ast.Let, ast.Band},
    "score": {ast.Let, ast.Criterion},
}
_STEP_WORDS: dict[type, tuple[str, str]] = {
    ast.Require: ("'require'", msg("in a rule")),
    ast.Band: (msg("grading bands"), msg("in a monitor")),
    ast.Criterion: (msg("criteria"), msg("in a score")),
    ast.Let: ("'let'", ""),
}
_NEEDED: dict[str, tuple[type, str]] = {
    "rule": (ast.Require, msg("a rule needs at least one 'require'")),
    "monitor": (ast.Band, msg("a monitor needs grading bands")),
    "score": (ast.Criterion, msg("a score needs at least one criterion")),
}


class FileChecker(DefinitionChecks, ExprChecker):
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

    def version_by(self, item: ast.Rule, scope: Scope) -> None:
        assert item.version_by is not None
        t = self.expr(item.version_by, scope)
        if item.iteration is None:
            self.error(
                codes.PART_MISSING,
                item.version_by.span,
                msg("'version as of' chooses a version per entity: the rule needs 'for each'"),
            )
        elif not isinstance(t, DateT | ErrT):
            self.error(
                codes.TYPE_ERROR,
                item.version_by.span,
                msg("'version as of' needs a date, not {got}", got=describe(t)),
            )

    def outcome_labels(self, item: ast.Rule) -> None:
        for outcome, _entries in item.outcome_labels:
            if outcome not in OUTCOME_NAMES:
                self.error(
                    codes.NOT_A_CHOICE,
                    item.span,
                    msg(
                        "{outcome!r} is not an outcome; name one of: {names}",
                        outcome=outcome,
                        names=", ".join(OUTCOME_NAMES),
                    ),
                    did_you_mean(outcome, OUTCOME_NAMES),
                )

    def rule_shape(self, item: ast.Rule) -> None:
        allowed = _ALLOWED[item.kind]
        for step in item.steps:
            if type(step) not in allowed:
                what, home = _STEP_WORDS[type(step)]
                self.error(
                    codes.STEP_MISPLACED,
                    step.span,
                    msg("{what} go {home}, not in a {kind}", what=what, home=home, kind=item.kind),
                )
        needed, message = _NEEDED[item.kind]
        if not any(isinstance(s, needed) for s in item.steps):
            self.error(codes.PART_MISSING, item.span, message)
        if item.kind == "score" and item.select is None:
            self.error(codes.PART_MISSING, item.span, msg("a score needs a 'select top N' line"))
        if item.kind != "score" and (item.select is not None or item.scale is not None):
            self.error(
                codes.STEP_MISPLACED, item.span, msg("'select' and 'scale' belong in a score")
            )
        if item.kind in ("monitor", "score") and item.iteration is None:
            self.error(
                codes.PART_MISSING, item.span, msg("a {kind} needs 'for each'", kind=item.kind)
            )

    def criterion(self, step: ast.Criterion, scope: Scope) -> None:
        weight = self.expr(step.weight, scope)
        if not isinstance(weight, ErrT) and not (
            isinstance(weight, NumT) and weight.dim == DIMENSIONLESS
        ):
            self.error(
                codes.UNIT_ROLE,
                step.weight.span,
                msg("a weight is a percentage, not {got}", got=describe(weight)),
            )
        t = self.expr(step.expr, scope)
        if isinstance(t, ErrT):
            return
        if not isinstance(t, NumT) or t.dim not in (points_dim(), DIMENSIONLESS):
            self.error(
                codes.UNIT_ROLE,
                step.expr.span,
                msg("a criterion gives points, not {got}", got=describe(t)),
            )

    def scoring(self, item: ast.Rule, criteria: list[ast.Criterion], scope: Scope) -> None:
        weights = [self.constant_value(c.weight) for c in criteria]
        if criteria and all(isinstance(w, Decimal) for w in weights):
            total = sum((w for w in weights if isinstance(w, Decimal)), Decimal(0))
            if total != 1:
                self.error(
                    codes.WEIGHTS,
                    item.span,
                    msg(
                        "the criteria's weights add up to {total} %, not 100 %",
                        total=format((total * 100).normalize(), "f"),
                    ),
                )
        names = {c.name for c in criteria}
        if item.scale is not None:
            for bound in item.scale:
                self.points(bound, scope, msg("a scale"))
        if item.select is not None:
            if item.select.minimum is not None:
                self.points(item.select.minimum, scope, msg("a minimum score"))
            for name in item.select.tie:
                if name not in names:
                    self.error(
                        codes.UNKNOWN_NAME,
                        item.select.span,
                        msg("no criterion {name!r} to break ties by", name=name),
                        did_you_mean(name, names),
                    )

    def points(self, node: ast.Expr, scope: Scope, what: str) -> None:
        t = self.expr(node, scope)
        if isinstance(t, NumT) and t.dim not in (points_dim(), DIMENSIONLESS):
            self.error(
                codes.UNIT_ROLE,
                node.span,
                msg("{what} is in points, not {got}", what=what, got=describe(t)),
            )

    def unused_lets(self, item: ast.Rule) -> None:
        for step in item.steps:
            if isinstance(step, ast.Let) and (self.file.path, f"let:{id(step)}") not in self.used:
                self.warning(
                    codes.UNUSED, step.span, msg("let {name!r} is never used", name=step.name)
                )
