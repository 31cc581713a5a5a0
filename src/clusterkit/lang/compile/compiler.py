"""Compile checked rules into Python functions, once.

Each rulebook becomes one generated Python module whose functions evaluate a rule
for one entity on plain Decimals, as a hand-written function would: no syntax tree
is walked and no unit object is made per entity.

Safety: the generated source is assembled only from this module's templates, the
schema's field-reading code, generated local names and integer indexes. Every
piece of rule text (strings, numbers, names, messages) reaches the generated code
as an entry of the constants table ``K``, never as source text, so rule files
cannot inject code.
"""

from __future__ import annotations

import keyword

from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.ast.visitor import Visitor
from clusterkit.lang.builtins import BUILTINS
from clusterkit.lang.check.checked import Checked
from clusterkit.lang.check.declared import schema_view
from clusterkit.lang.check.schema import FieldSpec
from clusterkit.lang.compile.compiled import (
    BookHeader,
    CompiledRulebook,
    Generated,
    Later,
    RulePlan,
    bind,
)
from clusterkit.lang.compile.precision import PrecisionCode
from clusterkit.lang.compile.rule_code import RuleCode
from clusterkit.lang.results.rule_info import Label, RuleInfo
from clusterkit.lang.types.units import DAYS, MONTHS, YEARS, Dim
from clusterkit.lang.types.value_types import DateT, NumT, Type

__all__ = ["compile_rulebook", "generate"]

_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_MAY_BE_NONE = (
    ast.Name,
    ast.Field,
    ast.Call,
    ast.Aggregate,
    ast.If,
    ast.NoneLit,
    ast.Index,
    ast.Dated,
)
_DURATION_UNITS = {YEARS: "year", MONTHS: "month", DAYS: "day"}


class _Gen(RuleCode, PrecisionCode, Visitor[str]):
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
        self.function_index: dict[str, int] = {}
        self.view = schema_view(checked.schema, checked.currency)
        self.env: dict[str, str] = {}
        # Set while generating a rule's batch function ``B`` (see RuleCode.batch):
        # no trace is kept and exits go on to the next entity; ``depth`` indents the
        # body inside its loop.
        self.batching = False
        self.depth = 0
        # Inside the collection a comprehension goes through (see ``val``).
        self.iterables = 0
        #: Each rule's batch function, generated apart (see :class:`_LazyBatch`).
        self.batches: dict[int, tuple[list[str], list[Span | None]]] = {}

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
        self.lines.append("    " * (indent + self.depth) + line)
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
            what = self.const(self.source(node))
            if self.iterables:  # a comprehension's iterable cannot hold an assignment
                return f"rt.nn({code}, {what})"
            # Checked inline, with no call, when the value is there (the usual case).
            name = self.fresh("N")
            return f"({name} if ({name} := {code}) is not None else rt.nn(None, {what}))"
        return code

    def iterable(self, node: ast.Expr, env: dict[str, str]) -> str:
        """Code for the collection a comprehension goes through."""
        self.iterables += 1
        try:
            return self.val(node, env)
        finally:
            self.iterables -= 1

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
        if symbol.kind == "param":
            return self.param(node.id, "ctx.as_of")
        if symbol.kind == "figure":
            figure_id, _factor, sym = self.checked.figures[node.id]
            dim = sym.type.dim if isinstance(sym.type, NumT) else None
            return f"rt.figure(ctx, {self.const(figure_id)}, {self.const(dim)})"
        if symbol.kind == "collection":
            _kind, code, consts = self.view.collections[node.id]
            return code.format(**{f"k{i}": self.const(c) for i, c in enumerate(consts)})
        return "ctx.as_of"

    def param(self, name: str, day: str) -> str:
        info = self.checked.params[name]
        schedule, what = self.const(info.schedule), self.const(name)
        if info.varies():
            # The verdict notes the basis of the value it read.
            bases = self.const(tuple(_basis(b) or ("", "") for b in info.bases))
            return f"rt.param_noted({schedule}, {day}, {what}, ctx, {bases})"
        return f"rt.param_on({schedule}, {day}, {what})"

    def dated(self, node: ast.Dated) -> str:
        return self.param(node.name, self.arg(node.date))

    def table_lit(self, node: ast.TableLit) -> str:
        return self.const(self.checked.tables.constants[id(node)])

    def index(self, node: ast.Index) -> str:
        what = self.const(self.source(node.obj))
        return f"rt.lookup({self.arg(node.obj)}, {self.arg(node.key)}, {what})"

    def field(self, node: ast.Field) -> str:
        obj = self.arg(node.obj)
        spec = self.checked.fields[id(node)]
        if isinstance(spec, FieldSpec):
            consts = {f"k{i}": self.const(value) for i, value in enumerate(spec.consts)}
            return spec.code.format(x=f"({obj})", **consts)
        index = self.define_index[(spec.node.entity, spec.node.name)]
        return f"D[{index}](ctx, {obj})"

    def unary(self, node: ast.Unary) -> str:
        inner = self.arg(node.operand)
        return f"(not {inner})" if node.op == "not" else f"(-{inner})"

    def binary(self, node: ast.Binary) -> str:
        left, right = self.arg(node.left), self.arg(node.right)
        lt, rt_ = self.type(node.left), self.type(node.right)
        if isinstance(lt, DateT) and isinstance(rt_, DateT):
            return f"rt.day_diff({left}, {right})"
        if isinstance(lt, DateT) or isinstance(rt_, DateT):
            date, amount, duration = (
                (left, right, rt_)
                if isinstance(lt, DateT)
                else (
                    right,
                    left,
                    lt,
                )
            )
            unit = _DURATION_UNITS[duration.dim] if isinstance(duration, NumT) else "day"
            sign = "-" if node.op == "-" else ""
            return f"rt.shift_date({date}, {sign}{amount}, {self.const(unit)})"
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
        container = node.container
        if isinstance(container, ast.ListLit):
            items = ", ".join(self.arg(i) for i in container.items)
            inside = f"({items},)"
        else:
            inside = self.arg(container)
        return f"({self.arg(node.operand)} {'not in' if node.negated else 'in'} {inside})"

    def list_lit(self, node: ast.ListLit) -> str:
        items = ", ".join(self.arg(i) for i in node.items)
        return f"({items},)" if node.items else "()"

    def if_(self, node: ast.If) -> str:
        cond = self.arg(node.cond)
        return f"({self.visit(node.then)} if {cond} else {self.visit(node.else_)})"

    def aggregate(self, node: ast.Aggregate) -> str:
        var = self.fresh("V")
        inner = {**self.env, node.var: var}
        source = self.iterable(node.source, self.env)
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
        builtin = BUILTINS.get(node.func)
        if builtin is not None:
            return builtin.emit(self, node)
        args = "".join(f", {self.arg(a)}" for a in node.args)
        return f"F[{self.function_index[node.func]}](ctx{args})"


