"""The rules fuzzers' seeds: the shipped rulebooks, their pieces, and the grammar.

Each shipped rule file (``rules/``, ``examples/*/``) is a :class:`Source` with the
dataset its rules are meant for. Programs are made three ways:

- :func:`spliced_rules`: a shipped file's header and some of its items (``const``,
  ``rule``, ``monitor``, ...), items from the other files of its family put in, body lines
  moved between rules, then a few token edits;
- :func:`mutated_rules`: a shipped file under token, line and character edits;
- :func:`grammar_rules`: text drawn from the Lark grammar itself, its names, numbers,
  strings and dates drawn from the shipped files (so most of it passes the parser and
  reaches the checker, the compiler and the evaluator).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import lark
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from tests.fuzz.common import HOSTILE_NUMBERS, mutated_text

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples"
KZ_DATA = EXAMPLES / "kazakhstan-2021"
GRAMMAR = ROOT / "src" / "clusterkit" / "lang" / "syntax" / "grammar.lark"


@dataclass(frozen=True)
class Source:
    """A shipped rule file, the folder its imports are read from, and its dataset."""

    path: Path
    data: Path

    @property
    def text(self) -> str:
        return _text(self.path)

    @property
    def family(self) -> Path:
        return self.data


@cache
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def sources() -> tuple[Source, ...]:
    found = [Source(p, KZ_DATA) for p in sorted(RULES.rglob("*.ckr"))]
    for folder in sorted(EXAMPLES.iterdir()):
        data = folder / "data"
        found += [Source(p, data) for p in sorted(folder.glob("*.ckr")) if data.is_dir()]
    return tuple(found)


# -- pieces of the shipped files -----------------------------------------------------------

_ITEM = re.compile(
    r"^(import|const|param|indicator|figure|define|function|unit|kind|extend|rule|monitor|score)\b"
)
_BODY = re.compile(r"^\s+(when|let|require|breach|warning|ok|criterion|scale|select)\b")


def blocks(text: str) -> tuple[str, list[str]]:
    """The file's header (up to its first item) and its items, each with its lines."""
    header: list[str] = []
    items: list[list[str]] = []
    for line in text.splitlines(keepends=True):
        if _ITEM.match(line):
            items.append([line])
        elif items:
            items[-1].append(line)
        else:
            header.append(line)
    return "".join(header), ["".join(item) for item in items]


@cache
def _family_items(family: Path) -> tuple[str, ...]:
    return tuple(
        item for source in sources() if source.family == family for item in blocks(source.text)[1]
    )


def _kind(item: str) -> str:
    return item.split(None, 1)[0]


@cache
def _body_lines(family: Path, kind: str) -> tuple[str, ...]:
    """The body lines (``when``, ``let``, ``require``, bands, criteria) of the family's
    items of one kind."""
    return tuple(
        line
        for item in _family_items(family)
        if _kind(item) == kind
        for line in item.splitlines(keepends=True)
        if _BODY.match(line)
    )


_WORD = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w-])")
_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@cache
def pool() -> tuple[str, ...]:
    """Every word, number, string and date of the shipped files, for token edits."""
    found: set[str] = set()
    for source in sources():
        text = re.sub(r"#[^\n]*", "", source.text)
        for pattern in (_WORD, _NUMBER, _STRING, _DATE):
            found.update(pattern.findall(text))
    return tuple(sorted(found))


def _of(pattern: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(sorted({t for t in pool() if pattern.fullmatch(t)}))


# -- strategies -------------------------------------------------------------------------

sources_st = st.deferred(lambda: st.sampled_from(sources()))


@st.composite
def mutated_rules(draw: st.DrawFn) -> tuple[Source, str]:
    source = draw(sources_st)
    return source, draw(mutated_text(source.text, pool()))


@st.composite
def spliced_rules(draw: st.DrawFn) -> tuple[Source, str]:
    source = draw(sources_st)
    header, items = blocks(source.text)
    # Items are mostly kept (later ones read earlier ones); a few come from elsewhere.
    kept = [item for item in items if draw(st.integers(0, 9)) or item.startswith("import")]
    foreign = _family_items(source.family)
    for _ in range(draw(st.integers(0, 2))):
        kept.insert(draw(st.integers(0, len(kept))), draw(st.sampled_from(foreign)))
    for _ in range(draw(st.integers(0, 4))):
        if kept:
            i = draw(st.integers(0, len(kept) - 1))
            lines = _body_lines(source.family, _kind(kept[i]))
            if lines:
                kept[i] = kept[i].rstrip("\n") + "\n" + draw(st.sampled_from(lines))
    text = header + "".join(kept)
    if draw(st.integers(0, 2)) == 0:
        text = draw(mutated_text(text, pool(), max_steps=2))
    return source, text


@cache
def _grammar() -> lark.Lark:
    return lark.Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr")


def _numbers() -> st.SearchStrategy[str]:
    shipped = _of(_NUMBER)
    bounded = [n for n in HOSTILE_NUMBERS if re.fullmatch(r"\d+(\.\d+)?([eE][+-]?\d+)?", n)]
    return st.one_of(st.sampled_from(shipped), st.sampled_from(bounded))


def _dates() -> st.SearchStrategy[str]:
    edges = ["0001-01-01", "9999-12-31", "2020-02-29", "2021-02-29", "2021-13-01", "0000-00-00"]
    return st.one_of(
        st.sampled_from(_of(_DATE)),
        st.sampled_from(edges),
        st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
    )


@st.composite
def grammar_rules(draw: st.DrawFn) -> tuple[Source, str]:
    """Text the grammar allows, named after the shipped files' vocabulary."""
    source = draw(st.sampled_from([s for s in sources() if s.family == KZ_DATA]))
    explicit = {
        "NAME": st.sampled_from(_of(_WORD)),
        "NUMBER": _numbers(),
        "INT": st.sampled_from(["0", "1", "6", "10", "99999999999999999999"]),
        "STRING": st.sampled_from(_of(_STRING)),
        "DATE": _dates(),
    }
    body = draw(from_lark(_grammar(), start="start", explicit=explicit))
    # Most programs read the shared declarations, as the shipped ones do.
    if draw(st.booleans()):
        body = re.sub(
            r"^((?:rulebook|schema)\b.*?)(?=\b(?:import|const|param|indicator|figure|define|"
            r"function|unit|kind|extend|rule|monitor|score)\b|$)",
            lambda m: m[1] + ' import "schema/kazakhstan.ckr" ',
            body,
            count=1,
            flags=re.S,
        )
    return source, body
