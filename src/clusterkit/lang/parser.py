"""Parse rule text into the syntax tree of :mod:`clusterkit.lang.ast`.

A lazily built LALR parser (``grammar.lark``); the tree is built by
:mod:`clusterkit.lang.builder` in Lark's reduce callbacks, while parsing, with no
recursion over a Lark tree; Lark's errors become diagnostics with a file:line:column
span (:mod:`clusterkit.lang.syntax_errors`). Rule files are bounded in size and
nesting depth. Nothing past this module sees a Lark type.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedInput

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.lang import ast
from clusterkit.lang.builder import MAX_DEPTH, BadLiteralError, DepthError, TreeBuilder
from clusterkit.lang.syntax_errors import syntax_error
from clusterkit.messages import msg

__all__ = ["MAX_DEPTH", "MAX_RULE_FILE_BYTES", "parse_rules"]

#: Larger rule files are refused before parsing.
MAX_RULE_FILE_BYTES = 4 * 1024 * 1024

# Terminals whose text matters to the syntax tree; every other token is a keyword or
# punctuation, used for positions and then dropped.
_MEANINGFUL = frozenset(
    {
        "NAME",
        "STRING",
        "NUMBER",
        "INT",
        "DATE",
        "LANG",
        "LEVEL",
        "COMP",
        "EQ",
        "ADD",
        "MUL",
        "SCALE",
        "REQUIRED",
    }
)


class _Meta:
    """Where a rule's text starts and ends, like Lark's own ``Meta``."""

    __slots__ = ("column", "empty", "end_column", "end_line", "line")

    def __init__(
        self, first: tuple[int, int, int, int] | None, last: tuple[int, int, int, int] | None
    ) -> None:
        self.empty = first is None or last is None
        if first is not None and last is not None:
            self.line, self.column = first[0], first[1]
            self.end_line, self.end_column = last[2], last[3]


class _Part:
    """A non-node result of a rule (a title, a name), carrying its position up."""

    __slots__ = ("position", "value")

    def __init__(self, value: Any, position: tuple[int, int, int, int]) -> None:
        self.value = value
        self.position = position


def _position(child: Any) -> tuple[int, int, int, int] | None:
    if isinstance(child, Token):
        return (child.line or 1, child.column or 1, child.end_line or 1, child.end_column or 1)
    if isinstance(child, _Part):
        return child.position
    span = getattr(child, "span", None)
    if span is None:
        return None
    return (span.line, span.column, span.end_line, span.end_column)


class _Callbacks:
    """What Lark calls as it reduces each rule: positions from the children's tokens,
    then the builder's method with the meaningful children. No tree is built and no
    positions are propagated by Lark, which is where most of its time went."""

    def __init__(self) -> None:
        self.builder = TreeBuilder("<rules>")

    def __getattr__(self, name: str) -> Any:
        method = getattr(TreeBuilder, name, None)
        if method is None or name.startswith("_"):
            raise AttributeError(name)
        builder = self.builder

        def callback(children: list[Any]) -> Any:
            first = last = None
            args = []
            for child in children:
                position = _position(child)
                if position is not None:
                    first = first or position
                    last = position
                if isinstance(child, Token):
                    if child.type in _MEANINGFUL:
                        args.append(child)
                elif isinstance(child, _Part):
                    args.append(child.value)
                else:
                    args.append(child)
            result = method(builder, _Meta(first, last), *args)
            if first is None or last is None or hasattr(result, "span"):
                return result
            return _Part(result, (first[0], first[1], last[2], last[3]))

        return callback


_LOCK = threading.Lock()


@cache
def _parser() -> tuple[Lark, _Callbacks, dict[str, str]]:
    grammar = resources.files("clusterkit.lang").joinpath("grammar.lark").read_text("utf-8")
    callbacks = _Callbacks()
    lark = Lark(
        grammar,
        parser="lalr",
        keep_all_tokens=True,
        maybe_placeholders=False,
        transformer=callbacks,
    )
    # What each keyword or symbol terminal matches, to name it in syntax errors.
    literals = {t.name: t.pattern.value for t in lark.terminals if t.pattern.type == "str"}
    return lark, callbacks, literals


def _bad_text(text: str, file: str) -> Diagnostic | None:
    """A character no file can hold (a lone surrogate from Python text), as a diagnostic."""
    for number, line in enumerate(text.splitlines() or [""], start=1):
        for column, char in enumerate(line, start=1):
            if "\ud800" <= char <= "\udfff":
                return Diagnostic(
                    codes.SYNTAX_CHARACTER,
                    Severity.ERROR,
                    msg("character U+{code:04X} is not valid Unicode text", code=ord(char)),
                    file=file,
                    span=Span.point(file, number, column),
                )
    return None


def parse_rules(text: str, file: str = "<rules>") -> ast.RuleFile:
    """Parse one rule file; raise :class:`DiagnosticError` on a syntax error.

    A byte-order mark at the start (Windows editors write one) is ignored.
    """
    text = text.removeprefix("\ufeff")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        problem = _bad_text(text, file)
        assert problem is not None
        raise DiagnosticError([problem]) from None
    if size > MAX_RULE_FILE_BYTES:
        raise DiagnosticError(
            [
                Diagnostic(
                    codes.RULES_TOO_BIG,
                    Severity.ERROR,
                    msg(
                        "rule file is {size} bytes, more than the {limit} allowed",
                        size=size,
                        limit=MAX_RULE_FILE_BYTES,
                    ),
                    file=file,
                    span=Span.point(file, 1, 1),
                )
            ]
        )
    lark, callbacks, literals = _parser()
    try:
        # The syntax tree is built bottom-up as the LALR parser reduces, without
        # recursion: a deeply nested input reaches the depth bound as a diagnostic.
        with _LOCK:  # the builder holds one parse's file name and depth table
            callbacks.builder.file, callbacks.builder.depths = file, {}
            # With callbacks, Lark returns what the last one gave, not a Tree.
            result: Any = lark.parse(text)
        header, items = result.value if isinstance(result, _Part) else result
    except UnexpectedInput as exc:
        raise DiagnosticError([syntax_error(file, exc, literals, text)]) from None
    except DepthError as exc:
        raise DiagnosticError(
            [
                Diagnostic(
                    codes.TOO_DEEP,
                    Severity.ERROR,
                    msg("expression nested more than {depth} levels deep", depth=MAX_DEPTH),
                    file=file,
                    span=exc.span,
                    hint=msg("split it with 'let' steps"),
                )
            ]
        ) from None
    except BadLiteralError as exc:
        raise DiagnosticError(
            [Diagnostic(codes.BAD_LITERAL, Severity.ERROR, exc.message, file=file, span=exc.span)]
        ) from None
    return ast.RuleFile(file, text, header, tuple(items))
