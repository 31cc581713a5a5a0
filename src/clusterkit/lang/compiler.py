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
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from clusterkit.lang import ast, runtime
from clusterkit.lang.checked import Checked, DefineInfo
from clusterkit.lang.schema import COLLECTIONS, FieldSpec
from clusterkit.lang.types import NumT, Type

__all__ = ["CompiledRule", "CompiledRulebook", "Label", "RequireInfo", "compile_rulebook"]

_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITH = {"+", "-", "*", "/"}
_MAY_BE_NONE = (ast.Name, ast.Field, ast.Call, ast.Aggregate, ast.If, ast.NoneLit)


@attrs.frozen
class Label:
    """What a trace entry is: the source text, its role, and its type (for display)."""

    text: str
    role: str
    type: Type


@attrs.frozen
class RequireInfo:
    """A ``require`` step: its text, and for a single comparison its sides."""

    text: str
    op: str | None
    left: str
    right: str
    type: Type | None
    within: bool


@attrs.frozen
class CompiledRule:
    """A rule ready to run.

    Attributes:
        name, kind: the rule's name and kind (rule, monitor, score).
        node: its syntax tree, for titles, messages and source.
        entity_kind: the kind of entity it runs over (None: once for the dataset).
        entities: gives the entities to go through.
        where: whether an entity is in scope (None: all are).
        run: evaluates one entity: ``(status, trace, detail)``.
        labels: what each trace index means.
        requires: the rule's require steps, in order.
        bands: the monitor's band levels, in order.
        criteria: the score's criterion names, in order.
        minimum: gives a score's minimum, if it has one.
    """

    name: str
    kind: str
    node: ast.Rule
    entity_kind: str | None
    entities: Callable[[runtime.Context], list[Any]]
    where: Callable[[runtime.Context, Any], bool] | None
    run: Callable[[runtime.Context, Any], tuple[str, list[tuple[int, Any]], Any]]
    labels: tuple[Label, ...]
    requires: tuple[RequireInfo, ...] = ()
    bands: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    minimum: Callable[[runtime.Context], Any] | None = None


@attrs.frozen
class CompiledRulebook:
    """One compiled rule file."""

    checked: Checked
    rules: tuple[CompiledRule, ...]
    source: str

    @property
    def id(self) -> str:
        return self.checked.id


