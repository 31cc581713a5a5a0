"""Hover, go to definition and completion on an analysed rule file.

Positions are 1-based lines and columns, as in spans; the server converts them to and
from the editor's. Everything here reads what the checker kept
(:class:`~clusterkit.lang.check.checked.NodeTables`: each expression's type, each
name's :class:`~clusterkit.lang.check.checked.Symbol`, each field's spec).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import attrs

from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.ast.locate import nodes_at, subnodes
from clusterkit.lang.builtins import BUILTINS
from clusterkit.lang.check.checked import Checked, DefineInfo, Symbol
from clusterkit.lang.check.declared import schema_view
from clusterkit.lang.check.schema import FieldSpec
from clusterkit.lang.syntax.tokens import keywords
from clusterkit.lang.types.units import dim_text
from clusterkit.lang.types.value_types import (
    DATE,
    EntityT,
    ListT,
    NoneT,
    NumT,
    Type,
    describe,
    is_money,
)
from clusterkit.lsp.analysis import Analysis

__all__ = ["Completion", "complete", "definition", "hover", "type_text"]

_NAME = r"[^\W\d]\w*"
_WHAT = {"const": "const", "param": "param", "figure": "figure", "let": "let"}


def type_text(t: Type) -> str:
    """A type as hover shows it: ``money (KZT)``, ``a percentage``, ``a date, or none``."""
    text = f"money ({dim_text(t.dim)})" if isinstance(t, NumT) and is_money(t) else describe(t)
    return f"{text}, or none" if t.nullable and not isinstance(t, NoneT) else text


# -- hover ---------------------------------------------------------------------------------


def hover(analysis: Analysis, line: int, column: int) -> tuple[str, Span] | None:
    """Markdown saying what the name, field or expression at a position is, and the
    span it covers."""
    checked, file = analysis.checked, analysis.file
    if checked is None or file is None:
        return None
    path = nodes_at(file, line, column)
    if not path:
        return None
    node = path[-1]
    text = _describe(node, checked, analysis)
    span: Span = node.span  # type: ignore[attr-defined]
    return (text, span) if text else None


def _describe(node: object, checked: Checked, analysis: Analysis) -> str | None:
    tables = checked.tables
    if isinstance(node, ast.Name) and id(node) in tables.names:
        return _symbol(tables.names[id(node)], analysis)
    if isinstance(node, ast.Field) and id(node) in tables.fields:
        spec = tables.fields[id(node)]
        field_type = tables.types.get(id(node), spec.type)
        head = f"**{_source(analysis, node.span)}**: {type_text(field_type)}"
        if isinstance(spec, DefineInfo):
            return f"{head}\n\n`{_source(analysis, spec.node.span, spec.owner)}`"
        return f"{head}\n\n{spec.doc}" if spec.doc else head
    if isinstance(node, ast.Call):
        return _function(node.func, checked)
    if isinstance(node, ast.Dated) and node.name in checked.params:
        info = checked.params[node.name]
        return f"**param {node.name}** as of a date: {type_text(info.type)}"
    declared = _declaration(node, checked)
    if declared is not None:
        return declared
    t = tables.types.get(id(node))
    if t is None:
        return None
    return f"**{_source(analysis, node.span)}**: {type_text(t)}"  # type: ignore[attr-defined]


def _symbol(symbol: Symbol, analysis: Analysis) -> str:
    what = _WHAT.get(symbol.kind, "")
    head = f"**{what} {symbol.name}**" if what else f"**{symbol.name}**"
    text = f"{head}: {type_text(symbol.type)}"
    node = symbol.node
    if isinstance(node, ast.Const | ast.Param | ast.FigureDecl):
        text += f"\n\n`{_source(analysis, node.span, symbol.owner)}`"
    elif symbol.kind == "as_of":
        text += "\n\nthe date the rules are evaluated as of"
    elif symbol.kind == "collection":
        text += f"\n\nthe dataset's {symbol.name}"
    return text


def _function(name: str, checked: Checked) -> str | None:
    builtin = BUILTINS.get(name)
    if builtin is not None:
        return f"`{builtin.signature}`\n\n{builtin.doc}"
    info = checked.functions.get(name)
    if info is None:
        return None
    params = ", ".join(f"{n}: {type_text(t)}" for n, t in info.params)
    return f"**function {name}**({params}) → {type_text(info.type)}"


def _declaration(node: object, checked: Checked) -> str | None:
    """Hover on a declaration itself (``const x = …``, ``let y = …``)."""
    types = checked.tables.types
    if isinstance(node, ast.Const) and node.name in checked.consts:
        return f"**const {node.name}**: {type_text(checked.consts[node.name].type)}"
    if isinstance(node, ast.Param) and node.name in checked.params:
        return f"**param {node.name}**: {type_text(checked.params[node.name].type)}"
    if isinstance(node, ast.Let) and id(node.expr) in types:
        return f"**let {node.name}**: {type_text(types[id(node.expr)])}"
    if isinstance(node, ast.FigureDecl) and node.name in checked.figures:
        return f"**figure {node.name}**: {type_text(checked.figures[node.name][2].type)}"
    if isinstance(node, ast.Define) and (node.entity, node.name) in checked.defines:
        info = checked.defines[(node.entity, node.name)]
        return f"**{node.entity}.{node.name}**: {type_text(info.type)}"
    if isinstance(node, ast.Function):
        return _function(node.name, checked)
    return None


def _source(analysis: Analysis, span: Span, owner: str | None = None) -> str:
    file = analysis.files.get(owner or analysis.path) if owner else analysis.file
    text = file.text if file is not None else analysis.text
    return ast.source_text(text, span)


# -- definition ----------------------------------------------------------------------------


def definition(analysis: Analysis, line: int, column: int) -> Span | None:
    """Where the name, field, function or imported file at a position is defined; the
    span's file is the file that holds it."""
    checked, file = analysis.checked, analysis.file
    if checked is None or file is None:
        return None
    path = nodes_at(file, line, column)
    if not path:
        return None
    node = path[-1]
    if isinstance(node, ast.Import):
        target = os.path.normpath(os.path.join(os.path.dirname(analysis.path), node.path))
        return Span(target, 1, 1, 1, 1) if os.path.isfile(target) else None
    if isinstance(node, ast.Name) and id(node) in checked.tables.names:
        symbol = checked.tables.names[id(node)]
        span = getattr(symbol.node, "span", None)
        if isinstance(span, Span):
            return span
        if symbol.kind == "var":
            return _binding(analysis, path, symbol.name)
        return None
    if isinstance(node, ast.Field):
        spec = checked.tables.fields.get(id(node))
        return spec.node.span if isinstance(spec, DefineInfo) else None
    if isinstance(node, ast.Call) and node.func in checked.functions:
        return checked.functions[node.func].node.span
    if isinstance(node, ast.Dated) and node.name in checked.params:
        return checked.params[node.name].node.span
    return None


