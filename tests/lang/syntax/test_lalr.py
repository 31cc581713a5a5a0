"""The lean LALR driver gives what Lark's own parser gives: the same tree with the same
spans for every rule file, and the same diagnostic for every broken one.

The reference is Lark's parser with the tree builder as its transformer, positions
taken from the children's tokens (how ``parser.py`` ran before the lean driver).
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark, Token
from lark.exceptions import UnexpectedInput

from clusterkit import codes
from clusterkit.diagnostics import DiagnosticError, Span
from clusterkit.lang import ast, parse_rules
from clusterkit.lang.syntax import lalr_tables
from clusterkit.lang.syntax import parser as parser_module
from clusterkit.lang.syntax.builder import MAX_DEPTH, BadLiteralError, DepthError, TreeBuilder
from clusterkit.lang.syntax.parser import _MEANINGFUL, literals, tables_module
from clusterkit.lang.syntax.syntax_errors import syntax_error

ROOT = Path(__file__).resolve().parents[3]
RULE_FILES = sorted(
    p for p in ROOT.rglob("*.ckr") if ".venv" not in p.parts and "node_modules" not in p.parts
)
SHIPPED = sorted((ROOT / "rules").glob("*.ckr"))

Position = tuple[int, int, int, int]


class _Part:
    """A builder result without a span (a title, a name), with its position."""

    def __init__(self, value: Any, position: Position) -> None:
        self.value = value
        self.position = position


def _position(child: Any) -> Position | None:
    if isinstance(child, Token):
        return (child.line or 1, child.column or 1, child.end_line or 1, child.end_column or 1)
    if isinstance(child, _Part):
        return child.position
    span = getattr(child, "span", None)
    if span is None:
        return None
    return (span.line, span.column, span.end_line, span.end_column)


class _Reference:
    """Lark's transformer callbacks calling the builder (one parse at a time)."""

    def __init__(self) -> None:
        self.file = ""
        self.builder = TreeBuilder("")

    def __getattr__(self, name: str) -> Callable[[list[Any]], Any]:
        method = getattr(TreeBuilder, name, None)
        if method is None or name.startswith("_"):
            raise AttributeError(name)

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
            assert first is not None
            assert last is not None
            where = (first[0], first[1], last[2], last[3])
            result = method(self.builder, Span(self.file, *where), *args)
            return result if hasattr(result, "span") else _Part(result, where)

        return callback


@cache
def _reference() -> tuple[Lark, _Reference]:
    grammar = resources.files("clusterkit.lang.syntax").joinpath("grammar.lark").read_text("utf-8")
    callbacks = _Reference()
    options = {"keep_all_tokens": True, "maybe_placeholders": False}
    return Lark(grammar, parser="lalr", transformer=callbacks, **options), callbacks


Outcome = ast.RuleFile | tuple[str, Span | None, str]


def reference(text: str, file: str) -> Outcome:
    """Lark's parse with the builder: the tree, or the first problem's code, span and
    message."""
    lark, callbacks = _reference()
    callbacks.file, callbacks.builder = file, TreeBuilder(file)
    try:
        result: Any = lark.parse(text)  # with callbacks, what the last one gave
    except UnexpectedInput as exc:
        problem = syntax_error(file, exc, literals(), text)
        return (problem.code, problem.span, problem.message)
    except DepthError as exc:
        return (codes.TOO_DEEP, exc.span, f"expression nested more than {MAX_DEPTH} levels deep")
    except BadLiteralError as exc:
        return (codes.BAD_LITERAL, exc.span, exc.message)
    header, items = result.value
    return ast.RuleFile(file, text, header, tuple(items))


def lean(text: str, file: str) -> Outcome:
    try:
        return parse_rules(text, file)
    except DiagnosticError as exc:
        (problem,) = exc.diagnostics
        return (problem.code, problem.span, problem.message)


