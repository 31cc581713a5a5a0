"""Compiling definitions and rules: the generated functions of a define (``D``), a
user function (``F``), a rule's entities (``IT``), filter (``W``), version date
(``VB``), minimum (``M``) and body (``R``). A mixin of the compiler's generator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterkit.diagnostics import Span
from clusterkit.i18n import N_
from clusterkit.lang import ast
from clusterkit.lang.check.checked import Checked, DefineInfo, FunctionInfo
from clusterkit.lang.check.types import Type
from clusterkit.lang.results import RequireInfo

__all__ = ["RuleCode"]

_LITERALS = (ast.Number, ast.StringLit, ast.DateLit, ast.BoolLit, ast.NoneLit)
_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class RuleCode:
    """Definitions and rules; mixed into the code generator."""

    if TYPE_CHECKING:
        checked: Checked
        where: Span | None

        def code(self, node: ast.Expr, env: dict[str, str]) -> str: ...
        def val(self, node: ast.Expr, env: dict[str, str]) -> str: ...
        def ival(self, node: ast.Expr, env: dict[str, str], lets: dict[str, ast.Let]) -> str: ...
        def const(self, value: object) -> str: ...
        def label(self, text: str, role: str, t: Type | None) -> int: ...
        def source(self, node: ast.Expr) -> str: ...
        def fresh(self, prefix: str) -> str: ...
        def type(self, node: ast.Expr) -> Type: ...
        def emit(self, line: str, indent: int = 1) -> None: ...
        def start(self, header: str, span: Span | None) -> None: ...
        def end(self) -> None: ...

    def function(self, info: FunctionInfo, index: int) -> None:
        names = {name: self.fresh("P") for name, _type in info.params}
        params = "".join(f", {names[name]}" for name, _type in info.params)
        self.start(f"def F{index}(ctx{params}):", info.node.span)
        self.emit(f"return {self.code(info.node.expr, names)}")
        self.end()

    def define(self, info: DefineInfo, index: int) -> None:
        var = self.fresh("V")
        self.start(f"def D{index}(ctx, e):", info.node.span)
        self.emit(f"{var} = e")
        self.emit(f"return {self.code(info.node.expr, {info.node.var: var})}")
        self.end()

    def rule(self, rule: ast.Rule, index: int) -> dict[str, Any]:
        env: dict[str, str] = {}
        lets: dict[str, ast.Let] = {}
        meta: dict[str, Any] = {"requires": [], "criteria": []}
        if rule.iteration is not None:
            env[rule.iteration.var] = self.iteration(rule, index)
            if rule.version_by is not None:
                self.start(f"def VB{index}(ctx, e):", rule.version_by.span)
                self.emit(f"{env[rule.iteration.var]} = e")
                self.emit(f"return {self.val(rule.version_by, env)}")
                self.end()
        if rule.select is not None and rule.select.minimum is not None:
            self.start(f"def M{index}(ctx):", rule.select.span)
            self.emit(f"return {self.val(rule.select.minimum, {})}")
            self.end()
        self.start(f"def R{index}(ctx, e):", rule.span)
        self.emit("T = []")
        if rule.iteration is not None:
            self.emit(f"{env[rule.iteration.var]} = e")
        if rule.applies is not None:
            self.where = rule.applies.span
            self.emit(f"if not {self.val(rule.applies, env)}:")
            self.emit("return ('not_applicable', T, None)", 2)
        for step in rule.steps:
            self.where = step.span
            env = self.step(step, env, lets, meta)
        self.where = rule.span
        if rule.kind == "rule":
            self.emit("return ('pass', T, None)")
        elif rule.kind == "monitor":
            if not any(isinstance(s, ast.Band) and s.cond is None for s in rule.steps):
                self.emit(f"raise rt.Missing({self.const(N_('a grading band that applies'))})")
        else:
            values = ", ".join(c[1] for c in meta["criteria"])
            weights = ", ".join(c[2] for c in meta["criteria"])
            self.emit(f"return ('score', T, (({values},), ({weights},)))")
        self.end()
        return meta

    def step(
        self,
        step: ast.Let | ast.Require | ast.Band | ast.Criterion,
        env: dict[str, str],
        lets: dict[str, ast.Let],
        meta: dict[str, Any],
    ) -> dict[str, str]:
        """Emit one step of a rule's body; give the names visible after it."""
        if isinstance(step, ast.Let):
            name = self.fresh("L")
            env = {**env, step.name: name}
            lets[step.name] = step
            k = self.label(step.name, "let", self.type(step.expr))
            self.emit(f"{name} = {self.code(step.expr, env)}")
            self.emit(f"T.append(({k}, {name}))")
        elif isinstance(step, ast.Require):
            self.require(step, len(meta["requires"]), env, lets, meta)
        elif isinstance(step, ast.Band):
            self.band(step, env)
        else:
            name = self.fresh("C")
            env = {**env, step.name: name}
            k = self.label(step.name, "criterion", self.type(step.expr))
            self.emit(f"{name} = {self.val(step.expr, env)}")
            self.emit(f"T.append(({k}, {name}))")
            meta["criteria"].append((step.name, name, self.val(step.weight, env)))
        return env

    def iteration(self, rule: ast.Rule, index: int) -> str:
        """Emit IT (the entities) and W (the 'where' filter); return the variable's name."""
        iteration = rule.iteration
        assert iteration is not None
        var = self.fresh("V")
        self.start(f"def IT{index}(ctx):", iteration.span)
        self.emit(f"return list({self.val(iteration.source, {})})")
        self.end()
        if iteration.where is not None:
            self.start(f"def W{index}(ctx, e):", iteration.where.span)
            self.emit(f"{var} = e")
            self.emit(f"return {self.val(iteration.where, {iteration.var: var})}")
            self.end()
        return var

    def require(
        self,
        step: ast.Require,
        number: int,
        env: dict[str, str],
        lets: dict[str, ast.Let],
        meta: dict[str, Any],
    ) -> None:
        expr = step.expr
        text = self.source(expr)
        if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
            left, right = expr.operands
            op = expr.ops[0]
            t = self.type(left)
            kl = self.label(self.source(left), "left", t)
            kr = self.label(self.source(right), "right", self.type(right))
            if step.within_precision:
                self.emit(f"a = {self.ival(left, env, lets)}")
                self.emit(f"b = {self.ival(right, env, lets)}")
                self.emit(self.record_sides(left, right, kl, kr))
                self.emit(f"if not rt.icompare({self.const(op)}, a, b):")
            else:
                self.emit(f"a = {self.val(left, env)}")
                self.emit(f"b = {self.val(right, env)}")
                self.emit(self.record_sides(left, right, kl, kr))
                self.emit(f"if not (a {_OPS[op]} b):")
            self.emit(f"return ('fail', T, ({number}, a, b))", 2)
            meta["requires"].append(
                RequireInfo(
                    text, op, self.source(left), self.source(right), t, step.within_precision
                )
            )
            return
        self.emit(f"if not {self.val(expr, env)}:")
        self.emit(f"return ('fail', T, ({number}, None, None))", 2)
        meta["requires"].append(RequireInfo(text, None, "", "", None, False))

    def record_sides(self, left: ast.Expr, right: ast.Expr, kl: int, kr: int) -> str:
        """Trace both sides of a comparison, except a side that is a let already traced."""
        parts = []
        for node, side, k in ((left, "a", kl), (right, "b", kr)):
            if isinstance(
                node, ast.Number | ast.StringLit | ast.DateLit | ast.BoolLit | ast.NoneLit
            ):
                continue  # a literal is in the rule's text already
            symbol = self.checked.names.get(id(node)) if isinstance(node, ast.Name) else None
            if symbol is None or symbol.kind != "let":
                parts.append(f"T.append(({k}, {side}))")
        return "; ".join(parts) or "pass"

    def band(self, step: ast.Band, env: dict[str, str]) -> None:
        if step.cond is None:
            self.emit(f"return ({self.const(step.level)}, T, None)")
            return
        self.emit(f"if {self.val(step.cond, env)}:")
        self.emit(f"return ({self.const(step.level)}, T, None)", 2)
