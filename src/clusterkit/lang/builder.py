"""Builds the syntax tree of :mod:`clusterkit.lang.ast` bottom-up, as the LALR parser
reduces: one method per grammar rule, called by :mod:`clusterkit.lang.parser` with
the rule's meaningful children. Nesting depth is bounded here, since the tree is
built without recursion and a deep input must end in a diagnostic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from lark import Token

from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.builder_items import ItemBuilder, unquote
from clusterkit.lang.syntax_errors import token_span
from clusterkit.messages import msg
from clusterkit.numbers import SCALE_POWERS

__all__ = ["MAX_DEPTH", "BadLiteralError", "DepthError", "TreeBuilder"]

#: Deeper expressions are refused (they are unreadable, and recursion has limits).
MAX_DEPTH = 64

_N = TypeVar("_N", bound=ast.Expr)


class DepthError(Exception):
    def __init__(self, span: Span) -> None:
        self.span = span


class BadLiteralError(Exception):
    def __init__(self, span: Span, message: str) -> None:
        self.span = span
        self.message = message


# The keyword of each line that may be given once, by the field it fills.
_LINE_WORDS = {
    "in_force_from": "in force",
    "applies": "when",
    "version_by": "version as of",
}


class TreeBuilder(ItemBuilder):
    """Builds AST nodes bottom-up while the LALR parser reduces."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.depths: dict[int, int] = {}

    # -- helpers --
    def _span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span.point(self.file, 1, 1)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok_span(self, token: Token) -> Span:
        return token_span(self.file, token)

    def _node(self, node: _N, *children: Any) -> _N:
        depth = 1 + max((self.depths.get(id(c), 0) for c in children), default=0)
        if depth > MAX_DEPTH:
            raise DepthError(node.span)
        self.depths[id(node)] = depth
        return node

    # -- header --
    def start(self, meta: Any, header: ast.Header, *items: ast.Item) -> tuple[Any, ...]:
        return (header, items)

    def schema_header(self, meta: Any, dotted: str, *metas: Any) -> ast.Header:
        return attrs.evolve(self.header(meta, dotted, *metas), is_schema=True)

    def header(self, meta: Any, dotted: str, *metas: Any) -> ast.Header:
        fields: dict[str, Any] = {}
        titles: list[tuple[str, str]] = []
        for part in metas:
            if isinstance(part, ast.Basis):
                self._once(fields, "basis", meta)
                fields["basis"] = part
                continue
            key, value = part
            if key != "titles":
                self._once(fields, {"in_force": "in_force_from"}.get(key, key), meta)
            if key == "titles":
                titles.extend(value)
            elif key == "in_force":
                fields["in_force_from"], fields["in_force_until"] = value
            elif key == "currency":
                fields["currency"], fields["currency_span"] = value
            else:
                fields[key] = value
        return ast.Header(self._span(meta), dotted, titles=tuple(titles), **fields)

    def _once(self, fields: dict[str, Any], key: str, meta: Any) -> None:
        """Refuse a line given twice (two ``source`` lines would silently keep one)."""
        if key in fields:
            word = _LINE_WORDS.get(key, key)
            raise BadLiteralError(self._span(meta), msg("'{word}' is given twice here", word=word))

    def dotted(self, meta: Any, *names: Token) -> str:
        return ".".join(str(n) for n in names)

    def version(self, meta: Any, value: Token) -> tuple[str, Any]:
        return ("version", unquote(value))

    def title(self, meta: Any, *entries: tuple[str, str]) -> tuple[str, Any]:
        return ("titles", entries)

    def message(self, meta: Any, *entries: tuple[str, str]) -> tuple[str, Any]:
        return ("messages", entries)

    def source(self, meta: Any, value: Token) -> tuple[str, Any]:
        return ("source", unquote(value))

    def in_force(self, meta: Any, start: Token, end: Token | None = None) -> tuple[str, Any]:
        return ("in_force", (self._date(start), self._date(end) if end is not None else None))

    def currency(self, meta: Any, code: Token) -> tuple[str, Any]:
        return ("currency", (str(code), self._tok_span(code)))

    def text_entry(self, meta: Any, lang: Token, text: Token) -> tuple[str, str]:
        return (str(lang), unquote(text))

    def _date(self, token: Token) -> dt.date:
        try:
            return dt.date.fromisoformat(str(token))
        except ValueError:
            raise BadLiteralError(
                self._tok_span(token), msg("{date} is not a date that exists", date=str(token))
            ) from None

    # -- items --
    def import_(self, meta: Any, path: Token) -> ast.Import:
        return ast.Import(self._span(meta), unquote(path))

    def const(
        self, meta: Any, name: Token, _eq: Token, expr: ast.Expr, basis: ast.Basis | None = None
    ) -> ast.Const:
        return ast.Const(self._span(meta), str(name), expr, basis)

    def indicator(self, meta: Any, name: Token, unit: ast.UnitSpec) -> ast.IndicatorDecl:
        return ast.IndicatorDecl(self._span(meta), str(name), unit)

    def figure(
        self, meta: Any, name: Token, _eq: Token, fid: Token, unit: ast.UnitSpec
    ) -> ast.FigureDecl:
        return ast.FigureDecl(self._span(meta), str(name), unquote(fid), unit)

    def define(self, meta: Any, name: Token, entity: Token, *rest: Any) -> ast.Define:
        var = str(rest[0]) if len(rest) == 3 else str(entity)
        return ast.Define(self._span(meta), str(name), str(entity), var, rest[-1])

    def iteration(
        self, meta: Any, var: Token, source: ast.Expr, where: ast.Expr | None = None
    ) -> ast.Iteration:
        return ast.Iteration(self._span(meta), str(var), source, where)

    def _block(self, kind: str, meta: Any, name: Token, parts: tuple[Any, ...]) -> ast.Rule:
        iteration = None
        fields: dict[str, Any] = {"titles": [], "messages": [], "steps": [], "outcome_labels": []}
        for part in parts:
            if isinstance(part, ast.Iteration):
                iteration = part
            elif isinstance(part, ast.Basis):
                self._once(fields, "basis", meta)
                fields["basis"] = part
            elif isinstance(part, ast.Let | ast.Require | ast.Band | ast.Criterion):
                fields["steps"].append(part)
            elif isinstance(part, ast.Select):
                self._once(fields, "select", meta)
                fields["select"] = part
            elif isinstance(part, tuple) and part[0] in ("titles", "messages"):
                fields[part[0]].extend(part[1])
            elif isinstance(part, tuple) and part[0] == "outcome_label":
                fields["outcome_labels"].append(part[1])
            elif isinstance(part, tuple):
                self._once(fields, part[0], meta)
                fields[part[0]] = part[1]
        return ast.Rule(
            self._span(meta),
            kind,
            str(name),
            iteration,
            titles=tuple(fields.pop("titles")),
            messages=tuple(fields.pop("messages")),
            steps=tuple(fields.pop("steps")),
            outcome_labels=tuple(fields.pop("outcome_labels")),
            **fields,
        )

    def rule(self, meta: Any, name: Token, *parts: Any) -> ast.Rule:
        return self._block("rule", meta, name, parts)

    def monitor(self, meta: Any, name: Token, *parts: Any) -> ast.Rule:
        return self._block("monitor", meta, name, parts)

    def score(self, meta: Any, name: Token, *parts: Any) -> ast.Rule:
        return self._block("score", meta, name, parts)

    def applies(self, meta: Any, expr: ast.Expr) -> tuple[str, Any]:
        return ("applies", expr)

    def outcome_label(
        self, meta: Any, outcome: Token, *entries: tuple[str, str]
    ) -> tuple[str, Any]:
        return ("outcome_label", (str(outcome), tuple(entries)))

    def version_by(self, meta: Any, expr: ast.Expr) -> tuple[str, Any]:
        return ("version_by", expr)

    def let(self, meta: Any, name: Token, _eq: Token, expr: ast.Expr) -> ast.Let:
        return ast.Let(self._span(meta), str(name), expr)

    def require(self, meta: Any, expr: ast.Expr, within: Any = None) -> ast.Require:
        return ast.Require(self._span(meta), expr, within is not None)

    def within(self, meta: Any) -> bool:
        return True

    def band(self, meta: Any, level: Token, cond: ast.Expr) -> ast.Band:
        return ast.Band(self._span(meta), str(level), cond)

    def band_otherwise(self, meta: Any, level: Token) -> ast.Band:
        return ast.Band(self._span(meta), str(level), None)

    def criterion(
        self, meta: Any, name: Token, weight: ast.Expr, _eq: Token, expr: ast.Expr
    ) -> ast.Criterion:
        return ast.Criterion(self._span(meta), str(name), weight, expr)

    def scale(self, meta: Any, low: ast.Expr, high: ast.Expr) -> tuple[str, Any]:
        return ("scale", (low, high))

    def select(self, meta: Any, top: Token, *rest: Any) -> ast.Select:
        minimum = next((r[1] for r in rest if r[0] == "minimum"), None)
        tie = next((r[1] for r in rest if r[0] == "tie"), ())
        return ast.Select(self._span(meta), int(str(top)), minimum, tie)

    def minimum(self, meta: Any, expr: ast.Expr) -> tuple[str, Any]:
        return ("minimum", expr)

    def tie(self, meta: Any, *names: Token) -> tuple[str, Any]:
        return ("tie", tuple(str(n) for n in names))

    # -- expressions --
    def if_(self, meta: Any, cond: ast.Expr, then: ast.Expr, else_: ast.Expr) -> ast.If:
        return self._node(ast.If(self._span(meta), cond, then, else_), cond, then, else_)

    def or_(self, meta: Any, left: ast.Expr, right: ast.Expr) -> ast.Binary:
        return self._node(ast.Binary(self._span(meta), "or", left, right), left, right)

    def and_(self, meta: Any, left: ast.Expr, right: ast.Expr) -> ast.Binary:
        return self._node(ast.Binary(self._span(meta), "and", left, right), left, right)

    def not_(self, meta: Any, operand: ast.Expr) -> ast.Unary:
        return self._node(ast.Unary(self._span(meta), "not", operand), operand)

    def neg(self, meta: Any, operand: ast.Expr) -> ast.Unary:
        return self._node(ast.Unary(self._span(meta), "-", operand), operand)

    def compare(self, meta: Any, *parts: Any) -> ast.Compare:
        operands = tuple(parts[0::2])
        ops = tuple(str(p) for p in parts[1::2])
        return self._node(ast.Compare(self._span(meta), operands, ops), *operands)

    def comp_op(self, meta: Any, token: Token) -> str:
        return str(token)

    def is_none(self, meta: Any, operand: ast.Expr) -> ast.IsNone:
        return self._node(ast.IsNone(self._span(meta), operand, False), operand)

    def is_not_none(self, meta: Any, operand: ast.Expr) -> ast.IsNone:
        return self._node(ast.IsNone(self._span(meta), operand, True), operand)

    def member(self, meta: Any, operand: ast.Expr, container: ast.Expr) -> ast.Member:
        node = ast.Member(self._span(meta), operand, container, False)
        return self._node(node, operand, container)

    def not_member(self, meta: Any, operand: ast.Expr, container: ast.Expr) -> ast.Member:
        node = ast.Member(self._span(meta), operand, container, True)
        return self._node(node, operand, container)

    def index(self, meta: Any, obj: ast.Expr, key: ast.Expr) -> ast.Index:
        return self._node(ast.Index(self._span(meta), obj, key), obj, key)

    def dated(self, meta: Any, name: Token, date: ast.Expr) -> ast.Dated:
        return self._node(ast.Dated(self._span(meta), str(name), date), date)

    def table(self, meta: Any, *entries: tuple[ast.Expr, ast.Expr] | None) -> ast.TableLit:
        present = tuple(e for e in entries if e is not None)
        node = ast.TableLit(self._span(meta), present)
        return self._node(node, *(part for entry in present for part in entry))

    def table_entry(self, meta: Any, key: ast.Expr, value: ast.Expr) -> tuple[ast.Expr, ast.Expr]:
        return (key, value)

    def arith(self, meta: Any, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Binary:
        return self._node(ast.Binary(self._span(meta), str(op), left, right), left, right)

    def field(self, meta: Any, obj: ast.Expr, name: Token) -> ast.Field:
        return self._node(ast.Field(self._span(meta), obj, str(name)), obj)

    def quantity(self, meta: Any, number: Token, unit: ast.UnitSpec | None = None) -> ast.Number:
        return ast.Number(self._span(meta), Decimal(str(number)), unit)

    def percent(self, meta: Any) -> ast.UnitSpec:
        return ast.UnitSpec(self._span(meta), 0, "%")

    def unit_words(self, meta: Any, *words: Token) -> ast.UnitSpec:
        scale = 0
        rest = list(words)
        if rest and rest[0].type == "SCALE":
            scale = SCALE_POWERS[str(rest.pop(0))]
        per = str(rest[1]) if len(rest) > 1 else None
        return ast.UnitSpec(self._span(meta), scale, str(rest[0]), per)

    def string(self, meta: Any, token: Token) -> ast.StringLit:
        return ast.StringLit(self._span(meta), unquote(token))

    def date(self, meta: Any, token: Token) -> ast.DateLit:
        return ast.DateLit(self._span(meta), self._date(token))

    def true(self, meta: Any) -> ast.BoolLit:
        return ast.BoolLit(self._span(meta), True)

    def false(self, meta: Any) -> ast.BoolLit:
        return ast.BoolLit(self._span(meta), False)

    def none(self, meta: Any) -> ast.NoneLit:
        return ast.NoneLit(self._span(meta))

    def name(self, meta: Any, token: Token) -> ast.Name:
        return ast.Name(self._span(meta), str(token))

    def call(self, meta: Any, func: Token, args: tuple[ast.Expr, ...] = ()) -> ast.Call:
        return self._node(ast.Call(self._span(meta), str(func), args), *args)

    def args(self, meta: Any, *items: ast.Expr) -> tuple[ast.Expr, ...]:
        return items

    def aggregate(self, meta: Any, func: Token, comp: tuple[Any, ...]) -> ast.Aggregate:
        var, source, where, value = comp
        node = ast.Aggregate(self._span(meta), str(func), var, source, where, value)
        return self._node(node, *(c for c in (source, where, value) if c is not None))

    def mapped(
        self,
        meta: Any,
        value: ast.Expr,
        var: Token,
        source: ast.Expr,
        where: ast.Expr | None = None,
    ) -> tuple[Any, ...]:
        return (str(var), source, where, value)

    def counted(
        self, meta: Any, var: Token, source: ast.Expr, where: ast.Expr | None = None
    ) -> tuple[Any, ...]:
        return (str(var), source, where, None)

    def atom(self, meta: Any, expr: ast.Expr) -> ast.Expr:
        """``( expr )``: the same expression, its span widened to the parentheses."""
        widened = attrs.evolve(expr, span=self._span(meta))
        self.depths[id(widened)] = self.depths.get(id(expr), 0)
        return widened

    def list_(self, meta: Any, *items: ast.Expr | None) -> ast.ListLit:
        present = tuple(i for i in items if i is not None)
        return self._node(ast.ListLit(self._span(meta), present), *present)
