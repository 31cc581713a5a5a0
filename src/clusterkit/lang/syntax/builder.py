"""Builds the syntax tree of :mod:`clusterkit.lang.ast` bottom-up, as the LALR parser
reduces: one method per grammar rule, called by :mod:`clusterkit.lang.syntax.parser` with
the rule's meaningful children. Nesting depth is bounded here, since the tree is
built without recursion and a deep input must end in a diagnostic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.syntax.builder_items import BadLiteralError, ItemBuilder, unquote
from clusterkit.lang.syntax.lalr import Tok
from clusterkit.messages import msg
from clusterkit.numbers import SCALE_POWERS

__all__ = ["MAX_DEPTH", "TOKENS_FOR", "BadLiteralError", "DepthError", "TreeBuilder"]

#: Deeper expressions are refused (they are unreadable, and recursion has limits).
MAX_DEPTH = 64

_N = TypeVar("_N", bound=ast.Expr)


class DepthError(Exception):
    def __init__(self, span: Span) -> None:
        self.span = span


#: The methods that read a token's type or position.
TOKENS_FOR = frozenset({"currency", "in_force", "param_value", "date", "unit_words", "kind_id"})

# The keyword of each line that may be given once, by the field it fills.
_LINE_WORDS = {
    "in_force_from": "in force",
    "applies": "when",
    "version_by": "version as of",
}


class TreeBuilder(ItemBuilder):
    """Builds AST nodes bottom-up while the LALR parser reduces. Each method gets the
    span of what it reduces and the meaningful children: tokens as plain text, except
    for the methods in :data:`TOKENS_FOR`, which get Lark tokens with positions."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.depths: dict[int, int] = {}

    # -- helpers --
    def _tok_span(self, token: Tok) -> Span:
        return Span(self.file, token.line, token.column, token.end_line, token.end_column)

    def _node(self, node: _N, *children: Any) -> _N:
        depths = self.depths
        depth = 0
        for child in children:  # a loop, not max() over a generator: every node passes
            depth = max(depth, depths.get(id(child), 0))
        if depth >= MAX_DEPTH:
            raise DepthError(node.span)
        depths[id(node)] = depth + 1
        return node

    # -- header --
    def start(self, span: Span, header: ast.Header, *items: ast.Item) -> tuple[Any, ...]:
        return (header, items)

    def schema_header(self, span: Span, dotted: str, *metas: Any) -> ast.Header:
        return attrs.evolve(self.header(span, dotted, *metas), is_schema=True)

    def header(self, span: Span, dotted: str, *metas: Any) -> ast.Header:
        fields: dict[str, Any] = {}
        titles: list[tuple[str, str]] = []
        for part in metas:
            if isinstance(part, ast.Basis):
                self._once(fields, "basis", span)
                fields["basis"] = part
                continue
            key, value = part
            if key != "titles":
                self._once(fields, {"in_force": "in_force_from"}.get(key, key), span)
            if key == "titles":
                titles.extend(value)
            elif key == "in_force":
                fields["in_force_from"], fields["in_force_until"] = value
            elif key == "currency":
                fields["currency"], fields["currency_span"] = value
            else:
                fields[key] = value
        return ast.Header(span, dotted, titles=tuple(titles), **fields)

    def _once(self, fields: dict[str, Any], key: str, span: Span) -> None:
        """Refuse a line given twice (two ``source`` lines would silently keep one)."""
        if key in fields:
            word = _LINE_WORDS.get(key, key)
            raise BadLiteralError(span, msg("'{word}' is given twice here", word=word))

    def dotted(self, span: Span, *names: str) -> str:
        return ".".join(str(n) for n in names)

    def version(self, span: Span, value: str) -> tuple[str, Any]:
        return ("version", unquote(value))

    def title(self, span: Span, *entries: tuple[str, str]) -> tuple[str, Any]:
        return ("titles", entries)

    def message(self, span: Span, *entries: tuple[str, str]) -> tuple[str, Any]:
        return ("messages", entries)

    def source(self, span: Span, value: str) -> tuple[str, Any]:
        return ("source", unquote(value))

    def in_force(self, span: Span, start: Tok, end: Tok | None = None) -> tuple[str, Any]:
        return ("in_force", (self._date(start), self._date(end) if end is not None else None))

    def currency(self, span: Span, code: Tok) -> tuple[str, Any]:
        return ("currency", (str(code), self._tok_span(code)))

    def text_entry(self, span: Span, lang: str, text: str) -> tuple[str, str]:
        return (str(lang), unquote(text))

    def _date(self, token: Tok) -> dt.date:
        try:
            return dt.date.fromisoformat(str(token))
        except ValueError:
            raise BadLiteralError(
                self._tok_span(token), msg("{date} is not a date that exists", date=str(token))
            ) from None

    # -- items --
    def import_(self, span: Span, path: str) -> ast.Import:
        return ast.Import(span, unquote(path))

    def const(
        self, span: Span, name: str, _eq: str, expr: ast.Expr, basis: ast.Basis | None = None
    ) -> ast.Const:
        return ast.Const(span, str(name), expr, basis)

    def indicator(self, span: Span, name: str, unit: ast.UnitSpec) -> ast.IndicatorDecl:
        return ast.IndicatorDecl(span, str(name), unit)

    def figure(
        self, span: Span, name: str, _eq: str, fid: str, unit: ast.UnitSpec
    ) -> ast.FigureDecl:
        return ast.FigureDecl(span, str(name), unquote(fid), unit)

    def define(self, span: Span, name: str, entity: str, *rest: Any) -> ast.Define:
        var = str(rest[0]) if len(rest) == 3 else str(entity)
        return ast.Define(span, str(name), str(entity), var, rest[-1])

    def iteration(
        self, span: Span, var: str, source: ast.Expr, where: ast.Expr | None = None
    ) -> ast.Iteration:
        return ast.Iteration(span, str(var), source, where)

    def _block(self, kind: str, span: Span, name: str, parts: tuple[Any, ...]) -> ast.Rule:
        iteration = None
        fields: dict[str, Any] = {"titles": [], "messages": [], "steps": [], "outcome_labels": []}
        for part in parts:
            if isinstance(part, ast.Iteration):
                iteration = part
            elif isinstance(part, ast.Basis):
                self._once(fields, "basis", span)
                fields["basis"] = part
            elif isinstance(part, ast.Let | ast.Require | ast.Band | ast.Criterion):
                fields["steps"].append(part)
            elif isinstance(part, ast.Select):
                self._once(fields, "select", span)
                fields["select"] = part
            elif isinstance(part, tuple) and part[0] in ("titles", "messages"):
                fields[part[0]].extend(part[1])
            elif isinstance(part, tuple) and part[0] == "outcome_label":
                fields["outcome_labels"].append(part[1])
            elif isinstance(part, tuple):
                self._once(fields, part[0], span)
                fields[part[0]] = part[1]
        return ast.Rule(
            span,
            kind,
            str(name),
            iteration,
            titles=tuple(fields.pop("titles")),
            messages=tuple(fields.pop("messages")),
            steps=tuple(fields.pop("steps")),
            outcome_labels=tuple(fields.pop("outcome_labels")),
            **fields,
        )

    def rule(self, span: Span, name: str, *parts: Any) -> ast.Rule:
        return self._block("rule", span, name, parts)

    def monitor(self, span: Span, name: str, *parts: Any) -> ast.Rule:
        return self._block("monitor", span, name, parts)

    def score(self, span: Span, name: str, *parts: Any) -> ast.Rule:
        return self._block("score", span, name, parts)

    def applies(self, span: Span, expr: ast.Expr) -> tuple[str, Any]:
        return ("applies", expr)

    def outcome_label(self, span: Span, outcome: str, *entries: tuple[str, str]) -> tuple[str, Any]:
        return ("outcome_label", (str(outcome), tuple(entries)))

    def version_by(self, span: Span, expr: ast.Expr) -> tuple[str, Any]:
        return ("version_by", expr)

    def let(self, span: Span, name: str, _eq: str, expr: ast.Expr) -> ast.Let:
        return ast.Let(span, str(name), expr)

    def require(self, span: Span, expr: ast.Expr, within: Any = None) -> ast.Require:
        return ast.Require(span, expr, within is not None)

    def within(self, span: Span) -> bool:
        return True

    def band(self, span: Span, level: str, cond: ast.Expr) -> ast.Band:
        return ast.Band(span, str(level), cond)

    def band_otherwise(self, span: Span, level: str) -> ast.Band:
        return ast.Band(span, str(level), None)

    def criterion(
        self, span: Span, name: str, weight: ast.Expr, _eq: str, expr: ast.Expr
    ) -> ast.Criterion:
        return ast.Criterion(span, str(name), weight, expr)

    def scale(self, span: Span, low: ast.Expr, high: ast.Expr) -> tuple[str, Any]:
        return ("scale", (low, high))

    def select(self, span: Span, top: str, *rest: Any) -> ast.Select:
        minimum = next((r[1] for r in rest if r[0] == "minimum"), None)
        tie = next((r[1] for r in rest if r[0] == "tie"), ())
        return ast.Select(span, int(str(top)), minimum, tie)

    def minimum(self, span: Span, expr: ast.Expr) -> tuple[str, Any]:
        return ("minimum", expr)

    def tie(self, span: Span, *names: str) -> tuple[str, Any]:
        return ("tie", tuple(str(n) for n in names))

    # -- expressions --
    def if_(self, span: Span, cond: ast.Expr, then: ast.Expr, else_: ast.Expr) -> ast.If:
        return self._node(ast.If(span, cond, then, else_), cond, then, else_)

    def or_(self, span: Span, left: ast.Expr, right: ast.Expr) -> ast.Binary:
        return self._node(ast.Binary(span, "or", left, right), left, right)

    def and_(self, span: Span, left: ast.Expr, right: ast.Expr) -> ast.Binary:
        return self._node(ast.Binary(span, "and", left, right), left, right)

    def not_(self, span: Span, operand: ast.Expr) -> ast.Unary:
        return self._node(ast.Unary(span, "not", operand), operand)

    def neg(self, span: Span, operand: ast.Expr) -> ast.Unary:
        return self._node(ast.Unary(span, "-", operand), operand)

    def compare(self, span: Span, *parts: Any) -> ast.Compare:
        operands = tuple(parts[0::2])
        ops = tuple(str(p) for p in parts[1::2])
        return self._node(ast.Compare(span, operands, ops), *operands)

    def comp_op(self, span: Span, token: str) -> str:
        return str(token)

    def is_none(self, span: Span, operand: ast.Expr) -> ast.IsNone:
        return self._node(ast.IsNone(span, operand, False), operand)

    def is_not_none(self, span: Span, operand: ast.Expr) -> ast.IsNone:
        return self._node(ast.IsNone(span, operand, True), operand)

    def member(self, span: Span, operand: ast.Expr, container: ast.Expr) -> ast.Member:
        node = ast.Member(span, operand, container, False)
        return self._node(node, operand, container)

    def not_member(self, span: Span, operand: ast.Expr, container: ast.Expr) -> ast.Member:
        node = ast.Member(span, operand, container, True)
        return self._node(node, operand, container)

    def index(self, span: Span, obj: ast.Expr, key: ast.Expr) -> ast.Index:
        return self._node(ast.Index(span, obj, key), obj, key)

    def dated(self, span: Span, name: str, date: ast.Expr) -> ast.Dated:
        return self._node(ast.Dated(span, str(name), date), date)

    def table(self, span: Span, *entries: tuple[ast.Expr, ast.Expr] | None) -> ast.TableLit:
        present = tuple(e for e in entries if e is not None)
        node = ast.TableLit(span, present)
        return self._node(node, *(part for entry in present for part in entry))

    def table_entry(self, span: Span, key: ast.Expr, value: ast.Expr) -> tuple[ast.Expr, ast.Expr]:
        return (key, value)

    def arith(self, span: Span, left: ast.Expr, op: str, right: ast.Expr) -> ast.Binary:
        return self._node(ast.Binary(span, str(op), left, right), left, right)

    def field(self, span: Span, obj: ast.Expr, name: str) -> ast.Field:
        return self._node(ast.Field(span, obj, str(name)), obj)

    def quantity(self, span: Span, number: str, unit: ast.UnitSpec | None = None) -> ast.Number:
        return ast.Number(span, Decimal(str(number)), unit)

    def percent(self, span: Span) -> ast.UnitSpec:
        return ast.UnitSpec(span, 0, "%")

    def unit_words(self, span: Span, *words: Tok) -> ast.UnitSpec:
        scale = 0
        rest = list(words)
        if rest and rest[0].type == "SCALE":
            scale = SCALE_POWERS[str(rest.pop(0))]
        per = str(rest[1]) if len(rest) > 1 else None
        return ast.UnitSpec(span, scale, str(rest[0]), per)

    def string(self, span: Span, token: str) -> ast.StringLit:
        return ast.StringLit(span, unquote(token))

    def date(self, span: Span, token: Tok) -> ast.DateLit:
        return ast.DateLit(span, self._date(token))

    def true(self, span: Span) -> ast.BoolLit:
        return ast.BoolLit(span, True)

    def false(self, span: Span) -> ast.BoolLit:
        return ast.BoolLit(span, False)

    def none(self, span: Span) -> ast.NoneLit:
        return ast.NoneLit(span)

    def name(self, span: Span, token: str) -> ast.Name:
        return ast.Name(span, str(token))

    def call(self, span: Span, func: str, args: tuple[ast.Expr, ...] = ()) -> ast.Call:
        return self._node(ast.Call(span, str(func), args), *args)

    def args(self, span: Span, *items: ast.Expr) -> tuple[ast.Expr, ...]:
        return items

    def aggregate(self, span: Span, func: str, comp: tuple[Any, ...]) -> ast.Aggregate:
        var, source, where, value = comp
        node = ast.Aggregate(span, str(func), var, source, where, value)
        return self._node(node, *(c for c in (source, where, value) if c is not None))

    def mapped(
        self,
        span: Span,
        value: ast.Expr,
        var: str,
        source: ast.Expr,
        where: ast.Expr | None = None,
    ) -> tuple[Any, ...]:
        return (str(var), source, where, value)

    def counted(
        self, span: Span, var: str, source: ast.Expr, where: ast.Expr | None = None
    ) -> tuple[Any, ...]:
        return (str(var), source, where, None)

    def atom(self, span: Span, expr: ast.Expr) -> ast.Expr:
        """``( expr )``: the same expression, its span widened to the parentheses."""
        widened = attrs.evolve(expr, span=span)
        self.depths[id(widened)] = self.depths.get(id(expr), 0)
        return widened

    def list_(self, span: Span, *items: ast.Expr | None) -> ast.ListLit:
        present = tuple(i for i in items if i is not None)
        return self._node(ast.ListLit(span, present), *present)