class _Gen:
    """Generates the Python source of one rulebook."""

    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        self.consts: list[object] = []
        self.const_index: dict[tuple[type, object], int] = {}
        self.labels: list[Label] = []
        self.lines: list[str] = []
        self.counter = 0
        self.define_index: dict[tuple[str, str], int] = {}

    # -- tables --
    def k(self, value: object) -> str:
        """A reference to ``value`` in the constants table (every value here is hashable)."""
        key = (type(value), value)
        index = self.const_index.get(key)
        if index is None:
            index = len(self.consts)
            self.consts.append(value)
            self.const_index[key] = index
        return f"K[{index}]"

    def label(self, text: str, role: str, t: Type) -> int:
        self.labels.append(Label(text, role, t))
        return len(self.labels) - 1

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        name = f"{prefix}{self.counter}"
        # Generated names only: never a keyword, never rule text.
        assert name.isidentifier()
        assert not keyword.iskeyword(name)
        return name

    def text(self, node: ast.Expr) -> str:
        return ast.source_text(self.checked.file.text, node.span)

    def type(self, node: ast.Expr) -> Type:
        return self.checked.types[id(node)]

    def emit(self, line: str, indent: int = 1) -> None:
        self.lines.append("    " * indent + line)

    # -- expressions (point values) --
    def val(self, node: ast.Expr, env: dict[str, str]) -> str:
        """Code for a value that must be present: missing data raises Missing."""
        code = self.expr(node, env)
        # Operators check their own operands, so only a read, a call, an aggregate or a
        # branch can give None here.
        if self.type(node).nullable and isinstance(node, _MAY_BE_NONE):
            return f"rt.nn({code}, {self.k(self.text(node))})"
        return code

    def expr(self, node: ast.Expr, env: dict[str, str]) -> str:
        if isinstance(node, ast.Number):
            return self.k(self.checked.literals[id(node)])
        if isinstance(node, ast.StringLit | ast.DateLit):
            return self.k(node.value)
        if isinstance(node, ast.BoolLit):
            return "True" if node.value else "False"
        if isinstance(node, ast.NoneLit):
            return "None"
        if isinstance(node, ast.Name):
            return self.name(node, env)
        if isinstance(node, ast.Field):
            return self.field(node, env)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        if isinstance(node, ast.Aggregate):
            return self.aggregate(node, env)
        if isinstance(node, ast.Unary):
            inner = self.val(node.operand, env)
            return f"(not {inner})" if node.op == "not" else f"(-{inner})"
        if isinstance(node, ast.Binary):
            return self.binary(node, env)
        if isinstance(node, ast.Compare):
            parts = [self.val(node.operands[0], env)]
            for op, operand in zip(node.ops, node.operands[1:], strict=True):
                parts.extend((_OPS[op], self.val(operand, env)))
            return f"({' '.join(parts)})"
        if isinstance(node, ast.IsNone):
            return f"({self.expr(node.operand, env)} is {'not ' if node.negated else ''}None)"
        if isinstance(node, ast.Member):
            items = ", ".join(self.val(i, env) for i in node.items)
            return (
                f"({self.val(node.operand, env)} {'not in' if node.negated else 'in'} ({items},))"
            )
        if isinstance(node, ast.ListLit):
            items = ", ".join(self.val(i, env) for i in node.items)
            return f"({items},)" if node.items else "()"
        cond = self.val(node.cond, env)
        return f"({self.expr(node.then, env)} if {cond} else {self.expr(node.else_, env)})"

    def name(self, node: ast.Name, env: dict[str, str]) -> str:
        symbol = self.checked.names[id(node)]
        if symbol.kind in ("var", "let", "criterion"):
            return env[node.id]
        if symbol.kind == "const":
            return self.k(self.checked.const_values[node.id])
        if symbol.kind == "figure":
            figure_id, _factor, sym = self.checked.figures[node.id]
            dim = sym.type.dim if isinstance(sym.type, NumT) else None
            return f"ctx.figure({self.k(figure_id)}, {self.k(dim)})"
        if symbol.kind == "collection":
            return COLLECTIONS[node.id][1]
        return "ctx.as_of"

    def field(self, node: ast.Field, env: dict[str, str]) -> str:
        obj = self.val(node.obj, env)
        spec = self.checked.fields[id(node)]
        if isinstance(spec, FieldSpec):
            return spec.code.format(x=f"({obj})")
        index = self.define_index[(spec.node.entity, spec.node.name)]
        return f"D[{index}](ctx, {obj})"

    def binary(self, node: ast.Binary, env: dict[str, str]) -> str:
        left, right = self.val(node.left, env), self.val(node.right, env)
        if node.op == "/":
            return f"rt.div({left}, {right}, {self.k(self.text(node.right))})"
        # + - * and the logical and/or are the same operators in Python.
        return f"({left} {node.op} {right})"

    def aggregate(self, node: ast.Aggregate, env: dict[str, str]) -> str:
        var = self.fresh("V")
        inner = {**env, node.var: var}
        source = self.val(node.source, env)
        cond = f" if {self.val(node.where, inner)}" if node.where is not None else ""
        if node.value is None:
            if node.func == "count":
                return f"Decimal(sum(1 for {var} in {source}{cond}))"
            where = self.val(node.where, inner) if node.where is not None else "True"
            return f"{node.func}({where} for {var} in {source})"
        value = self.val(node.value, inner)
        helper = {"sum": "total", "min": "smallest", "max": "largest", "average": "average"}
        return f"rt.{helper[node.func]}({value} for {var} in {source}{cond})"

    def call(self, node: ast.Call, env: dict[str, str]) -> str:
        f = node.func
        args = node.args
        if f in ("indicator", "attributed", "attributed_percent", "stated_effect"):
            cluster, year = self.val(args[0], env), self.val(args[2], env)
            name = args[1].value if isinstance(args[1], ast.StringLit) else ""
            dim = self.k(self.checked.indicators[name][1])
            if f == "indicator":
                return f"rt.indicator(ctx, {cluster}, {self.k(name)}, {year}, {dim})"
            if f == "attributed":
                return f"rt.attributed(ctx, {cluster}, {self.k(name)}, {year}, {dim})"
            field = "attributed_percent" if f == "attributed_percent" else "stated_effect_percent"
            head = f"rt.series_percent(ctx, {cluster}, {self.k(name)}, {year}, {dim}"
            return f"{head}, field={self.k(field)})"
        values = [self.val(a, env) for a in args]
        what = self.k(self.text(node))
        if f in ("growth", "share"):
            return f"rt.{f}({values[0]}, {values[1]}, {what})"
        if f == "cagr":
            return f"rt.cagr({values[0]}, {values[1]}, {values[2]}, {what})"
        if f == "round":
            mode = (
                args[2].value
                if len(args) == 3 and isinstance(args[2], ast.StringLit)
                else "half_up"
            )
            return f"rt.rnd({values[0]}, {values[1]}, {self.k(mode)})"
        if f in ("abs", "min", "max"):
            return f"{f}({', '.join(values)})"
        if f == "count":
            return f"Decimal(len({values[0]}))"
        if f == "contains":
            return f"({values[1]} in {values[0]})"
        if f == "points":
            return f"rt.points({values[0]}, {values[1]})"
        if f == "holds_label":
            return f"rt.holds_label(ctx, {values[0]}, {values[1]})"
        if f == "date":
            return f"rt.make_date({values[0]}, {values[1]}, {values[2]})"
        if f == "year":
            return f"Decimal({values[0]}.year)"
        if f == "end_of_year":
            return f"rt.end_of_year({values[0]})"
        if f == "years":
            return values[0]
        if f == "convert":
            code = args[1].value.upper() if isinstance(args[1], ast.StringLit) else ""
            return f"ctx.convert({values[0]}, {self.k(code)}, {values[2]})"
        raise AssertionError(f"no code for function {f}")  # the checker knows every function

    # -- expressions (intervals, for 'within precision') --
    def ival(self, node: ast.Expr, env: dict[str, str], lets: dict[str, ast.Let]) -> str:
        t = self.type(node)
        if isinstance(node, ast.Number):
            return f"rt.exact({self.expr(node, env)})"
        if isinstance(node, ast.Name):
            symbol = self.checked.names[id(node)]
            if symbol.kind == "let":
                return self.ival(lets[node.id].expr, env, lets)
            if symbol.kind == "const":
                return f"rt.exact({self.expr(node, env)})"
            return f"rt.ival({self.val(node, env)})"
        if isinstance(node, ast.Unary) and node.op == "-":
            return f"rt.ineg({self.ival(node.operand, env, lets)})"
        if isinstance(node, ast.Binary) and node.op in _ARITH:
            a, b = self.ival(node.left, env, lets), self.ival(node.right, env, lets)
            if node.op == "/":
                return f"rt.idiv({a}, {b}, {self.k(self.text(node.right))})"
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
            what = self.k(self.text(node))
            if node.func == "growth":
                return f"rt.igrowth({a}, {b}, {what})"
            return f"rt.idiv({a}, {b}, {what})"
        if isinstance(node, ast.If):
            cond = self.val(node.cond, env)
            then, other = self.ival(node.then, env, lets), self.ival(node.else_, env, lets)
            return f"({then} if {cond} else {other})"
        if isinstance(node, ast.Field | ast.Call) and isinstance(t, NumT):
            return f"rt.ival({self.val(node, env)})"
        return f"rt.exact({self.val(node, env)})"

    # -- rules --
    def define(self, info: DefineInfo, index: int) -> None:
        var = self.fresh("V")
        self.lines.append(f"def D{index}(ctx, e):")
        self.emit(f"{var} = e")
        self.emit(f"return {self.expr(info.node.expr, {info.node.var: var})}")
        self.lines.append("")

    def rule(self, rule: ast.Rule, index: int) -> dict[str, Any]:
        env: dict[str, str] = {}
        lets: dict[str, ast.Let] = {}
        meta: dict[str, Any] = {"requires": [], "bands": [], "criteria": []}
        if rule.iteration is not None:
            env[rule.iteration.var] = self.iteration(rule, index)
        if rule.select is not None and rule.select.minimum is not None:
            self.lines.append(f"def M{index}(ctx):")
            self.emit(f"return {self.val(rule.select.minimum, {})}")
            self.lines.append("")
        self.lines.append(f"def R{index}(ctx, e):")
        self.emit("T = []")
        if rule.iteration is not None:
            self.emit(f"{env[rule.iteration.var]} = e")
        if rule.applies is not None:
            self.emit(f"if not {self.val(rule.applies, env)}:")
            self.emit("return ('not_applicable', T, None)", 2)
        for step in rule.steps:
            if isinstance(step, ast.Let):
                name = self.fresh("L")
                env = {**env, step.name: name}
                lets[step.name] = step
                k = self.label(step.name, "let", self.type(step.expr))
                self.emit(f"{name} = {self.expr(step.expr, env)}")
                self.emit(f"T.append(({k}, {name}))")
            elif isinstance(step, ast.Require):
                self.require(step, len(meta["requires"]), env, lets, meta)
            elif isinstance(step, ast.Band):
                self.band(step, len(meta["bands"]), env)
                meta["bands"].append(step.level)
            else:
                name = self.fresh("C")
                env = {**env, step.name: name}
                k = self.label(step.name, "criterion", self.type(step.expr))
                self.emit(f"{name} = {self.val(step.expr, env)}")
                self.emit(f"T.append(({k}, {name}))")
                meta["criteria"].append((step.name, name, self.val(step.weight, env)))
        if rule.kind == "rule":
            self.emit("return ('pass', T, None)")
        elif rule.kind == "monitor":
            if not rule.steps or not any(
                isinstance(s, ast.Band) and s.cond is None for s in rule.steps
            ):
                self.emit(f"raise rt.Missing({self.k('a grading band that applies')})")
        else:
            values = ", ".join(c[1] for c in meta["criteria"])
            weights = ", ".join(c[2] for c in meta["criteria"])
            self.emit(f"return ('score', T, (({values},), ({weights},)))")
        self.lines.append("")
        return meta

    def iteration(self, rule: ast.Rule, index: int) -> str:
        """Emit IT (the entities) and W (the 'where' filter); return the variable's name."""
        iteration = rule.iteration
        assert iteration is not None
        var = self.fresh("V")
        self.lines.append(f"def IT{index}(ctx):")
        self.emit(f"return list({self.val(iteration.source, {})})")
        self.lines.append("")
        if iteration.where is not None:
            self.lines.append(f"def W{index}(ctx, e):")
            self.emit(f"{var} = e")
            self.emit(f"return {self.val(iteration.where, {iteration.var: var})}")
            self.lines.append("")
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
        text = ast.source_text(self.checked.file.text, step.expr.span)
        if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
            left, right = expr.operands
            op = expr.ops[0]
            t = self.type(left)
            kl = self.label(self.text(left), "left", t)
            kr = self.label(self.text(right), "right", self.type(right))
            if step.within_precision:
                self.emit(f"a = {self.ival(left, env, lets)}")
                self.emit(f"b = {self.ival(right, env, lets)}")
                self.emit(self.record_sides(left, right, kl, kr))
                self.emit(f"if not rt.icompare({self.k(op)}, a, b):")
            else:
                self.emit(f"a = {self.val(left, env)}")
                self.emit(f"b = {self.val(right, env)}")
                self.emit(self.record_sides(left, right, kl, kr))
                self.emit(f"if not (a {_OPS[op]} b):")
            self.emit(f"return ('fail', T, ({number}, a, b))", 2)
            meta["requires"].append(
                RequireInfo(text, op, self.text(left), self.text(right), t, step.within_precision)
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

    def band(self, step: ast.Band, number: int, env: dict[str, str]) -> None:
        if step.cond is None:
            self.emit(f"return ({self.k(step.level)}, T, {number})")
            return
        self.emit(f"if {self.val(step.cond, env)}:")
        self.emit(f"return ({self.k(step.level)}, T, {number})", 2)


def compile_rulebook(checked: Checked) -> CompiledRulebook:
    """Generate, compile and bind the functions of one checked rule file."""
    gen = _Gen(checked)
    defines = list(checked.visible_defines.items())
    for index, (key, _info) in enumerate(defines):
        gen.define_index[key] = index
    for index, (_key, info) in enumerate(defines):
        gen.define(info, index)
    metas = [gen.rule(rule, index) for index, rule in enumerate(checked.rules)]
    source = "\n".join(gen.lines) + "\n"
    namespace: dict[str, Any] = {"rt": runtime, "K": gen.consts, "Decimal": Decimal}
    namespace["D"] = []
    code = compile(source, f"<clusterkit rules {checked.path}>", "exec")
    exec(code, namespace)
    namespace["D"].extend(namespace[f"D{i}"] for i in range(len(defines)))
    labels = tuple(gen.labels)
    rules = []
    for index, (rule, meta) in enumerate(zip(checked.rules, metas, strict=True)):
        if rule.iteration is not None:
            entities = namespace[f"IT{index}"]
            source_type = checked.types[id(rule.iteration.source)]
            kind = getattr(getattr(source_type, "elem", None), "kind", None)
        else:
            entities = _once
            kind = None
        rules.append(
            CompiledRule(
                rule.name,
                rule.kind,
                rule,
                kind,
                entities,
                namespace.get(f"W{index}"),
                namespace[f"R{index}"],
                labels,
                tuple(meta["requires"]),
                tuple(meta["bands"]),
                tuple(c[0] for c in meta["criteria"]),
                namespace.get(f"M{index}"),
            )
        )
    return CompiledRulebook(checked, tuple(rules), source)


def _once(ctx: runtime.Context) -> list[Any]:
    return [None]
