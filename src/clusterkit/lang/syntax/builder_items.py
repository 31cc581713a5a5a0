"""Building the declarations of the syntax tree: parameters, functions, units, entity
kinds and their fields, extensions of existing kinds, and declared types. A mixin of
:class:`clusterkit.lang.syntax.builder.TreeBuilder`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.syntax.lalr import Tok
from clusterkit.messages import msg

__all__ = ["BadLiteralError", "ItemBuilder", "unquote"]


def unquote(token: str) -> str:
    body = str(token)[1:-1]
    return body.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


class BadLiteralError(Exception):
    """A literal or line the grammar accepts but the language does not (a date that
    does not exist, a line given twice), at its span."""

    def __init__(self, span: Span, message: str) -> None:
        self.span = span
        self.message = message


def _split_bases(parts: tuple[Any, ...]) -> tuple[tuple[ast.ParamValue, ...], ast.Basis | None]:
    """A parameter's values and its own ``basis``. A ``basis`` right after a value, on
    the line that value ends on, is that value's; one on a line of its own is the
    parameter's, for the values without their own. Either given twice is refused."""
    values: list[ast.ParamValue] = []
    default: ast.Basis | None = None
    owner: int | None = None  # the value whose line the last part ended on
    line = 0
    for part in parts:
        if isinstance(part, ast.ParamValue):
            values.append(part)
            owner, line = len(values) - 1, part.span.end_line
            continue
        if isinstance(part, ast.Basis):
            if owner is not None and part.span.line == line:
                if values[owner].basis is not None:
                    raise _twice(part.span)
                values[owner] = attrs.evolve(values[owner], basis=part)
                line = part.span.end_line
                continue
            if default is not None:
                raise _twice(part.span)
            default = part
        owner = None
    return tuple(values), default


def _twice(span: Span) -> BadLiteralError:
    return BadLiteralError(span, msg("'{word}' is given twice here", word="basis"))


class ItemBuilder:
    """Declarations; the rest of the tree is built by the subclass."""

    def _date(self, token: Tok) -> dt.date:
        raise NotImplementedError

    # -- basis and parameters --
    def basis(self, span: Span, kind: str, note: str | None = None) -> ast.Basis:
        return ast.Basis(span, str(kind), unquote(note) if note is not None else "")

    def param(self, span: Span, name: str, *parts: Any) -> ast.Param:
        values, basis = _split_bases(parts)
        titles = tuple(e for p in parts if isinstance(p, tuple) and p[0] == "titles" for e in p[1])
        source = next((p[1] for p in parts if isinstance(p, tuple) and p[0] == "source"), "")
        return ast.Param(span, str(name), values, titles, source, basis)

    def param_value(self, span: Span, start: Tok, _eq: str, expr: ast.Expr) -> ast.ParamValue:
        return ast.ParamValue(span, self._date(start), expr)

    # -- functions --
    def function(self, span: Span, name: str, *rest: Any) -> ast.Function:
        params: tuple[ast.ParamDecl, ...] = ()
        returns = None
        for part in rest[:-2]:
            if isinstance(part, tuple) and part and part[0] == "returns":
                returns = part[1]
            elif isinstance(part, tuple):
                params = part
        return ast.Function(span, str(name), params, returns, rest[-1])

    def params(self, span: Span, *decls: ast.ParamDecl) -> tuple[ast.ParamDecl, ...]:
        return decls

    def param_decl(self, span: Span, name: str, spec: ast.TypeSpec) -> ast.ParamDecl:
        return ast.ParamDecl(span, str(name), spec)

    def returns(self, span: Span, spec: ast.TypeSpec) -> tuple[str, ast.TypeSpec]:
        return ("returns", spec)

    # -- units, kinds, extensions --
    def unit_decl(self, span: Span, *names: str) -> ast.UnitDecl:
        return ast.UnitDecl(span, tuple(str(n) for n in names))

    def kind(self, span: Span, name: str, *parts: Any) -> ast.KindDecl:
        fields: dict[str, Any] = {}
        titles: list[tuple[str, str]] = []
        declared: list[ast.FieldDecl] = []
        for part in parts:
            if isinstance(part, ast.FieldDecl):
                declared.append(part)
            elif part[0] == "titles":
                titles.extend(part[1])
            elif part[0] == "id":
                fields["id_scheme"], fields["id_required"] = part[1]
            else:
                fields[part[0]] = part[1]
        return ast.KindDecl(span, str(name), tuple(titles), fields=tuple(declared), **fields)

    def collection(self, span: Span, name: str) -> tuple[str, str]:
        return ("collection", str(name))

    def belongs(self, span: Span, name: str) -> tuple[str, str]:
        return ("parent", str(name))

    def kind_id(self, span: Span, *tokens: Tok) -> tuple[str, tuple[str | None, bool]]:
        scheme = next((str(t) for t in tokens if t.type == "NAME"), None)
        required = any(t.type == "REQUIRED" for t in tokens)
        return ("id", (scheme, required))

    def field_decl(
        self, span: Span, name: str, spec: ast.TypeSpec, required: str | None = None
    ) -> ast.FieldDecl:
        return ast.FieldDecl(span, str(name), spec, required is not None)

    def extend(self, span: Span, name: str, *parts: Any) -> ast.Extend:
        fields = tuple(p for p in parts if isinstance(p, ast.FieldDecl))
        allows = tuple(p for p in parts if isinstance(p, ast.Allow))
        return ast.Extend(span, str(name), fields, allows)

    def allow(self, span: Span, field: str, *values: str) -> ast.Allow:
        return ast.Allow(span, str(field), tuple(unquote(v) for v in values))

    # -- declared types --
    def money_type(self, span: Span, currency: str | None = None) -> ast.TypeSpec:
        code = str(currency) if currency is not None else None
        return ast.TypeSpec(span, "money", currency=code)

    def number_type(self, span: Span, unit: ast.UnitSpec | None = None) -> ast.TypeSpec:
        return ast.TypeSpec(span, "number", unit=unit)

    def percent_type(self, span: Span) -> ast.TypeSpec:
        return ast.TypeSpec(span, "percent")

    def date_type(self, span: Span) -> ast.TypeSpec:
        return ast.TypeSpec(span, "date")

    def text_type(self, span: Span) -> ast.TypeSpec:
        return ast.TypeSpec(span, "text")

    def bool_type(self, span: Span) -> ast.TypeSpec:
        return ast.TypeSpec(span, "bool")

    def choice_type(self, span: Span, *values: str) -> ast.TypeSpec:
        return ast.TypeSpec(span, "choice", choices=tuple(unquote(v) for v in values))

    def list_type(self, span: Span, item: ast.TypeSpec) -> ast.TypeSpec:
        return ast.TypeSpec(span, "list", item=item)

    def id_type(self, span: Span, scheme: str) -> ast.TypeSpec:
        return ast.TypeSpec(span, "identifier", name=str(scheme))

    def ref_type(self, span: Span, kind: str) -> ast.TypeSpec:
        return ast.TypeSpec(span, "ref", name=str(kind))
