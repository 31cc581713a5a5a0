"""Compiling definitions and rules: the generated functions of a define (``D``), a
user function (``F``), a rule's entities (``IT``), filter (``W``), version date
(``VB``), minimum (``M``), body (``R``: one entity, with its trace) and batch (``B``:
every entity, statuses only, what evaluation runs). A mixin of the compiler's
generator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterkit.diagnostics import Span
from clusterkit.i18n import N_
from clusterkit.lang import ast
from clusterkit.lang.check.checked import Checked, DefineInfo, FunctionInfo
from clusterkit.lang.results.rule_info import RequireInfo
from clusterkit.lang.types.value_types import Type

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

        batching: bool
        depth: int
        lines: list[str]
        spans: list[Span | None]
        batches: dict[int, tuple[list[str], list[Span | None]]]

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
        self.body(rule, env, meta)
        self.end()
        if rule.kind != "score" and rule.version_by is None:
            self.batch(rule, index, env)
        return meta

    def body(self, rule: ast.Rule, env: dict[str, str], meta: dict[str, Any]) -> None:
        """The steps of a rule for one entity, left by :meth:`exit`."""
        lets: dict[str, ast.Let] = {}
        if rule.applies is not None:
            self.where = rule.applies.span
            self.emit(f"if not {self.val(rule.applies, env)}:")
            self.exit("'not_applicable'", "None", 2)
        for step in rule.steps:
            self.where = step.span
            env = self.step(step, env, lets, meta)
        self.where = rule.span
        if rule.kind == "rule":
            self.exit("'pass'", "None")
        elif rule.kind == "monitor":
            if not any(isinstance(s, ast.Band) and s.cond is None for s in rule.steps):
                self.emit(f"raise rt.Missing({self.const(N_('a grading band that applies'))})")
        else:
            values = ", ".join(c[1] for c in meta["criteria"])
            weights = ", ".join(c[2] for c in meta["criteria"])
            self.exit("'score'", f"(({values},), ({weights},))")

    def batch(self, rule: ast.Rule, index: int, env: dict[str, str]) -> None:
        """``B``: the rule on many entities at once, giving only each verdict's status.

        Evaluation runs this, with no trace and no result object per entity; the full
        ``R`` runs again for an entity only when its result is read. An entity that
        raises gets ``None`` and its exception in ``errs``; the loop goes on.
        """
        main = self.lines, self.spans
        self.lines, self.spans = [], []  # kept apart: compiled on the rule's first run
        self.start(f"def B{index}(ctx, es, ents, outs, errs):", rule.span)
        self.emit("keep = ents.append")
        self.emit("add = outs.append")
        self.emit("for e in es:")
        self.batching = True
        try:
            iteration = rule.iteration
            if iteration is not None:
                self.emit(f"{env[iteration.var]} = e", 2)
            if iteration is not None and iteration.where is not None:
                self.where = iteration.where.span
                self.emit("try:", 2)
                self.emit(f"if not {self.val(iteration.where, env)}:", 3)
                self.emit("continue", 4)
                self.emit("except Exception as x:", 2)
                self.emit("errs[len(outs)] = x", 3)
                self.emit("keep(e)", 3)
                self.emit("add(None)", 3)
                self.emit("continue", 3)
                self.emit("keep(e)", 2)
            self.where = rule.span
            self.emit("try:", 2)
            self.depth = 2
            self.body(rule, env, {"requires": [], "criteria": []})
            self.depth = 0
            self.where = rule.span
            self.emit("except Exception as x:", 2)
            self.emit("errs[len(outs)] = x", 3)
            self.emit("add(None)", 3)
        finally:
            self.batching = False
            self.depth = 0
        self.end()
        self.batches[index] = (self.lines, self.spans)
        self.lines, self.spans = main

    def exit(self, status: str, detail: str, indent: int = 1) -> None:
        """Leave the rule for this entity with ``status``: ``R`` returns it with the
        trace and ``detail``; ``B`` records the status and goes on to the next entity."""
        if self.batching:
            self.emit(f"add({status})", indent)
            self.emit("continue", indent)
        else:
            self.emit(f"return ({status}, T, {detail})", indent)

    def trace(self, line: str) -> None:
        """Record a value in the trace (``R`` only: ``B`` keeps no trace)."""
        if not self.batching:
            self.emit(line)

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
            self.emit(f"{name} = {self.code(step.expr, env)}")
            if not self.batching:
                k = self.label(step.name, "let", self.type(step.expr))
                self.trace(f"T.append(({k}, {name}))")
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
            if step.within_precision:
                self.emit(f"a = {self.ival(left, env, lets)}")
                self.emit(f"b = {self.ival(right, env, lets)}")
                self.record_sides(left, right, t)
                self.emit(f"if not rt.icompare({self.const(op)}, a, b):")
            else:
                self.emit(f"a = {self.val(left, env)}")
                self.emit(f"b = {self.val(right, env)}")
                self.record_sides(left, right, t)
                self.emit(f"if not (a {_OPS[op]} b):")
            self.exit("'fail'", f"({number}, a, b)", 2)
            meta["requires"].append(
                RequireInfo(
                    text, op, self.source(left), self.source(right), t, step.within_precision
                )
            )
            return
        self.emit(f"if not {self.val(expr, env)}:")
        self.exit("'fail'", f"({number}, None, None)", 2)
        meta["requires"].append(RequireInfo(text, None, "", "", None, False))

    def record_sides(self, left: ast.Expr, right: ast.Expr, t: Type) -> None:
        """Trace both sides of a comparison, except a side that is a let already traced."""
        if self.batching:
            return
        kl = self.label(self.source(left), "left", t)
        kr = self.label(self.source(right), "right", self.type(right))
        parts = []
        for node, side, k in ((left, "a", kl), (right, "b", kr)):
            if isinstance(
                node, ast.Number | ast.StringLit | ast.DateLit | ast.BoolLit | ast.NoneLit
            ):
                continue  # a literal is in the rule's text already
            symbol = self.checked.names.get(id(node)) if isinstance(node, ast.Name) else None
            if symbol is None or symbol.kind != "let":
                parts.append(f"T.append(({k}, {side}))")
        self.emit("; ".join(parts) or "pass")

    def band(self, step: ast.Band, env: dict[str, str]) -> None:
        if step.cond is None:
            self.exit(self.const(step.level), "None")
            return
        self.emit(f"if {self.val(step.cond, env)}:")
        self.exit(self.const(step.level), "None", 2)
