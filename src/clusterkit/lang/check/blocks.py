"""What a ``rule``, ``monitor`` or ``score`` block must hold: the steps each kind
allows and needs, its outcome labels, ``version as of``, a score's criteria (points,
weights adding up to 100 %), scale and selection, and the ``let`` values it never
uses. A mixin of the file checker, which walks each block's steps."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from clusterkit import codes
from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.builtins import points_dim
from clusterkit.lang.check.scope import Scope
from clusterkit.lang.types.units import DIMENSIONLESS
from clusterkit.lang.types.value_types import DateT, ErrT, NumT, Type, describe
from clusterkit.messages import msg
from clusterkit.suggestions import did_you_mean

__all__ = ["OUTCOME_NAMES", "BlockChecks"]

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


class BlockChecks:
    """The parts of rule, monitor and score blocks; mixed into the file checker."""

    if TYPE_CHECKING:
        file: ast.RuleFile
        used: set[tuple[str, str]]

        def expr(self, node: ast.Expr, scope: Scope) -> Type: ...
        def error(self, code: str, span: Span, message: str, hint: str | None = None) -> None: ...
        def warning(self, code: str, span: Span, message: str, hint: str | None = None) -> None: ...
        def constant_value(self, node: ast.Expr) -> object: ...

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
