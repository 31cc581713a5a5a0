"""Syntax errors name what was expected in the author's words, never a parser terminal."""

from __future__ import annotations

import re

import pytest

from clusterkit.diagnostics import DiagnosticError
from clusterkit.lang import parse_rules
from clusterkit.lang.syntax.tokens import _lark, keywords, read_tokens
from tests.lang.syntax.test_formatter import ITEMS

TERMINALS = {t.name for t in _lark().terminals}


def message_for(text: str) -> str:
    with pytest.raises(DiagnosticError) as exc:
        parse_rules(text, "t.ckr")
    (diagnostic,) = exc.value.diagnostics
    assert diagnostic.code.startswith("R10")
    return diagnostic.message


def assert_in_words(message: str) -> None:
    unquoted = re.sub(r"'[^']*'", "", message)
    assert "__" not in message
    assert "anon" not in message.lower()
    leaked = [w for w in re.findall(r"[A-Za-z_$]+", unquoted) if w in TERMINALS or w == "$END"]
    assert leaked == [], message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rulebook t\nrule r for eech p in projects\n  require 1 > 0\n", "expected 'each'"),
        ("rulebook t\nrule r\n  require 1 > 0 within precison\n", "expected 'precision'"),
        ("rulebook t\nfunction f(a: text) returns text = a\n", "expected '->', '='"),
        ("rulebook t\n  in forse from 2021-01-01\n", "expected 'force'"),
        ("rulebook t\nrule r\n  requir 1 > 0\n", "unexpected 'requir'"),
        ("rulebook t\nkind k\n  feld x: text\n", "unexpected 'feld'"),
        ("rulebook t\nconst x = 1\nrul r\n  require x > 1\n", "unexpected 'r'"),
    ],
)
def test_a_misspelt_keyword_is_named_in_the_author_s_words(text: str, expected: str) -> None:
    message = message_for(text)
    assert expected in message
    assert_in_words(message)


@pytest.mark.parametrize("item", ITEMS)
def test_no_misspelling_of_any_keyword_leaks_a_parser_terminal(item: str) -> None:
    text = 'rulebook t\n  title en "A"\n' + item + "\n"
    stream = read_tokens(text)
    for tok in stream.tokens:
        if tok.text not in keywords() or tok.type == "NAME":
            continue
        start, end = tok.token.start_pos or 0, tok.token.end_pos or 0
        for wrong in (tok.text[:-1] + "q", tok.text + "s"):
            try:
                parse_rules(text[:start] + wrong + text[end:], "t.ckr")
            except DiagnosticError as exc:
                for diagnostic in exc.diagnostics:
                    assert_in_words(diagnostic.message)


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("rulebook t\nrule r for each p in projects\n  requir p.budget > 0 KZT\n", "require"),
        ("rulebook t\nrul r for each p in projects\n  require 1 > 0\n", "rule"),
        ("rulebook t\nrule r\n  require 1 KZT > 0 KZT wihtin precision\n", "within"),
    ],
)
def test_a_misspelt_keyword_is_named_in_a_hint(text: str, keyword: str) -> None:
    with pytest.raises(DiagnosticError) as exc:
        parse_rules(text, "t.ckr")
    (diagnostic,) = exc.value.diagnostics
    assert diagnostic.hint == f"did you mean '{keyword}'?"
    assert diagnostic.localized("ru").hint == f"может быть, '{keyword}'?"


def test_a_name_far_from_every_keyword_gets_no_hint() -> None:
    with pytest.raises(DiagnosticError) as exc:
        parse_rules("rulebook t\nrule r\n  zzzzqqq 1 > 0\n", "t.ckr")
    assert exc.value.diagnostics[0].hint is None