def assert_same(text: str, file: str = "t.ckr") -> None:
    ours, theirs = lean(text, file), reference(text, file)
    assert ours == theirs


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_rule_file_in_the_repository_parses_as_lark_parses_it(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8").removeprefix("\ufeff"), str(path))


def test_a_large_generated_file_parses_as_lark_parses_it() -> None:
    lines = ["rulebook big", "const min_share = 30 %", "const cap = 112 mln KZT per year"]
    for i in range(300):
        lines.append(
            f"rule r_{i} for each p in projects where p.budget > {i} mln KZT\n"
            f"  let x = (p.budget - p.cluster_amount) / p.programme.duration\n"
            f"  require x <= cap and count(q in p.cluster.participants where q.is_enterprise)"
            f" >= {i % 7} or [1, 2, 3][0] = {{1: 2}}[1]"
        )
    assert_same("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    "text",
    [
        "rulebook t\r\nconst a = 1\r\nconst b = a + 2\r\n",  # Windows line ends
        "rulebook t\n\n\n\tconst a =\n\n  1  # a comment\n# another\nconst b = 2",
        "rulebook t\fconst a = 1\x0cconst b = [1,\n2,\n3]",
        'rulebook t\nconst a = "a \\"quoted\\" text\\n"\n',
        "rulebook t\nconst a = 1 # no line end at the end of the file",
        'rulebook t\nrule r for each p in projects\n  title en "T" ru "Т"\n'
        '  require p.title = "x"',  # a keyword as a field name
        "rulebook t\nconst ok = 1\nconst x = ok + mln",  # keywords where a name is taken
        "rulebook t\nconst a = 2021-02-30",  # a date that does not exist
        "rulebook t\nconst a = (" * 1 + "(" * 70 + "1" + ")" * 71,  # too deep
        "rulebook t\nconst a = 1 + " + " + ".join("1" for _ in range(80)),  # too deep, flat
        'rulebook t\nconst a = "unterminated\n',
        "rulebook t\nconst a = 1 @ 2",
        "rulebook t\nconst a = ",
        "rulebook t\nconst = 1",
        "",
        "   # only a comment",
        'rulebook t\nsource "a"\nsource "b"',  # given twice
    ],
)
def test_edge_cases_parse_as_lark_parses_them(text: str) -> None:
    assert_same(text)


def _mutants(count: int, seed: int) -> list[str]:
    """Shipped rulebooks with a piece cut, doubled or replaced, deterministically."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in SHIPPED]
    pieces = ['"', "#", "\n", "(", ")", "[", "]", "1e5", "-", "not", "rule x", "ж", "\t", "%"]
    out = []
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        end = min(len(text), start + rng.randrange(1, 40))
        how = rng.randrange(3)
        if how == 0:
            text = text[:start] + text[end:]
        elif how == 1:
            text = text[:end] + text[start:end] + text[end:]
        else:
            text = text[:start] + rng.choice(pieces) + text[start:]
        out.append(text)
    return out


@pytest.mark.parametrize("index", range(12))
def test_mutated_rulebooks_give_what_lark_gives(index: int) -> None:
    for text in _mutants(25, seed=index):
        assert_same(text)


_WORDS = [
    "rulebook",
    "t",
    "rule",
    "r",
    "for",
    "each",
    "p",
    "in",
    "projects",
    "require",
    "let",
    "x",
    "=",
    ">=",
    "+",
    "*",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "1",
    "2.5",
    "mln",
    "KZT",
    "per",
    "year",
    "%",
    '"s"',
    "2021-01-01",
    "title",
    "en",
    "if",
    "then",
    "else",
    "count",
    "where",
    "and",
    "not",
    "none",
    "is",
    "\n",
    "# c\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=40))
def test_random_token_soup_gives_what_lark_gives(words: list[str]) -> None:
    assert_same("rulebook t\n" + " ".join(words))


def test_the_shipped_tables_are_made_from_the_grammar_as_it_is() -> None:
    shipped = Path(lalr_tables.__file__).read_text(encoding="utf-8")
    assert shipped == tables_module(), "run: python -m clusterkit.lang.syntax.parser"


def test_tables_are_made_afresh_when_the_grammar_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lalr_tables, "GRAMMAR_SHA256", "0" * 64)
    fresh = parser_module._tables.__wrapped__()
    shipped = parser_module._tables()
    assert fresh is not shipped
    assert fresh.actions == shipped.actions
    assert fresh.rules == shipped.rules


def test_parsing_a_valid_file_imports_no_lark() -> None:
    code = (
        "import sys\n"
        "from clusterkit.lang import parse_rules\n"
        "parse_rules('rulebook t\\nconst a = 1 mln KZT per year\\n')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lark', 'pint', 'babel')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
