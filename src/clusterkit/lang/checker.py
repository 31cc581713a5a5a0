"""The checker: names, types, units and structure, before any data is read.

It walks every parsed rule file once and collects every problem as a
:class:`~clusterkit.diagnostics.Diagnostic` with a stable code: unknown names and
fields (with "did you mean"), type errors, unit and currency errors, overlapping or
gapped grading bands, overlapping effective dates of one rulebook's versions, import
cycles, and unused definitions. What it learns (each expression's type, each name's
meaning, each literal's value in base units) is kept in a :class:`Checked` record
for the compiler.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Iterator, Sequence
from decimal import Decimal

import attrs

from clusterkit.diagnostics import Diagnostic, Severity, Span
from clusterkit.lang import ast
from clusterkit.lang.bands import Interval, first_gap
from clusterkit.lang.builtins import BuiltinChecks, function_names, points_dim
from clusterkit.lang.checked import Checked, DefineInfo, Symbol, suggest
from clusterkit.lang.schema import COLLECTIONS, ENTITIES, FieldSpec, collection_type, entity_fields
from clusterkit.lang.types import (
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
    TextT,
    Type,
    describe,
    nullable,
)
from clusterkit.lang.units import (
    DIMENSIONLESS,
    Dim,
    UnitError,
    dim_text,
    known_unit_words,
    resolve_unit,
    unit_dim,
)
from clusterkit.money import MoneyError, check_currency

__all__ = ["Checked", "DefineInfo", "Symbol", "check_files"]

DEFAULT_CURRENCY = "KZT"
_ERR = ERR


def _key(node: object) -> object:
    """A structural key of an expression, ignoring positions (for band analysis)."""
    if isinstance(node, tuple):
        return tuple(_key(n) for n in node)
    cls = type(node)
    if attrs.has(cls):
        names = [a.name for a in attrs.fields(cls) if a.name != "span"]
        return (cls.__name__, *(_key(getattr(node, n)) for n in names))
    return node


class _Scope:
    """Nested name scopes: rule-local lets and variables over file-level names."""

    def __init__(self, names: dict[str, Symbol], parent: _Scope | None = None) -> None:
        self.names = names
        self.parent = parent

    def lookup(self, name: str) -> Symbol | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None

    def all_names(self) -> list[str]:
        out: list[str] = []
        scope: _Scope | None = self
        while scope is not None:
            out.extend(scope.names)
            scope = scope.parent
        return out

    def child(self, names: dict[str, Symbol] | None = None) -> _Scope:
        return _Scope(dict(names or {}), self)


class _FileChecker(BuiltinChecks):
    """Checks one rule file against the files it imports."""

    def __init__(
        self,
        file: ast.RuleFile,
        imported: Sequence[Checked],
        diagnostics: list[Diagnostic],
        used: set[tuple[str, str]],
    ) -> None:
        self.file = file
        self.diagnostics = diagnostics
        self.used = used
        currency = DEFAULT_CURRENCY
        header = file.header
        if header.currency is not None:
            try:
                currency = check_currency(header.currency)
            except MoneyError:
                self.error(
                    "R207",
                    header.currency_span or header.span,
                    f"unknown currency {header.currency!r}",
                    suggest(header.currency.upper(), ("KZT", "USD", "EUR", "GBP", "RUB")),
                )
        self.result = Checked(
            file,
            currency,
            hashlib.sha256(file.text.encode("utf-8")).hexdigest(),
            imports=[c.path for c in imported],
        )
        self.globals: dict[str, Symbol] = {
            name: Symbol("collection", name, collection_type(name)) for name in COLLECTIONS
        }
        self.globals["as_of"] = Symbol("as_of", "as_of", DATE)
        for other in imported:
            if other.currency != currency:
                self.error(
                    "R208",
                    header.span,
                    f"imports {other.path}, whose currency is {other.currency}, "
                    f"into a rulebook in {currency}",
                )
            self.globals.update(other.consts)
            self.globals.update({name: sym for name, (_, _, sym) in other.figures.items()})
            self.result.indicators.update(other.indicators)
            self.result.visible_defines.update(other.visible_defines)
            self.result.const_values.update(other.const_values)
            self.result.figures.update(other.figures)
        if (
            header.in_force_from
            and header.in_force_until
            and header.in_force_until < header.in_force_from
        ):
            self.error(
                "R501", header.span, "the rulebook is in force until a date before it starts"
            )

    # -- reporting ----------------------------------------------------------------------
    def error(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(code, Severity.ERROR, message, file=span.file, span=span, hint=hint)
        )

    def warning(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(code, Severity.WARNING, message, file=span.file, span=span, hint=hint)
        )

    # -- items -------------------------------------------------------------------------
    def run(self) -> Checked:
        scope = _Scope(self.globals)
        for item in self.file.items:
            if isinstance(item, ast.Const):
                self.const(item, scope)
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

    def declare(self, scope: _Scope, symbol: Symbol, span: Span) -> None:
        if symbol.name in scope.names and scope.names[symbol.name].kind != "collection":
            self.error("R206", span, f"{symbol.name!r} is already defined")
        elif symbol.name in COLLECTIONS or symbol.name == "as_of":
            self.error("R206", span, f"{symbol.name!r} is a built-in name")
        scope.names[symbol.name] = symbol

    def const(self, item: ast.Const, scope: _Scope) -> None:
        t = self.expr(item.expr, scope)
        value = self.constant_value(item.expr)
        if value is None and not isinstance(t, ErrT):
            self.error(
                "R209",
                item.expr.span,
                f"const {item.name!r} must be a fixed value (numbers, units, text, dates, "
                "and other consts)",
            )
        symbol = Symbol("const", item.name, t, self.file.path, item)
        self.declare(scope, symbol, item.span)
        self.result.consts[item.name] = symbol
        self.result.const_values[item.name] = value

    def figure(self, item: ast.FigureDecl, scope: _Scope) -> None:
        unit = self.unit(item.unit)
        if unit is None:
            return
        factor, dim = unit
        symbol = Symbol(
            "figure",
            item.name,
            NumT(dim, percent=item.unit.name == "%", nullable=True),
            self.file.path,
            item,
        )
        self.declare(scope, symbol, item.span)
        self.result.figures[item.name] = (item.figure_id, factor, symbol)

    def define(self, item: ast.Define, scope: _Scope) -> None:
        if item.entity not in ENTITIES:
            self.error(
                "R210",
                item.span,
                f"{item.entity!r} is not an entity kind",
                suggest(item.entity, ENTITIES),
            )
            return
        key = (item.entity, item.name)
        if item.name in entity_fields(item.entity, self.result.currency):
            self.error("R206", item.span, f"{item.entity} already has a field {item.name!r}")
            return
        if key in self.result.visible_defines:
            self.error("R206", item.span, f"{item.entity}.{item.name} is already defined")
            return
        inner = scope.child({item.var: Symbol("var", item.var, EntityT(item.entity))})
        t = self.expr(item.expr, inner)
        info = DefineInfo(item, t, self.file.path)
        self.result.defines[key] = info
        self.result.visible_defines[key] = info

    def unit(self, spec: ast.UnitSpec) -> tuple[Decimal, Dim] | None:
        try:
            return resolve_unit(spec.scale, spec.name, spec.per)
        except UnitError as exc:
            word = str(exc)
            options = [*known_unit_words(), "KZT", "USD", "EUR", "GBP", "RUB"]
            self.error("R204", spec.span, f"unknown unit {word!r}", suggest(word, options))
            return None

    # -- rules -------------------------------------------------------------------------
    def rule(self, item: ast.Rule, outer: _Scope) -> None:
        self.result.rules.append(item)
        scope = outer.child()
        if item.iteration is not None:
            source = self.expr(item.iteration.source, scope)
            elem = self.element_type(source, item.iteration.source.span)
            scope.names[item.iteration.var] = Symbol("var", item.iteration.var, elem)
            if item.iteration.where is not None:
                self.condition(item.iteration.where, scope, "'where'")
        if item.applies is not None:
            self.condition(item.applies, scope, "'when'")
        self.rule_shape(item)
        criteria: list[ast.Criterion] = []
        for step in item.steps:
            if isinstance(step, ast.Let):
                t = self.expr(step.expr, scope)
                self.declare(scope, Symbol("let", step.name, t, self.file.path, step), step.span)
            elif isinstance(step, ast.Require):
                self.condition(step.expr, scope, "'require'")
                if step.within_precision and not isinstance(step.expr, ast.Compare):
                    self.error("R306", step.span, "'within precision' applies to a comparison")
            elif isinstance(step, ast.Band):
                if step.cond is not None:
                    self.condition(step.cond, scope, f"the {step.level} band")
            else:
                self.criterion(step, scope)
                criteria.append(step)
                scope.names[step.name] = Symbol(
                    "criterion", step.name, NumT(points_dim()), "", step
                )
        if item.kind == "monitor":
            self.bands([s for s in item.steps if isinstance(s, ast.Band)])
        if item.kind == "score":
            self.scoring(item, criteria, scope)
        self.unused_lets(item)

    def rule_shape(self, item: ast.Rule) -> None:
        kinds = {type(s).__name__ for s in item.steps}
        allowed = {
            "rule": {"Let", "Require"},
            "monitor": {"Let", "Band"},
            "score": {"Let", "Criterion"},
        }[item.kind]
        for step in item.steps:
            if type(step).__name__ not in allowed:
                what = {
                    "Require": "'require'",
                    "Band": "grading bands",
                    "Criterion": "criteria",
                    "Let": "'let'",
                }[type(step).__name__]
                home = {"Require": "a rule", "Band": "a monitor", "Criterion": "a score"}
                self.error(
                    "R110",
                    step.span,
                    f"{what} go in {home[type(step).__name__]}, not in a {item.kind}",
                )
        needed = {
            "rule": ("Require", "a rule needs at least one 'require'"),
            "monitor": ("Band", "a monitor needs grading bands"),
            "score": ("Criterion", "a score needs at least one criterion"),
        }[item.kind]
        if needed[0] not in kinds:
            self.error("R111", item.span, needed[1])
        if item.kind == "score" and item.select is None:
            self.error("R111", item.span, "a score needs a 'select top N' line")
        if item.kind != "score" and (item.select is not None or item.scale is not None):
            self.error("R110", item.span, "'select' and 'scale' belong in a score")
        if item.kind in ("monitor", "score") and item.iteration is None:
            self.error("R111", item.span, f"a {item.kind} needs 'for each'")

    def criterion(self, step: ast.Criterion, scope: _Scope) -> None:
        weight = self.expr(step.weight, scope)
        if not isinstance(weight, ErrT) and not (
            isinstance(weight, NumT) and weight.dim == DIMENSIONLESS
        ):
            self.error(
                "R302", step.weight.span, f"a weight is a percentage, not {describe(weight)}"
            )
        t = self.expr(step.expr, scope)
        if isinstance(t, ErrT):
            return
        if not isinstance(t, NumT) or t.dim not in (points_dim(), DIMENSIONLESS):
            self.error("R302", step.expr.span, f"a criterion gives points, not {describe(t)}")

    def scoring(self, item: ast.Rule, criteria: list[ast.Criterion], scope: _Scope) -> None:
        weights = [self.constant_value(c.weight) for c in criteria]
        if criteria and all(isinstance(w, Decimal) for w in weights):
            total = sum((w for w in weights if isinstance(w, Decimal)), Decimal(0))
            if total != 1:
                self.error(
                    "R305",
                    item.span,
                    f"the criteria's weights add up to {(total * 100).normalize():f} %, not 100 %",
                )
        names = {c.name for c in criteria}
        if item.scale is not None:
            for bound in item.scale:
                t = self.expr(bound, scope)
                if isinstance(t, NumT) and t.dim not in (points_dim(), DIMENSIONLESS):
                    self.error("R302", bound.span, f"a scale is in points, not {describe(t)}")
        if item.select is not None:
            if item.select.minimum is not None:
                t = self.expr(item.select.minimum, scope)
                if isinstance(t, NumT) and t.dim not in (points_dim(), DIMENSIONLESS):
                    self.error(
                        "R302",
                        item.select.minimum.span,
                        f"a minimum score is in points, not {describe(t)}",
                    )
            for name in item.select.tie:
                if name not in names:
                    self.error(
                        "R201",
                        item.select.span,
                        f"no criterion {name!r} to break ties by",
                        suggest(name, names),
                    )

    def unused_lets(self, item: ast.Rule) -> None:
        for step in item.steps:
            if isinstance(step, ast.Let) and (self.file.path, f"let:{id(step)}") not in self.used:
                self.warning("W601", step.span, f"let {step.name!r} is never used")

    # -- grading bands ---------------------------------------------------------------------
    def bands(self, bands: list[ast.Band]) -> None:
        otherwise = [b for b in bands if b.cond is None]
        if len(otherwise) > 1 or (otherwise and bands[-1] is not otherwise[0]):
            self.error(
                "R404", otherwise[-1].span, "'otherwise' must be the last band, and only one"
            )
        intervals: list[tuple[ast.Band, Interval]] = []
        subject: object = None
        for band in bands:
            if band.cond is None:
                continue
            found = self.band_interval(band.cond)
            if found is None:
                return  # not a simple range over one value: nothing to analyse
            key, interval = found
            if subject is None:
                subject = key
            elif key != subject:
                return
            intervals.append((band, interval))
        for i, (band_a, a) in enumerate(intervals):
            for band_b, b in intervals[i + 1 :]:
                overlap = a.intersect(b)
                if overlap is not None:
                    self.error(
                        "R402",
                        band_b.span,
                        f"the {band_a.level} and {band_b.level} bands overlap ({overlap.text()})",
                        "make each value fall in exactly one band",
                    )
        if not otherwise and intervals:
            gap = first_gap([iv for _, iv in intervals])
            if gap is not None:
                self.error(
                    "R403",
                    intervals[-1][0].span,
                    f"no band covers values {gap}",
                    "add a band for them, or end with 'ok otherwise'",
                )

    def band_interval(self, cond: ast.Expr) -> tuple[object, Interval] | None:
        if not isinstance(cond, ast.Compare):
            return None
        values = [self.constant_value(o) for o in cond.operands]
        subjects = [o for o, v in zip(cond.operands, values, strict=True) if v is None]
        if len(subjects) != 1:
            return None
        subject = subjects[0]
        interval = Interval()
        for (left, right), op, (lv, rv) in zip(
            itertools.pairwise(cond.operands), cond.ops, itertools.pairwise(values), strict=True
        ):
            if left is subject and isinstance(rv, Decimal):
                interval = interval.constrain(op, rv)
            elif right is subject and isinstance(lv, Decimal):
                interval = interval.constrain(_FLIP[op], lv)
            else:
                return None
        return _key(subject), interval

    # -- expressions -----------------------------------------------------------------------
    def condition(self, node: ast.Expr, scope: _Scope, what: str) -> None:
        t = self.expr(node, scope)
        if not isinstance(t, BoolT | ErrT):
            self.error("R301", node.span, f"{what} needs a yes/no condition, not {describe(t)}")

    def element_type(self, t: Type, span: Span) -> Type:
        if isinstance(t, ListT):
            return t.elem
        if not isinstance(t, ErrT):
            self.error("R301", span, f"expected a list to go through, got {describe(t)}")
        return _ERR

    def expr(self, node: ast.Expr, scope: _Scope) -> Type:
        t = self._expr(node, scope)
        self.result.types[id(node)] = t
        return t

    def _expr(self, node: ast.Expr, scope: _Scope) -> Type:
        if isinstance(node, ast.Number):
            return self.number(node)
        if isinstance(node, ast.StringLit):
            return TEXT
        if isinstance(node, ast.DateLit):
            return DATE
        if isinstance(node, ast.BoolLit):
            return BOOL
        if isinstance(node, ast.NoneLit):
            return NONE
        if isinstance(node, ast.Name):
            return self.name(node, scope)
        if isinstance(node, ast.Field):
            return self.field(node, scope)
        if isinstance(node, ast.Call):
            return self.call(node, scope)
        if isinstance(node, ast.Aggregate):
            return self.aggregate(node, scope)
        if isinstance(node, ast.Unary):
            return self.unary(node, scope)
        if isinstance(node, ast.Binary):
            return self.binary(node, scope)
        if isinstance(node, ast.Compare):
            return self.compare(node, scope)
        if isinstance(node, ast.IsNone):
            self.expr(node.operand, scope)
            return BOOL
        if isinstance(node, ast.Member):
            return self.member(node, scope)
        if isinstance(node, ast.ListLit):
            return self.list_literal(node, scope)
        return self.if_(node, scope)

    def number(self, node: ast.Number) -> Type:
        if node.unit is None:
            self.result.literals[id(node)] = node.value
            return NumT()
        unit = self.unit(node.unit)
        if unit is None:
            return _ERR
        factor, dim = unit
        self.result.literals[id(node)] = node.value * factor
        return NumT(dim, percent=node.unit.name == "%")

    def name(self, node: ast.Name, scope: _Scope) -> Type:
        symbol = scope.lookup(node.id)
        if symbol is None:
            self.error(
                "R201", node.span, f"unknown name {node.id!r}", suggest(node.id, scope.all_names())
            )
            return _ERR
        self.result.names[id(node)] = symbol
        if symbol.kind in ("const", "figure"):
            self.used.add((symbol.owner, symbol.name))
        elif symbol.kind == "let":
            self.used.add((self.file.path, f"let:{id(symbol.node)}"))
        return symbol.type

    def field(self, node: ast.Field, scope: _Scope) -> Type:
        obj = self.expr(node.obj, scope)
        if isinstance(obj, ErrT):
            return _ERR
        if isinstance(obj, ListT):
            self.error(
                "R203",
                node.span,
                f"{self.text(node.obj)!r} is a list; go through it with count(...), "
                f"sum(...), any(...) or all(...)",
            )
            return _ERR
        if not isinstance(obj, EntityT):
            self.error("R202", node.span, f"{describe(obj)} has no field {node.name!r}")
            return _ERR
        fields = entity_fields(obj.kind, self.result.currency)
        spec: FieldSpec | DefineInfo | None = fields.get(node.name)
        if spec is None:
            spec = self.result.visible_defines.get((obj.kind, node.name))
            if spec is not None:
                self.used.add((spec.owner, f"define:{obj.kind}.{node.name}"))
        if spec is None:
            options = [*fields, *(n for k, n in self.result.visible_defines if k == obj.kind)]
            self.error(
                "R202",
                node.span,
                f"a {obj.kind} has no field {node.name!r}",
                suggest(node.name, options),
            )
            return _ERR
        self.result.fields[id(node)] = spec
        return nullable(spec.type, spec.type.nullable or obj.nullable)

    def unary(self, node: ast.Unary, scope: _Scope) -> Type:
        t = self.expr(node.operand, scope)
        if isinstance(t, ErrT):
            return t
        if node.op == "not":
            if not isinstance(t, BoolT):
                self.error("R301", node.span, f"'not' needs a yes/no value, not {describe(t)}")
                return _ERR
            return t
        if not isinstance(t, NumT):
            self.error("R301", node.span, f"'-' needs a number, not {describe(t)}")
            return _ERR
        return t

    def binary(self, node: ast.Binary, scope: _Scope) -> Type:
        left = self.expr(node.left, scope)
        right = self.expr(node.right, scope)
        if isinstance(left, ErrT) or isinstance(right, ErrT):
            return _ERR
        is_null = left.nullable or right.nullable
        if node.op in ("and", "or"):
            for side, t in ((node.left, left), (node.right, right)):
                if not isinstance(t, BoolT):
                    self.error(
                        "R301", side.span, f"'{node.op}' joins yes/no conditions, not {describe(t)}"
                    )
                    return _ERR
            return BoolT(nullable=is_null)
        if not isinstance(left, NumT) or not isinstance(right, NumT):
            bad = node.left if not isinstance(left, NumT) else node.right
            self.error(
                "R301",
                bad.span,
                f"'{node.op}' needs numbers, not {describe(left if bad is node.left else right)}",
            )
            return _ERR
        if node.op in ("+", "-"):
            if _bare_zero(node.right):
                return nullable(left, is_null)
            if _bare_zero(node.left):
                return nullable(right, is_null)
            if left.dim != right.dim:
                self.error(
                    "R303", node.span, _mix_message(node.op, left, right), _mix_hint(left, right)
                )
                return _ERR
            return NumT(left.dim, left.percent and right.percent, is_null)
        if node.op == "*":
            dim = left.dim * right.dim
            percent = dim == DIMENSIONLESS and (left.percent or right.percent)
            return NumT(dim, percent, is_null)
        dim = left.dim / right.dim
        # Money over money is a ratio, shown as a percentage; so is a percentage halved.
        ratio = dim == DIMENSIONLESS and (left.dim != DIMENSIONLESS or left.percent)
        return NumT(dim, ratio, is_null)

    def compare(self, node: ast.Compare, scope: _Scope) -> Type:
        types = [self.expr(o, scope) for o in node.operands]
        ok = True
        for (a, b), (ta, tb), op in zip(
            itertools.pairwise(node.operands), itertools.pairwise(types), node.ops, strict=True
        ):
            ok = self.comparable(op, a, ta, b, tb) and ok
        if not ok:
            return _ERR
        return BoolT(nullable=any(t.nullable for t in types))

    def comparable(self, op: str, a: ast.Expr, ta: Type, b: ast.Expr, tb: Type) -> bool:
        if isinstance(ta, ErrT) or isinstance(tb, ErrT):
            return False
        if isinstance(ta, NoneT) or isinstance(tb, NoneT):
            self.error(
                "R301",
                a.span if isinstance(ta, NoneT) else b.span,
                "compare with none using 'is none' or 'is not none'",
            )
            return False
        if isinstance(ta, NumT) and isinstance(tb, NumT):
            if ta.dim != tb.dim and not (_bare_zero(a) or _bare_zero(b)):
                whole = Span(
                    a.span.file, a.span.line, a.span.column, b.span.end_line, b.span.end_column
                )
                self.error("R304", whole, _compare_message(ta, tb), _mix_hint(ta, tb))
                return False
            return True
        if type(ta) is not type(tb):
            self.error("R301", b.span, f"cannot compare {describe(ta)} with {describe(tb)}")
            return False
        if isinstance(ta, TextT | BoolT | EntityT | ListT) and op not in ("=", "!="):
            self.error("R301", a.span, f"{describe(ta)} can only be compared with = or !=")
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
                "R205",
                literal.span,
                f"{literal.value!r} is not one of: " + ", ".join(sorted(t.choices)),
                suggest(literal.value, t.choices),
            )

    def member(self, node: ast.Member, scope: _Scope) -> Type:
        t = self.expr(node.operand, scope)
        ok = True
        for item in node.items:
            ti = self.expr(item, scope)
            ok = self.comparable("=", node.operand, t, item, ti) and ok
        return BoolT(nullable=t.nullable) if ok else _ERR

    def list_literal(self, node: ast.ListLit, scope: _Scope) -> Type:
        types = [self.expr(i, scope) for i in node.items]
        if not types:
            return ListT(NONE)
        first = types[0]
        for item, t in zip(node.items[1:], types[1:], strict=True):
            if not self.comparable("=", node.items[0], first, item, t):
                return _ERR
        return ListT(first)

    def if_(self, node: ast.If, scope: _Scope) -> Type:
        self.condition(node.cond, scope, "'if'")
        a = self.expr(node.then, scope)
        b = self.expr(node.else_, scope)
        if isinstance(a, ErrT) or isinstance(b, ErrT):
            return _ERR
        if isinstance(a, NoneT):
            return nullable(b)
        if isinstance(b, NoneT):
            return nullable(a)
        if isinstance(a, NumT) and isinstance(b, NumT):
            if a.dim != b.dim:
                self.error(
                    "R303",
                    node.span,
                    "the two branches give numbers in different units: "
                    f"{dim_text(a.dim)} and {dim_text(b.dim)}",
                )
                return _ERR
            return NumT(a.dim, a.percent and b.percent, a.nullable or b.nullable)
        if type(a) is not type(b):
            self.error("R301", node.span, f"the branches give {describe(a)} and {describe(b)}")
            return _ERR
        return nullable(a, a.nullable or b.nullable)

    def aggregate(self, node: ast.Aggregate, scope: _Scope) -> Type:
        source = self.expr(node.source, scope)
        elem = self.element_type(source, node.source.span)
        inner = scope.child({node.var: Symbol("var", node.var, elem)})
        if node.where is not None:
            self.condition(node.where, inner, "'where'")
        counted = ("count", "any", "all")
        mapped = ("sum", "min", "max", "average")
        if node.value is None:
            if node.func not in counted:
                self.error(
                    "R211",
                    node.span,
                    f"{node.func}(x in ...) is not a thing; use "
                    "count, any or all, or sum/min/max/average(EXPR for x in ...)",
                )
                return _ERR
            if node.func == "count":
                return NumT()
            if node.where is None:
                self.error(
                    "R211", node.span, f"{node.func}(x in ... where CONDITION) needs its condition"
                )
            return BOOL
        if node.func not in mapped:
            self.error(
                "R211",
                node.span,
                f"{node.func}(EXPR for x in ...) is not a thing; use "
                "sum, min, max or average, or count/any/all(x in ... where ...)",
            )
            return _ERR
        value = self.expr(node.value, inner)
        if isinstance(value, ErrT):
            return _ERR
        if isinstance(value, DateT) and node.func in ("min", "max"):
            return DateT(nullable=True)
        if not isinstance(value, NumT):
            what = "numbers or dates" if node.func in ("min", "max") else "numbers"
            self.error("R301", node.value.span, f"{node.func} needs {what}, not {describe(value)}")
            return _ERR
        return NumT(value.dim, value.percent, nullable=node.func != "sum")

    # -- built-in functions -----------------------------------------------------------
    def call(self, node: ast.Call, scope: _Scope) -> Type:
        args = [self.expr(a, scope) for a in node.args]
        if any(isinstance(a, ErrT) for a in args):
            return _ERR
        handler = getattr(self, f"fn_{node.func}", None)
        if handler is None:
            self.error(
                "R212",
                node.span,
                f"unknown function {node.func!r}",
                suggest(node.func, function_names()),
            )
            return _ERR
        result: Type = handler(node, args)
        return result

    # -- helpers -------------------------------------------------------------------------
    def constant_value(self, node: ast.Expr) -> object:
        """The value of a constant expression in base units, or None if not constant."""
        if isinstance(node, ast.Number):
            return self.result.literals.get(id(node))
        if isinstance(node, ast.StringLit | ast.DateLit | ast.BoolLit):
            return node.value
        if isinstance(node, ast.Name):
            symbol = self.result.names.get(id(node))
            if symbol is not None and symbol.kind == "const":
                return self.result.const_values.get(symbol.name)
            return None
        if isinstance(node, ast.Unary) and node.op == "-":
            inner = self.constant_value(node.operand)
            return -inner if isinstance(inner, Decimal) else None
        if isinstance(node, ast.Binary) and node.op in "+-*/":
            a, b = self.constant_value(node.left), self.constant_value(node.right)
            if isinstance(a, Decimal) and isinstance(b, Decimal):
                if node.op == "/" and b == 0:
                    return None
                return (
                    {"+": a + b, "-": a - b, "*": a * b}.get(node.op) if node.op != "/" else a / b
                )
        return None

    def text(self, node: ast.Expr) -> str:
        return ast.source_text(self.file.text, node.span)


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


def _mix_message(op: str, left: NumT, right: NumT) -> str:
    verb = "add" if op == "+" else "subtract"
    if _is_money(left) != _is_money(right) and DIMENSIONLESS in (left.dim, right.dim):
        ratio = "a percentage" if (left.percent or right.percent) else "a plain number"
        return f"cannot {verb} money and {ratio}"
    return f"cannot {verb} {dim_text(left.dim)} and {dim_text(right.dim)}"


def _compare_message(left: NumT, right: NumT) -> str:
    if _is_money(left) and _is_money(right):
        return f"cannot compare {dim_text(left.dim)} with {dim_text(right.dim)}"
    if _is_money(left) != _is_money(right) and DIMENSIONLESS in (left.dim, right.dim):
        return (
            "a ratio used as money: one side is money, the other "
            f"{'a percentage' if (left.percent or right.percent) else 'a plain number'}"
        )
    return f"cannot compare {describe(left)} with {describe(right)}"


def _bare_zero(node: ast.Expr) -> bool:
    """A plain 0 fits any unit: zero tenge, zero persons and zero percent are all 0."""
    return isinstance(node, ast.Number) and node.unit is None and node.value == 0


def _mix_hint(left: NumT, right: NumT) -> str | None:
    if _currency(left) and _currency(right):
        return 'convert one side with convert(AMOUNT, "CODE", DATE)'
    if _is_money(left) != _is_money(right) and DIMENSIONLESS in (left.dim, right.dim):
        return "multiply the percentage by an amount, e.g. 30 % * p.budget"
    per_year = unit_dim("year")
    if left.dim == right.dim * per_year or right.dim == left.dim * per_year:
        return "multiply a yearly amount by a number of years, e.g. cap * years(5)"
    return None


def _currency(t: NumT) -> bool:
    """Is ``t`` plain money in one currency (not money per year)?"""
    items = list(t.dim.items())
    return len(items) == 1 and _is_money(t) and int(str(items[0][1])) == 1


def _is_money(t: NumT) -> bool:
    return any(name.strip("[]").isupper() and len(name.strip("[]")) == 3 for name in t.dim)


# -- whole programs ---------------------------------------------------------------------


def check_files(
    files: Sequence[ast.RuleFile],
    imports: dict[str, list[str]],
    import_spans: dict[tuple[str, str], Span],
) -> tuple[list[Checked], list[Diagnostic]]:
    """Check parsed files; ``imports`` maps a file's path to the paths it imports.

    Files are checked imports-first. Returns the checked files (in that order) and
    every diagnostic, errors and warnings, sorted by position.
    """
    diagnostics: list[Diagnostic] = []
    by_path = {f.path: f for f in files}
    order = _import_order(by_path, imports, import_spans, diagnostics)
    checked: dict[str, Checked] = {}
    used: set[tuple[str, str]] = set()
    for path in order:
        imported = [checked[p] for p in imports.get(path, []) if p in checked]
        checked[path] = _FileChecker(by_path[path], imported, diagnostics, used).run()
    results = [checked[p] for p in order]
    diagnostics.extend(_unused(results, used))
    diagnostics.extend(_version_overlaps(results))
    diagnostics.sort(
        key=lambda d: (
            d.file or "",
            d.span.line if d.span else 0,
            d.span.column if d.span else 0,
            d.code,
        )
    )
    return results, diagnostics


def _import_order(
    by_path: dict[str, ast.RuleFile],
    imports: dict[str, list[str]],
    spans: dict[tuple[str, str], Span],
    diagnostics: list[Diagnostic],
) -> list[str]:
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(path: str, trail: list[str]) -> None:
        if state.get(path) == "done":
            return
        if state.get(path) == "active":
            cycle = [*trail[trail.index(path) :], path]
            span = spans.get((trail[-1], path)) or Span.point(trail[-1], 1, 1)
            diagnostics.append(
                Diagnostic(
                    "R502",
                    Severity.ERROR,
                    "import cycle: " + " → ".join(cycle),
                    file=span.file,
                    span=span,
                )
            )
            return
        state[path] = "active"
        for target in imports.get(path, []):
            if target in by_path:
                visit(target, [*trail, path])
        state[path] = "done"
        order.append(path)

    for path in by_path:
        visit(path, [])
    return order


def _unused(results: list[Checked], used: set[tuple[str, str]]) -> Iterator[Diagnostic]:
    for checked in results:
        for item in checked.file.items:
            if isinstance(item, ast.Const | ast.FigureDecl):
                key = (checked.path, item.name)
                what = "const" if isinstance(item, ast.Const) else "figure"
            elif isinstance(item, ast.Define):
                key = (checked.path, f"define:{item.entity}.{item.name}")
                what = "define"
            else:
                continue
            if key not in used:
                yield Diagnostic(
                    "W601",
                    Severity.WARNING,
                    f"{what} {item.name!r} is never used",
                    file=checked.path,
                    span=item.span,
                )


def _version_overlaps(results: list[Checked]) -> Iterator[Diagnostic]:
    by_id: dict[str, list[Checked]] = {}
    for checked in results:
        by_id.setdefault(checked.id, []).append(checked)
    for versions in by_id.values():
        for i, a in enumerate(versions):
            for b in versions[i + 1 :]:
                overlap = _date_overlap(a.file.header, b.file.header)
                if overlap is not None:
                    yield Diagnostic(
                        "R401",
                        Severity.ERROR,
                        f"versions {a.file.header.version or '(unversioned)'!s} ({a.path}) and "
                        f"{b.file.header.version or '(unversioned)'!s} of rulebook {a.id} are both "
                        f"in force {overlap}",
                        file=b.path,
                        span=b.file.header.span,
                        hint="give the versions 'in force from ... until ...' dates that "
                        "do not overlap",
                    )


def _date_overlap(a: ast.Header, b: ast.Header) -> str | None:
    start = max(a.in_force_from or dt.date.min, b.in_force_from or dt.date.min)
    end = min(a.in_force_until or dt.date.max, b.in_force_until or dt.date.max)
    if start > end:
        return None
    if start == dt.date.min and end == dt.date.max:
        return "at all times"
    left = "from the start" if start == dt.date.min else f"from {start.isoformat()}"
    right = "on" if end == dt.date.max else f"until {end.isoformat()}"
    return f"{left} {right}"