def compile_rulebook(checked: Checked) -> CompiledRulebook:
    """Generate, compile and bind the functions of one checked rule file."""
    return bind(
        generate(checked),
        schema=checked.schema,
        text=checked.file.text,
        checked=Later.now(checked),
    )


def generate(checked: Checked) -> Generated:
    """The Python source of one checked rule file and what its rules share: data that
    :func:`clusterkit.lang.compile.compiled.bind` makes a rulebook of."""
    gen = _Gen(checked)
    defines = list(checked.visible_defines.items())
    for index, (key, _info) in enumerate(defines):
        gen.define_index[key] = index
    functions = list(checked.functions.values())
    for index, function in enumerate(functions):
        gen.function_index[function.node.name] = index
        gen.function(function, index)
    for index, (_key, define) in enumerate(defines):
        gen.define(define, index)
    metas = [gen.rule(rule, index) for index, rule in enumerate(checked.rules)]
    score_labels = (gen.label("total", "total", None), gen.label("rank", "rank", None))
    source = "\n".join(gen.lines) + "\n"
    # Batch functions follow the rest in the generated source and its line spans, so a
    # traceback's line numbers name their rule text too.
    batches = []
    spans = list(gen.spans)
    for index, (lines, batch_spans) in sorted(gen.batches.items()):
        batches.append((index, len(spans), "\n".join(lines) + "\n"))
        spans.extend(batch_spans)
    labels = tuple(gen.labels)
    header = checked.file.header
    plans = []
    for rule, meta in zip(checked.rules, metas, strict=True):
        if rule.iteration is not None:
            source_type = checked.types[id(rule.iteration.source)]
            kind = getattr(getattr(source_type, "elem", None), "kind", None) or "dataset"
        else:
            kind = "dataset"
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
            outcome_labels=rule.outcome_labels,
            basis=_basis(rule.basis or header.basis),
            parameters=tuple(
                (name, *(_basis(checked.bases.get(name)) or ("", "")))
                for name in sorted(checked.rule_uses.get(id(rule), ()))
                if name in checked.bases
            ),
        )
        select = rule.select
        plans.append(
            RulePlan(
                info,
                rule.iteration is not None,
                tuple(c[0] for c in meta["criteria"]),
                select.top if select is not None else None,
                tuple(select.tie) if select is not None else (),
            )
        )
    book = BookHeader(
        id=header.id,
        version=header.version,
        path=checked.path,
        currency=checked.currency,
        content_hash=checked.content_hash,
        in_force_from=header.in_force_from,
        in_force_until=header.in_force_until,
        is_schema=header.is_schema,
    )
    return Generated(
        book,
        source,
        tuple(gen.consts),
        len(defines),
        len(functions),
        tuple(plans),
        score_labels,
        tuple(batches),
        tuple(spans),
    )


def _basis(basis: ast.Basis | None) -> tuple[str, str] | None:
    return None if basis is None else (basis.kind, basis.note)
