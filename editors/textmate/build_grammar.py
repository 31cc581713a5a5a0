"""Writes the TextMate grammar for clusterkit rule files, in both places it ships.

Run with clusterkit installed after changing the language's keywords:
``.venv/bin/python editors/textmate/build_grammar.py``. The words that cannot be a unit after
a number come from the language's own grammar; a test checks the written files match
what this script writes.
"""

from __future__ import annotations

import json
from pathlib import Path

from clusterkit.lang.syntax.tokens import keywords

ROOT = Path(__file__).resolve().parents[2]
TARGETS = (
    ROOT / "editors" / "textmate" / "clusterkit.tmLanguage.json",
    ROOT / "editors" / "vscode" / "syntaxes" / "clusterkit.tmLanguage.json",
)
NAME = r"[^\W\d]\w*"
ITEMS = (
    "rulebook|schema|import|const|param|indicator|figure|define|function|unit|kind|extend|"
    "rule|monitor|score"
)
PARTS = (
    "version|title|message|source|basis|outcome|when|let|require|within|precision|criterion|weight|"
    "scale|to|select|top|minimum|tie|by|for|each|where|in|of|as|from|until|force|currency|"
    "collection|belongs|id|allow|field|required|per"
)
LOGIC = "and|or|not|is"
CONTROL = "if|then|else"
TYPES = "money|number|percent|date|text|one|list|identifier"
GRAMMAR = {
    "name": "clusterkit rules",
    "scopeName": "source.clusterkit",
    "fileTypes": ["ckr"],
    "patterns": [
        {"include": "#comment"},
        {"include": "#string"},
        {"include": "#date"},
        {"include": "#quantity"},
        {"include": "#field"},
        {"include": "#declaration"},
        {"include": "#call"},
        {"include": "#keywords"},
        {"include": "#operators"},
        {"include": "#punctuation"},
    ],
    "repository": {
        "comment": {"name": "comment.line.number-sign.clusterkit", "match": r"#.*$"},
        "string": {
            "name": "string.quoted.double.clusterkit",
            "begin": '"',
            "end": r'"|$',
            "patterns": [{"name": "constant.character.escape.clusterkit", "match": r'\\["\\n]'}],
        },
        "date": {"name": "constant.numeric.date.clusterkit", "match": r"\b\d{4}-\d{2}-\d{2}\b"},
        "quantity": {
            "comment": "A number and its unit: 30 %, 112 mln KZT per year, 5 points.",
            "match": (
                r"\b(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
                r"(?:\s*(%)|(?:\s+(thousand|mln|bn)\b)?"
                r"(?:\s+(?!(?:KEYWORDS)\b)(" + NAME + r"))?"
                r"(?:\s+(per)\s+(" + NAME + r"))?)"
            ),
            "captures": {
                "1": {"name": "constant.numeric.clusterkit"},
                "2": {"name": "keyword.other.unit.clusterkit"},
                "3": {"name": "keyword.other.unit.scale.clusterkit"},
                "4": {"name": "keyword.other.unit.clusterkit"},
                "5": {"name": "keyword.other.unit.per.clusterkit"},
                "6": {"name": "keyword.other.unit.clusterkit"},
            },
        },
        "field": {
            "comment": "A field after a dot is a name, even spelt like a keyword (p.title).",
            "match": r"(\.)\s*(" + NAME + ")",
            "captures": {
                "1": {"name": "punctuation.accessor.clusterkit"},
                "2": {"name": "variable.other.property.clusterkit"},
            },
        },
        "declaration": {
            "match": r"\b(" + ITEMS + r")\b(?:\s+(?!(?:KEYWORDS)\b)(" + NAME + "))?",
            "captures": {
                "1": {"name": "storage.type.clusterkit"},
                "2": {"name": "entity.name.clusterkit"},
            },
        },
        "call": {
            "match": "(" + NAME + r")\s*(?=\()",
            "captures": {"1": {"name": "entity.name.function.clusterkit"}},
        },
        "keywords": {
            "patterns": [
                {
                    "name": "constant.language.level.clusterkit",
                    "match": r"\b(?:ok|warning|breach|otherwise)\b",
                },
                {
                    "name": "constant.language.outcome.clusterkit",
                    "match": r"(?<=outcome\s)\s*"
                    r"(?:pass|ok|fail|warning|breach|not_applicable|undetermined)\b",
                },
                {"name": "constant.language.clusterkit", "match": r"\b(?:true|false|none)\b"},
                {
                    "name": "support.type.language-code.clusterkit",
                    "match": r"\b(?:en|ru|kk)\b(?=\s*\")",
                },
                {
                    "name": "keyword.other.unit.scale.clusterkit",
                    "match": r"\b(?:thousand|mln|bn)\b",
                },
                {"name": "storage.type.clusterkit", "match": r"\b(?:" + ITEMS + r")\b"},
                {
                    "name": "support.type.clusterkit",
                    "match": r"(?<![\w/])yes/no(?![\w/])|\b(?:" + TYPES + r")\b",
                },
                {
                    "name": "keyword.control.conditional.clusterkit",
                    "match": r"\b(?:" + CONTROL + r")\b",
                },
                {"name": "keyword.operator.logical.clusterkit", "match": r"\b(?:" + LOGIC + r")\b"},
                {"name": "keyword.other.clusterkit", "match": r"\b(?:" + PARTS + r")\b"},
                {"name": "support.type.language-code.clusterkit", "match": r"\b(?:en|ru|kk)\b"},
            ]
        },
        "operators": {
            "patterns": [
                {"name": "keyword.operator.arrow.clusterkit", "match": "->"},
                {"name": "keyword.operator.comparison.clusterkit", "match": ">=|<=|!=|>|<|="},
                {"name": "keyword.operator.arithmetic.clusterkit", "match": r"[+\-*/]"},
                {"name": "keyword.other.unit.clusterkit", "match": "%"},
            ]
        },
        "punctuation": {
            "patterns": [
                {"name": "punctuation.separator.comma.clusterkit", "match": ","},
                {"name": "punctuation.separator.colon.clusterkit", "match": ":"},
                {"name": "punctuation.section.brackets.clusterkit", "match": r"[\[\]{}()]"},
            ]
        },
    },
}


def build() -> str:
    """The grammar as JSON text."""
    names = sorted((w for w in keywords() if w.isidentifier()), key=lambda w: (-len(w), w))
    text = json.dumps(GRAMMAR, indent=2, ensure_ascii=False)
    return text.replace("KEYWORDS", "|".join(names)) + "\n"


if __name__ == "__main__":
    built = build()
    for target in TARGETS:
        target.write_text(built, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
