"""Compile checked rules into Python functions, once.

Each rulebook becomes one generated Python module whose functions evaluate a rule
for one entity on plain Decimals, as a hand-written function would: no syntax tree
is walked and no pint object is made per entity.

Safety: the generated source is assembled only from this module's templates, the
schema's field-reading code, generated local names and integer indexes. Every
piece of rule text (strings, numbers, names, messages) reaches the generated code
as an entry of the constants table ``K``, never as source text, so rule files
cannot inject code.
"""

from __future__ import annotations

import keyword
from decimal import Decimal
from typing import Any

from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.builtins import BUILTINS
from clusterkit.lang.check.checked import Checked, DefineInfo
from clusterkit.lang.check.schema import COLLECTIONS, FieldSpec
from clusterkit.lang.check.types import NumT, Type
from clusterkit.lang.check.units import Dim
from clusterkit.lang.compiled import CompiledRule, CompiledRulebook
from clusterkit.lang.results import Label, RequireInfo, RuleInfo
from clusterkit.lang.runtime import RT
from clusterkit.lang.runtime.context import Context
from clusterkit.lang.visitor import Visitor

__all__ = ["compile_rulebook"]

_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITH = {"+", "-", "*", "/"}
_MAY_BE_NONE = (ast.Name, ast.Field, ast.Call, ast.Aggregate, ast.If, ast.NoneLit)


class _Gen(Visitor[str]):
    """Generates the Python source of one rulebook; each method gives the code of one
    kind of expression, with ``env`` mapping rule names to generated local names."""

    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        self.consts: list[object] = []
        self.const_index: dict[tuple[type, object], int] = {}
        self.labels: list[Label] = []
        self.lines: list[str] = []
        self.spans: list[Span | None] = []
        self.where: Span | None = None
        self.counter = 0
        self.define_index: dict[tuple[str, str], int] = {}
        self.env: dict[str, str] = {}

    # -- tables and output --
    def const(self, value: object) -> str:
        """A reference to ``value`` in the constants table (every value here is hashable)."""
        key = (type(value), value)
        index = self.const_index.get(key)
        if index is None:
            index = len(self.consts)
            self.consts.append(value)
            self.const_index[key] = index
        return f"K[{index}]"

    def label(self, text: str, role: str, t: Type | None) -> int:
        self.labels.append(Label(text, role, t))
        return len(self.labels) - 1

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        name = f"{prefix}{self.counter}"
        # Generated names only: never a keyword, never rule text.
        assert name.isidentifier()
        assert not keyword.iskeyword(name)
        return name

    def source(self, node: ast.Expr) -> str:
        return ast.source_text(self.checked.file.text, node.span)

    def type(self, node: ast.Expr) -> Type:
        return self.checked.types[id(node)]

    def emit(self, line: str, indent: int = 1) -> None:
        self.lines.append("    " * indent + line)
        self.spans.append(self.where)

    def start(self, header: str, span: Span | None) -> None:
        """Begin a generated function for the rule text at ``span``."""
        self.where = span
        self.lines.append(header)
        self.spans.append(span)

    def end(self) -> None:
        self.lines.append("")
        self.spans.append(None)

    # -- expressions (point values) --
    def code(self, node: ast.Expr, env: dict[str, str]) -> str:
        saved, self.env = self.env, env
        try:
            return self.visit(node)
        finally:
            self.env = saved

    def val(self, node: ast.Expr, env: dict[str, str]) -> str:
        """Code for a value that must be present: missing data raises Missing."""
        code = self.code(node, env)
        # Operators check their own operands, so only a read, a call, an aggregate or a
        # branch can give None here.
        if self.type(node).nullable and isinstance(node, _MAY_BE_NONE):
            return f"rt.nn({code}, {self.const(self.source(node))})"
        return code

    def arg(self, node: ast.Expr) -> str:
        return self.val(node, self.env)

    def indicator_dim(self, name: str) -> Dim:
        return self.checked.indicators[name][1]

    def number(self, node: ast.Number) -> str:
        return self.const(self.checked.literals[id(node)])

    def string_lit(self, node: ast.StringLit) -> str:
        return self.const(node.value)

    def date_lit(self, node: ast.DateLit) -> str:
        return self.const(node.value)

    def bool_lit(self, node: ast.BoolLit) -> str:
        return "True" if node.value else "False"

    def none_lit(self, node: ast.NoneLit) -> str:
        return "None"

    def name(self, node: ast.Name) -> str:
        symbol = self.checked.names[id(node)]
        if symbol.kind in ("var", "let", "criterion"):
            return self.env[node.id]
        if symbol.kind == "const":
            return self.const(self.checked.const_values[node.id])
        if symbol.kind == "figure":
            figure_id, _factor, sym = self.checked.figures[node.id]
            dim = sym.type.dim if isinstance(sym.type, NumT) else None
            return f"rt.figure(ctx, {self.const(figure_id)}, {self.const(dim)})"
        if symbol.kind == "collection":
            return COLLECTIONS[node.id][1]
        return "ctx.as_of"

    def field(self, node: ast.Field) -> str:
        obj = self.arg(node.obj)
        spec = self.checked.fields[id(node)]
        if isinstance(spec, FieldSpec):
            return spec.code.format(x=f"({obj})")
        index = self.define_index[(spec.node.entity, spec.node.name)]
        return f"D[{index}](ctx, {obj})"

    def unary(self, node: ast.Unary) -> str:
        inner = self.arg(node.operand)
        return f"(not {inner})" if node.op == "not" else f"(-{inner})"

    def binary(self, node: ast.Binary) -> str:
        left, right = self.arg(node.left), self.arg(node.right)
        if node.op == "/":
            return f"rt.div({left}, {right}, {self.const(self.source(node.right))})"
        # + - * and the logical and/or are the same operators in Python.
        return f"({left} {node.op} {right})"

    def compare(self, node: ast.Compare) -> str:
        parts = [self.arg(node.operands[0])]
        for op, operand in zip(node.ops, node.operands[1:], strict=True):
            parts.extend((_OPS[op], self.arg(operand)))
        return f"({' '.join(parts)})"

    def is_none(self, node: ast.IsNone) -> str:
        return f"({self.visit(node.operand)} is {'not ' if node.negated else ''}None)"

    def member(self, node: ast.Member) -> str:
        items = ", ".join(self.arg(i) for i in node.items)
        return f"({self.arg(node.operand)} {'not in' if node.negated else 'in'} ({items},))"

    def list_lit(self, node: ast.ListLit) -> str:
        items = ", ".join(self.arg(i) for i in node.items)
        return f"({items},)" if node.items else "()"

    def if_(self, node: ast.If) -> str:
        cond = self.arg(node.cond)
        return f"({self.visit(node.then)} if {cond} else {self.visit(node.else_)})"

    def aggregate(self, node: ast.Aggregate) -> str:
        var = self.fresh("V")
        inner = {**self.env, node.var: var}
        source = self.arg(node.source)
        cond = f" if {self.val(node.where, inner)}" if node.where is not None else ""
        if node.value is None:
            if node.func == "count":
                return f"Decimal(sum(1 for {var} in {source}{cond}))"
            where = self.val(node.where, inner) if node.where is not None else "True"
            return f"{node.func}({where} for {var} in {source})"
        value = self.val(node.value, inner)
        helper = {"sum": "total", "min": "smallest", "max": "largest", "average": "average"}
        return f"rt.{helper[node.func]}({value} for {var} in {source}{cond})"

    def call(self, node: ast.Call) -> str:
        return BUILTINS[node.func].emit(self, node)

    # -- expressions (intervals, for 'within precision') --
    def ival(self, node: ast.Expr, env: dict[str, str], lets: dict[str, ast.Let]) -> str:
        """Code for the interval of values an expression can have, given the stated
        precision of the data it reads."""
        if isinstance(node, ast.Number):
            return f"rt.exact({self.code(node, env)})"
        if isinstance(node, ast.Name):
            symbol = self.checked.names[id(node)]
            if symbol.kind == "let":
                return self.ival(lets[node.id].expr, env, lets)
            if symbol.kind == "const":
                return f"rt.exact({self.code(node, env)})"
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
            source = self.val(node.source, env)
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
        if isinstance(node, ast.Field | ast.Call) and isinstance(self.type(node), NumT):
            return f"rt.ival({self.val(node, env)})"
        return f"rt.exact({self.val(node, env)})"

    # -- definitions and rules --
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
        self.where = rule.span
        if rule.kind == "rule":
            self.emit("return ('pass', T, None)")
        elif rule.kind == "monitor":
            if not any(isinstance(s, ast.Band) and s.cond is None for s in rule.steps):
                self.emit(f"raise rt.Missing({self.const('a grading band that applies')})")
        else:
            values = ", ".join(c[1] for c in meta["criteria"])
            weights = ", ".join(c[2] for c in meta["criteria"])
            self.emit(f"return ('score', T, (({values},), ({weights},)))")
        self.end()
        return meta

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
            if isinstance(node, ast.Number | ast.StringLit | ast.BoolLit | ast.NoneLit):
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


