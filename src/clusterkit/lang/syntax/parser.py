"""Parse rule text into the syntax tree of :mod:`clusterkit.lang.ast`.

Lark builds the LALR tables and lexers from ``grammar.lark`` (once, lazily);
:mod:`clusterkit.lang.syntax.lalr` runs them, and :mod:`clusterkit.lang.syntax.builder` builds the
tree as the parser reduces, with no recursion and no Lark tree, the garbage collector
paused meanwhile. At a syntax error Lark parses the text itself, and its error becomes
a diagnostic with a file:line:column span (:mod:`clusterkit.lang.syntax.syntax_errors`). Rule
files are bounded in size and nesting depth. Nothing past the builder sees a Lark type.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from clusterkit import codes
from clusterkit.diagnostics import (
    Diagnostic,
    DiagnosticError,
    Severity,
    Span,
    source_lines,
    unify_line_ends,
)
from clusterkit.lang import ast
from clusterkit.lang.syntax.builder import (
    MAX_DEPTH,
    TOKENS_FOR,
    BadLiteralError,
    DepthError,
    TreeBuilder,
)
from clusterkit.lang.syntax.collector import paused_gc
from clusterkit.lang.syntax.lalr import NotParsedError, Reducers, Tables, run
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


def _grammar() -> str:
    # Beside this module (importlib.resources would cost more to import than to parse).
    return Path(__file__).with_name("grammar.lark").read_text(encoding="utf-8")


@cache
def _lark() -> Any:
    """Lark's parser for the grammar: it makes the tables, and names syntax errors."""
    from lark import Lark  # noqa: PLC0415 - not needed while the rules parse

    return Lark(_grammar(), parser="lalr", keep_all_tokens=True, maybe_placeholders=False)


@cache
def _tables() -> Tables:
    """The parse tables, as shipped in :mod:`.lalr_tables` if they were made from this
    grammar, else made from it now (after an edit, before ``tables_module`` is run)."""
    from clusterkit.lang.syntax import lalr_tables  # noqa: PLC0415 - a large literal, read once

    digest = hashlib.sha256(_grammar().encode("utf-8")).hexdigest()
    if digest == lalr_tables.GRAMMAR_SHA256:
        return Tables(json.loads(lalr_tables.TABLES))
    from clusterkit.lang.syntax.lalr_build import tables_data  # noqa: PLC0415

    return Tables(tables_data(_lark(), _MEANINGFUL))


def tables_module() -> str:
    """The text of :mod:`clusterkit.lang.syntax.lalr_tables` for the grammar as it is
    (``python -m clusterkit.lang.syntax.parser`` writes it; a test checks it is current)."""
    from lark import __version__ as lark_version  # noqa: PLC0415

    grammar = _grammar()
    from clusterkit.lang.syntax.lalr_build import tables_data  # noqa: PLC0415

    tables = tables_data(_lark(), _MEANINGFUL)
    # One line per state, rule and lexer, so that a change to the grammar reads as a diff.
    parts = []
    for key, value in tables.items():
        if isinstance(value, list):
            lines = ",\n".join(json.dumps(v, ensure_ascii=True) for v in value)
            parts.append(f"{json.dumps(key)}: [\n{lines}\n]")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=True)}")
    data = "{\n" + ",\n".join(parts) + "\n}"
    if '"""' in data:
        raise ValueError("the tables cannot be written as one raw string")
    return (
        '"""The parse tables of ``grammar.lark``, made by\n'
        "``python -m clusterkit.lang.syntax.parser`` from Lark's LALR analysis and contextual\n"
        "lexer (see :mod:`clusterkit.lang.syntax.lalr`). Made, not written: run the command\n"
        'again after changing the grammar."""\n'
        "\n"
        "# ruff: noqa: E501\n"
        "\n"
        f'GRAMMAR_SHA256 = "{hashlib.sha256(grammar.encode("utf-8")).hexdigest()}"\n'
        f'LARK_VERSION = "{lark_version}"\n'
        f'TABLES = r"""{data}"""\n'
    )


def _bad_text(text: str, file: str) -> Diagnostic | None:
    """A character no file can hold (a lone surrogate from Python text), as a diagnostic."""
    for number, line in enumerate(source_lines(text), start=1):
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

    A byte-order mark at the start (Windows editors write one) is ignored, and a lone
    carriage return (old Mac line ends) ends a line as a line feed does.
    """
    text = unify_line_ends(text.removeprefix("\ufeff"))
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
    tables = _tables()
    reducers = Reducers(TreeBuilder(file), file, TOKENS_FOR, Span)
    try:
        # The syntax tree is built bottom-up as the LALR parser reduces, without
        # recursion: a deeply nested input reaches the depth bound as a diagnostic.
        with paused_gc():
            header, items = run(tables, text, reducers)
    except NotParsedError:
        raise DiagnosticError([_syntax_error(text, file)]) from None
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


@cache
def literals() -> dict[str, str]:
    """What each keyword or symbol terminal matches, to name it in syntax errors."""
    return {t.name: t.pattern.value for t in _lark().terminals if t.pattern.type == "str"}


def _syntax_error(text: str, file: str) -> Diagnostic:
    """Lark's own account of the syntax error the lean driver stopped at."""
    from lark.exceptions import UnexpectedInput  # noqa: PLC0415 - only on errors

    from clusterkit.lang.syntax.syntax_errors import syntax_error  # noqa: PLC0415

    try:
        _lark().parse(text)
    except UnexpectedInput as exc:
        return syntax_error(file, exc, literals(), text)
    raise AssertionError(f"{file}: the parser stopped where Lark finds no syntax error")


if __name__ == "__main__":
    target = Path(__file__).with_name("lalr_tables.py")
    target.write_text(tables_module(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