def _binding(analysis: Analysis, path: list[object], name: str) -> Span | None:
    """Where a variable is bound: the nearest enclosing ``x in …`` (an aggregate, a
    rule's ``for each``), a define's entity variable, or a function's parameter."""
    for node in reversed(path):
        if isinstance(node, ast.Aggregate) and node.var == name:
            return _find(analysis, node.span, rf"(?<!\w){re.escape(name)}(?=\s+in\b)")
        if isinstance(node, ast.Rule) and node.iteration and node.iteration.var == name:
            return _find(analysis, node.iteration.span, rf"(?<!\w){re.escape(name)}(?=\s+in\b)")
        if isinstance(node, ast.Define) and node.var == name:
            return _find(analysis, node.span, rf"(?<!\w){re.escape(name)}(?=\s*=)")
        if isinstance(node, ast.Function):
            for param in node.params:
                if param.name == name:
                    return param.span
    return None


def _find(analysis: Analysis, span: Span, pattern: str) -> Span:
    """The first match of ``pattern`` in a span's text (on its lines), else the span."""
    lines = analysis.text.split("\n")
    for number in range(span.line, span.end_line + 1):
        text = lines[number - 1] if number <= len(lines) else ""
        start = span.column - 1 if number == span.line else 0
        found = re.compile(pattern).search(text, start)
        if found is not None:
            return Span(span.file, number, found.start() + 1, number, found.end() + 1)
    return span


# -- completion ----------------------------------------------------------------------------


