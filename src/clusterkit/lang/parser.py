"""Parse rule text into the syntax tree of :mod:`clusterkit.lang.ast`.

Lark builds the LALR tables and lexers from ``grammar.lark`` (once, lazily);
:mod:`clusterkit.lang.lalr` runs them, and :mod:`clusterkit.lang.builder` builds the
tree as the parser reduces, with no recursion and no Lark tree, the garbage collector
paused meanwhile. At a syntax error Lark parses the text itself, and its error becomes
a diagnostic with a file:line:column span (:mod:`clusterkit.lang.syntax_errors`). Rule
files are bounded in size and nesting depth. Nothing past the builder sees a Lark type.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from lark import Lark
from lark.exceptions import UnexpectedInput

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.lang import ast
from clusterkit.lang.builder import (
    MAX_DEPTH,
    TOKENS_FOR,
    BadLiteralError,
    DepthError,
    TreeBuilder,
)
from clusterkit.lang.collector import paused_gc
from clusterkit.lang.lalr import NotParsedError, Reducers, Tables, run
from clusterkit.lang.syntax_errors import syntax_error

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


@cache
def _parser() -> tuple[Lark, Tables, dict[str, str]]:
    grammar = resources.files("clusterkit.lang").joinpath("grammar.lark").read_text("utf-8")
    # Lark's parser builds the tables and lexers; it parses itself only to name a
    # syntax error that the lean driver stopped at.
    lark = Lark(grammar, parser="lalr", keep_all_tokens=True, maybe_placeholders=False)
    # What each keyword or symbol terminal matches, to name it in syntax errors.
    literals = {t.name: t.pattern.value for t in lark.terminals if t.pattern.type == "str"}
    return lark, Tables(lark, _MEANINGFUL), literals


def _bad_text(text: str, file: str) -> Diagnostic | None:
    """A character no file can hold (a lone surrogate from Python text), as a diagnostic."""
    for number, line in enumerate(text.splitlines() or [""], start=1):
        for column, char in enumerate(line, start=1):
            if "\ud800" <= char <= "\udfff":
                return Diagnostic(
                    codes.SYNTAX_CHARACTER,
                    Severity.ERROR,
                    f"character U+{ord(char):04X} is not valid Unicode text",
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
                    f"rule file is {size} bytes, more than the {MAX_RULE_FILE_BYTES} allowed",
                    file=file,
                    span=Span.point(file, 1, 1),
                )
            ]
        )
    lark, tables, literals = _parser()
    reducers = Reducers(TreeBuilder(file), file, TOKENS_FOR, Span)
    try:
        # The syntax tree is built bottom-up as the LALR parser reduces, without
        # recursion: a deeply nested input reaches the depth bound as a diagnostic.
        with paused_gc():
            header, items = run(tables, text, reducers)
    except NotParsedError:
        raise DiagnosticError([_syntax_error(lark, literals, text, file)]) from None
    except DepthError as exc:
        raise DiagnosticError(
            [
                Diagnostic(
                    codes.TOO_DEEP,
                    Severity.ERROR,
                    f"expression nested more than {MAX_DEPTH} levels deep",
                    file=file,
                    span=exc.span,
                    hint="split it with 'let' steps",
                )
            ]
        ) from None
    except BadLiteralError as exc:
        raise DiagnosticError(
            [Diagnostic(codes.BAD_LITERAL, Severity.ERROR, exc.message, file=file, span=exc.span)]
        ) from None
    return ast.RuleFile(file, text, header, tuple(items))


def _syntax_error(lark: Lark, literals: dict[str, str], text: str, file: str) -> Diagnostic:
    """Lark's own account of the syntax error the lean driver stopped at."""
    try:
        lark.parse(text)
    except UnexpectedInput as exc:
        return syntax_error(file, exc, literals, text)
    raise AssertionError(f"{file}: the parser stopped where Lark finds no syntax error")
