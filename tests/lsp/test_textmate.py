"""The TextMate grammar: its regexes compile, it knows every keyword of the language's
grammar (so the two cannot drift), and a line is highlighted as an author expects."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from clusterkit.lang.syntax.tokens import keywords

ROOT = Path(__file__).resolve().parents[2]
GRAMMAR = ROOT / "editors" / "textmate" / "clusterkit.tmLanguage.json"
KEYWORD_SCOPES = ("keyword.", "storage.", "constant.language", "support.type")


def grammar() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    return loaded


def rules(node: Any) -> list[dict[str, Any]]:
    """Every rule with a regex, includes resolved, in the order they are tried."""
    repository = grammar()["repository"]
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        current = stack.pop(0)
        if "include" in current:
            stack.insert(0, repository[current["include"].removeprefix("#")])
        elif "match" in current or "begin" in current:
            found.append(current)
        else:
            stack[:0] = current["patterns"]
    return found


def test_every_regex_compiles() -> None:
    patterns: list[str] = []
    stack: list[Any] = [grammar()]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            patterns += [node[k] for k in ("match", "begin", "end") if k in node]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    assert len(patterns) > 20
    for pattern in patterns:
        re.compile(pattern)


@pytest.mark.parametrize("word", sorted(keywords()))
def test_every_keyword_of_the_language_is_highlighted(word: str) -> None:
    assert any(
        rule.get("name", "").startswith(KEYWORD_SCOPES) and re.fullmatch(rule["match"], word)
        for rule in rules(grammar())
        if "match" in rule
    ), word


def highlight(line: str) -> dict[str, str]:
    """Each piece of a line and its scope, as an editor scans it: at each position the
    earliest match wins, the first rule on a tie."""
    top = rules(grammar())
    pieces: dict[str, str] = {}
    position = 0
    while position < len(line):
        best: tuple[int, int, dict[str, Any], re.Match[str]] | None = None
        for order, rule in enumerate(top):
            found = re.compile(rule.get("match") or rule["begin"]).search(line, position)
            if found and found.end() > found.start() and (best is None or found.start() < best[0]):
                best = (found.start(), order, rule, found)
        if best is None:
            break
        _start, _order, rule, found = best
        end = found.end()
        if "begin" in rule:
            end = _close(rule, line, end)
            pieces[line[found.start() : end]] = rule["name"]
        elif "captures" in rule:
            for group, capture in rule["captures"].items():
                if found.group(int(group)):
                    pieces[found.group(int(group))] = capture["name"]
        else:
            pieces[found.group(0)] = rule["name"]
        position = end
    return {text: scope.removesuffix(".clusterkit") for text, scope in pieces.items()}


def _close(rule: dict[str, Any], line: str, position: int) -> int:
    """Where a begin/end rule ends: its inner rules (escapes) consume text first when
    they match earlier than the end."""
    inner = [re.compile(r["match"]) for r in rule.get("patterns", [])]
    while position <= len(line):
        closing = re.compile(rule["end"]).search(line, position)
        if closing is None:
            return len(line)
        earlier = [
            m for r in inner if (m := r.search(line, position)) and m.start() < closing.start()
        ]
        if not earlier:
            return closing.end()
        position = min(m.end() for m in earlier)
    return len(line)


def test_a_rule_is_highlighted_as_an_author_expects() -> None:
    scopes = highlight('rule share for each p in projects where p.title != "a \\"b\\"" # why')
    assert scopes["rule"] == "storage.type"
    assert scopes["share"] == "entity.name"
    assert scopes["for"] == scopes["each"] == scopes["where"] == "keyword.other"
    assert scopes["title"] == "variable.other.property"
    assert scopes['"a \\"b\\""'] == "string.quoted.double"
    assert scopes["# why"] == "comment.line.number-sign"
    assert scopes["!="] == "keyword.operator.comparison"


def test_quantities_dates_levels_and_languages() -> None:
    scopes = highlight("  warning when 112 mln KZT per year > 30 % * x and d >= 2021-06-30")
    assert scopes["warning"] == "constant.language.level"
    assert scopes["112"] == scopes["30"] == "constant.numeric"
    assert scopes["mln"] == "keyword.other.unit.scale"
    assert scopes["KZT"] == scopes["year"] == scopes["%"] == "keyword.other.unit"
    assert scopes["per"] == "keyword.other.unit.per"
    assert scopes["and"] == "keyword.operator.logical"
    assert scopes["2021-06-30"] == "constant.numeric.date"
    assert "x" not in scopes
    title = highlight('  title en "A" ru "Б"')
    assert title["en"] == title["ru"] == "support.type.language-code"
    # a number followed by a keyword is not a number with a unit
    assert highlight("  select top 6 minimum 5 points")["minimum"] == "keyword.other"
    assert highlight("  field x: yes/no required")["yes/no"] == "support.type"


def test_the_vs_code_extension_ships_the_same_grammar() -> None:
    copy = ROOT / "editors" / "vscode" / "syntaxes" / "clusterkit.tmLanguage.json"
    assert copy.read_bytes() == GRAMMAR.read_bytes()


def test_the_grammar_is_what_its_script_writes() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_grammar", ROOT / "editors" / "textmate" / "build_grammar.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == GRAMMAR.read_text(encoding="utf-8"), (
        "run: python editors/textmate/build_grammar.py"
    )