@attrs.frozen
class Completion:
    """One proposal: its text, what it is (``field``, ``keyword``, ``function``,
    ``const``, ``variable``, ``collection``), its type or signature, a line of doc."""

    label: str
    kind: str
    detail: str = ""
    doc: str = ""


def complete(analysis: Analysis, line: int, column: int, line_text: str) -> list[Completion]:
    """Proposals at a position: the fields of what is before a ``.``, or else the names
    in scope and the keywords, those starting with the word being typed."""
    before = line_text[: column - 1]
    dotted = re.search(rf"((?:{_NAME}\s*\.\s*)+)(\w*)$", before)
    if dotted is not None:
        chain = re.findall(_NAME, dotted.group(1))
        return [c for c in _fields(analysis, line, chain) if c.label.startswith(dotted.group(2))]
    typed = re.search(r"\w*$", before)
    prefix = typed.group(0) if typed is not None else ""
    return [c for c in _names(analysis, line) if c.label.startswith(prefix)]


def _fields(analysis: Analysis, line: int, chain: list[str]) -> list[Completion]:
    checked = analysis.checked
    if checked is None:
        return []
    view = schema_view(checked.schema, checked.currency)
    t = _scope(analysis, line).get(chain[0])
    for name in chain[1:]:
        spec = _field(checked, t, name)
        t = spec.type if spec is not None else None
    if not isinstance(t, EntityT):
        return []
    found = [
        Completion(name, "field", type_text(spec.type), spec.doc)
        for name, spec in view.fields(t.kind).items()
    ]
    for (kind, name), info in checked.visible_defines.items():
        if kind == t.kind:
            found.append(Completion(name, "field", type_text(info.type), "defined in the rules"))
    return found


def _field(checked: Checked, t: Type | None, name: str) -> FieldSpec | DefineInfo | None:
    if not isinstance(t, EntityT):
        return None
    spec = schema_view(checked.schema, checked.currency).fields(t.kind).get(name)
    return spec if spec is not None else checked.visible_defines.get((t.kind, name))


def _names(analysis: Analysis, line: int) -> list[Completion]:
    found = [Completion(word, "keyword") for word in sorted(keywords())]
    found += [Completion(b.name, "function", b.signature, b.doc) for b in BUILTINS.values()]
    checked = analysis.checked
    if checked is not None:
        found += [
            Completion(name, "function", _function(name, checked) or "")
            for name in checked.functions
        ]
    for name, t in _scope(analysis, line).items():
        kind = "collection" if isinstance(t, ListT) and name.endswith("s") else "variable"
        found.append(Completion(name, kind, type_text(t)))
    return found


def _scope(analysis: Analysis, line: int) -> dict[str, Type]:
    """The names visible at a line and their types: the file's (and its imports')
    consts, params, figures and collections, then the variables and lets of the item
    at that line."""
    checked, file = analysis.checked, analysis.file
    if checked is None or file is None:
        return {}
    view = schema_view(checked.schema, checked.currency)
    names: dict[str, Type] = {name: view.collection_type(name) for name in view.collections}
    names["as_of"] = DATE
    for other in analysis.program:
        if other.path in checked.imports:
            names.update((n, s.type) for n, s in other.consts.items())
    names.update((n, s.type) for n, s in checked.consts.items())
    names.update((n, info.type) for n, info in checked.params.items())
    names.update((n, f[2].type) for n, f in checked.figures.items())
    item = _item_at(file, line)
    types = checked.tables.types
    for node in _walk(item):
        if isinstance(node, ast.Iteration | ast.Aggregate) and id(node.source) in types:
            names[node.var] = _element(types[id(node.source)])
        elif isinstance(node, ast.Let) and id(node.expr) in types:
            names[node.name] = types[id(node.expr)]
        elif isinstance(node, ast.Define):
            names[node.var] = EntityT(node.entity)
        elif isinstance(node, ast.Function) and node.name in checked.functions:
            names.update(checked.functions[node.name].params)
    return names


def _element(t: Type) -> Type:
    return t.elem if isinstance(t, ListT) else t


def _item_at(file: ast.RuleFile, line: int) -> object | None:
    """The item around a line, or the last one above it (the one being added to)."""
    chosen: object | None = None
    for item in file.items:
        if item.span.line <= line:
            chosen = item
    return chosen


def _walk(node: object | None) -> Iterator[object]:
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        yield current
        stack.extend(subnodes(current))
