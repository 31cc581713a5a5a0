"""What is at a position of a rule file: the syntax tree's nodes around it, outermost
first, for editors (hover, go to definition, completion)."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from clusterkit.diagnostics import Span
from clusterkit.lang import ast

__all__ = ["contains", "nodes_at", "subnodes"]


def contains(span: Span, line: int, column: int) -> bool:
    """Whether a position (1-based) lies in a span or right after its end, where a
    cursor that has just typed it stands."""
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)


def subnodes(node: object) -> Iterator[object]:
    """The nodes directly below a node (every field that is a node, or a tuple of them,
    or of pairs of them), in source order as the node keeps them."""
    kind = type(node)
    if not attrs.has(kind):
        return
    for field in attrs.fields(kind):
        if field.name == "span":
            continue
        stack = [getattr(node, field.name)]
        while stack:
            value = stack.pop(0)
            if isinstance(value, tuple):
                stack[:0] = list(value)
            elif attrs.has(type(value)) and isinstance(getattr(value, "span", None), Span):
                yield value


def nodes_at(file: ast.RuleFile, line: int, column: int) -> list[object]:
    """The nodes whose text holds the position, from the item down to the innermost
    node; empty if the position is between items."""
    path: list[object] = []
    candidates: list[object] = [file.header, *file.items]
    while True:
        inside = [
            n
            for n in candidates
            if isinstance(span := getattr(n, "span", None), Span) and contains(span, line, column)
        ]
        if not inside:
            return path
        # The narrowest one, if spans touch (the end of one is the start of the next).
        chosen = min(inside, key=lambda n: _size(n.span))  # type: ignore[attr-defined]
        path.append(chosen)
        candidates = list(subnodes(chosen))


def _size(span: Span) -> tuple[int, int]:
    return (span.end_line - span.line, span.end_column - span.column)
