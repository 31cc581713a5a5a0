"""Syntax errors in the author's words: what was found, and what could come there.

Lark names what it expected by its terminals (``NAME``, ``__ANON_0``, ``PERCENT``);
these are turned into words a policy author reads ("a name", "'thousand'", "'%'").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Severity, Span
from clusterkit.messages import join, msg
from clusterkit.suggestions import did_you_mean

__all__ = ["syntax_error", "token_span"]

# Readable names for the grammar's named terminals.
_TERMINALS = {
    "NAME": msg("a name"),
    "STRING": msg("a quoted text"),
    "NUMBER": msg("a number"),
    "INT": msg("a whole number"),
    "DATE": msg("a date (YYYY-MM-DD)"),
    "LANG": msg("a language (en, ru, kk)"),
    "LEVEL": msg("ok, warning or breach"),
    "COMP": msg("a comparison (>=, <=, >, <, !=)"),
    "EQ": msg("'='"),
    "ADD": msg("'+' or '-'"),
    "MUL": msg("'*' or '/'"),
    "SCALE": msg("a scale (thousand, mln, bn)"),
    "$END": msg("the end of the file"),
}
_EXPRESSION_STARTS = {"NAME", "NUMBER", "STRING", "DATE", "LPAR", "LSQB", "LBRACE", "MINUS"}
_EXPRESSION_WORDS = {"true", "false", "none", "not", "if", "-"}


def _word(name: str, literals: Mapping[str, str]) -> str:
    """A terminal as the author would write it: a keyword or symbol in quotes, or a
    description of what kind of thing it is."""
    if name in _TERMINALS:
        return _TERMINALS[name]
    literal = literals.get(name)
    if literal is not None:
        return f"'{literal}'"
    return f"'{name.lower()}'"


def _describe_expected(expected: set[str], literals: Mapping[str, str]) -> str:
    if {"NAME", "NUMBER"} <= expected:
        # Everything that can start an expression: say so rather than list them.
        rest = [
            name
            for name in expected - _EXPRESSION_STARTS
            if literals.get(name) not in _EXPRESSION_WORDS
        ]
        others = sorted(_word(name, literals) for name in rest)
        return join([msg("an expression (a value, a name, a calculation)"), *others])
    words = sorted({_word(name, literals) for name in expected})
    if len(words) > 8:
        words = [*words[:8], "…"]
    return join(words)


def _misspelt_keyword(found: str, accepts: set[str], literals: Mapping[str, str]) -> str | None:
    """``did you mean 'require'?`` when a word is close to a keyword that could come
    there (a misspelt keyword reads as a name, which the grammar does not expect)."""
    if not found.isidentifier():
        return None
    keywords = [word for name in accepts if (word := literals.get(name, "")).isidentifier()]
    if found in keywords:
        return None
    return did_you_mean(found, keywords, cutoff=0.75)


def token_span(file: str, token: Token | Any) -> Span:
    line = getattr(token, "line", None) or 1
    column = getattr(token, "column", None) or 1
    end_line = getattr(token, "end_line", None) or line
    end_column = getattr(token, "end_column", None) or column + 1
    return Span(file, line, column, end_line, end_column)


def _shown(token: Token) -> str:
    text = str(token)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def syntax_error(
    file: str, exc: UnexpectedInput, literals: Mapping[str, str], text: str
) -> Diagnostic:
    """The diagnostic for a Lark error; ``literals`` maps terminal names to the keyword
    or symbol they match, ``text`` is the rule text."""
    if isinstance(exc, UnexpectedCharacters):
        span = Span.point(file, exc.line, exc.column)
        if exc.char == '"':
            return Diagnostic(
                codes.SYNTAX_CHARACTER,
                Severity.ERROR,
                msg("unterminated string: the closing '\"' is missing on this line"),
                file=file,
                span=span,
            )
        message = msg("unexpected character {char!r}", char=exc.char)
        return Diagnostic(codes.SYNTAX_CHARACTER, Severity.ERROR, message, file=file, span=span)
    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        expected = _describe_expected(set(exc.expected), literals)
        span = Span.point(file, max(exc.line, 1), max(exc.column, 1))
        return Diagnostic(
            codes.SYNTAX_EOF,
            Severity.ERROR,
            msg("the file ends too early; expected {expected}", expected=expected),
            file=file,
            span=span,
        )
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        accepts = set(exc.accepts or exc.expected)
        expected = _describe_expected(accepts, literals)
        return Diagnostic(
            codes.SYNTAX_TOKEN,
            Severity.ERROR,
            msg("unexpected {found}; expected {expected}", found=_shown(token), expected=expected),
            file=file,
            span=token_span(file, token),
            hint=_misspelt_keyword(str(token), accepts, literals),
        )
    span = Span.point(file, max(getattr(exc, "line", 1), 1), max(getattr(exc, "column", 1), 1))
    return Diagnostic(codes.SYNTAX_TOKEN, Severity.ERROR, msg("syntax error"), file=file, span=span)