def compile_rulebook(checked: Checked) -> CompiledRulebook:
    """Generate, compile and bind the functions of one checked rule file."""
    gen = _Gen(checked)
    defines = list(checked.visible_defines.items())
    for index, (key, _info) in enumerate(defines):
        gen.define_index[key] = index
    for index, (_key, define) in enumerate(defines):
        gen.define(define, index)
    metas = [gen.rule(rule, index) for index, rule in enumerate(checked.rules)]
    score_labels = (gen.label("total", "total", None), gen.label("rank", "rank", None))
    source = "\n".join(gen.lines) + "\n"
    filename = f"<clusterkit rules {checked.path}>"
    namespace: dict[str, Any] = {"rt": RT, "K": gen.consts, "Decimal": Decimal, "D": []}
    exec(compile(source, filename, "exec"), namespace)
    namespace["D"].extend(namespace[f"D{i}"] for i in range(len(defines)))
    labels = tuple(gen.labels)
    header = checked.file.header
    rules = []
    for index, (rule, meta) in enumerate(zip(checked.rules, metas, strict=True)):
        if rule.iteration is not None:
            entities = namespace[f"IT{index}"]
            source_type = checked.types[id(rule.iteration.source)]
            kind = getattr(getattr(source_type, "elem", None), "kind", None) or "dataset"
        else:
            entities, kind = _once, "dataset"
        info = RuleInfo(
            rulebook=header.id,
            version=header.version,
            path=checked.path,
            rule=rule.name,
            kind=rule.kind,
            entity_kind=kind,
            titles=rule.titles,
            messages=rule.messages,
            source=rule.source or header.source,
            currency=checked.currency,
            labels=labels,
            requires=tuple(meta["requires"]),
        )
        rules.append(
            CompiledRule(
                info,
                rule,
                entities,
                namespace.get(f"W{index}"),
                namespace[f"R{index}"],
                tuple(c[0] for c in meta["criteria"]),
                namespace.get(f"M{index}"),
                score_labels,
            )
        )
    return CompiledRulebook(checked, tuple(rules), source, filename, tuple(gen.spans))


def _once(ctx: Context) -> list[Any]:
    return [None]
