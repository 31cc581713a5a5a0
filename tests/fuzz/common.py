"""What every fuzz target shares: its budget, its oracle and the mutations of text.

The budget: ``CLUSTERKIT_FUZZ_EXAMPLES`` (default :data:`DEFAULT_EXAMPLES`, a few seconds
per target) is how many inputs each target tries; the long run sets it to thousands
(see docs/testing.md).

The oracle: clusterkit answers bad input with its own diagnostics, a
:class:`~clusterkit.DiagnosticError` whose diagnostics each carry a known code and
render as text and JSON, or with a clean result; any other exception is a crash.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from clusterkit import Program, ResultSet, evaluate
from clusterkit.codes import MEANINGS
from clusterkit.diagnostics import Diagnostic, DiagnosticError, render_text
from clusterkit.model import Dataset

__all__ = [
    "DEFAULT_EXAMPLES",
    "EXAMPLES",
    "HOSTILE_CHARS",
    "HOSTILE_NUMBERS",
    "HOSTILE_TEXTS",
    "Shown",
    "check_diagnostics",
    "diagnosed",
    "evaluated",
    "fuzz_settings",
    "mutated_bytes",
    "mutated_text",
    "short",
]

DEFAULT_EXAMPLES = 25
EXAMPLES = int(os.environ.get("CLUSTERKIT_FUZZ_EXAMPLES", "") or DEFAULT_EXAMPLES)

T = TypeVar("T")


def fuzz_settings(share: float = 1.0) -> settings:
    """Settings for one target: ``share`` of the budget (slow targets take less)."""
    return settings(
        max_examples=max(1, round(EXAMPLES * share)),
        deadline=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture,
        ],
    )


# -- the oracle ---------------------------------------------------------------------------


def check_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    """Diagnostics as clusterkit must give them: each with a known code and a message,
    printable as the CLI prints them (text and JSON)."""
    assert diagnostics, "a DiagnosticError with no diagnostics"
    for diagnostic in diagnostics:
        assert isinstance(diagnostic, Diagnostic), diagnostic
        assert diagnostic.code in MEANINGS, diagnostic.code
        assert diagnostic.message.strip(), diagnostic
        render_text(diagnostic, None)
        json.dumps(diagnostic.to_json(), ensure_ascii=False)


def diagnosed(call: Callable[[], T]) -> T | None:
    """``call()``'s value, or None when it raised clusterkit's own diagnostics; any
    other exception is a crash and propagates to fail the target."""
    try:
        return call()
    except DiagnosticError as exc:
        check_diagnostics(exc.diagnostics)
        return None


def evaluated(program: Program, dataset: Dataset, day: dt.date) -> ResultSet | None:
    """The results, or None when evaluation refused the dataset with data diagnostics
    (a dataset built in Python is checked when it is evaluated); any other exception,
    or a diagnostic about the rules, is a crash."""
    problems: Sequence[Diagnostic] = ()
    try:
        return evaluate(program, dataset, day, data_sha256="-")
    except DiagnosticError as exc:
        problems = exc.diagnostics
    check_diagnostics(problems)
    assert all(d.code.startswith("D") for d in problems), problems
    return None


class Shown(Generic[T]):
    """A drawn value shown in a failure report by a short description, not whole (a
    mutated dataset or table would fill the screen)."""

    def __init__(self, value: T, description: str) -> None:
        self.value = value
        self.description = description

    def __repr__(self) -> str:
        return self.description


def short(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 20] + f"... ({len(text)} chars)"


# -- hostile pieces -----------------------------------------------------------------------

#: Characters that have broken parsers: controls, a BOM, bidirectional overrides, a lone
#: surrogate, digits of other scripts (``\d`` matches them), line separators, quotes.
HOSTILE_CHARS = (
    "\x00",
    "\ufeff",
    "\u202e",
    "\u2028",
    "\x85",
    "\r",
    "\t",
    "\x0b",
    "\x1b[31m",
    "\ud800",
    "\U0001d7d8",
    "\u0663",
    "\u00a0",
    '"',
    "\\",
    "#",
    "\n",
    "й",
    "ә",
    "é",
)

#: Numbers at and beyond clusterkit's documented bounds (34 digits, magnitudes 1e-30 to
#: 1e30), in the spellings JSON, TOML, CSV and rule files allow.
HOSTILE_NUMBERS = (
    "0",
    "-0",
    "0.0",
    "-1",
    "1e30",
    "1e-30",
    "1e31",
    "1e-31",
    "1E+30",
    "9" * 34,
    "9" * 35,
    "0." + "0" * 29 + "1",
    "1e999999999",
    "1e-999999999",
    "1E-999999",
    "12345678901234567890.123456789012345",
    "99999999999999999999",
    "2147483648",
    "-9223372036854775809",
    "NaN",
    "Infinity",
    "-inf",
    "1_000",
    "0x10",
    "1,5",
    "30,5",
    "١٢",
)

#: Text values that must stay text: escapes, formulas, markup, paths, huge and empty.
HOSTILE_TEXTS = (
    "",
    " ",
    "=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "\x1b]0;title\x07",
    "../../../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows",
    "x" * 5000,
    "ab\x00cd",
    "\ud800",
    "0001-01-01",
    "9999-12-31",
    "2021-02-29",
    "20210101",
    "true",
    "none",
    "mln KZT",
    "1e999999999 mln KZT",
    "12 bn USD per year",
    "KZ-KAR",
    "s01",
)


# -- mutations ----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\"(?:[^\"\\\n]|\\.)*\"|[^\W\d]\w*"
    r"|>=|<=|!=|->|\S"
)


def tokens(text: str) -> list[tuple[int, int]]:
    """The spans of the tokens of ``text``, as a rule or data file's lexer would split it."""
    return [m.span() for m in _TOKEN.finditer(text)]


@st.composite
def mutated_text(
    draw: st.DrawFn,
    text: str,
    pool: Sequence[str] = (),
    *,
    max_steps: int = 4,
) -> str:
    """``text`` after a few random edits: tokens replaced (from ``pool`` or the hostile
    pieces), lines deleted, duplicated or swapped, characters inserted or cut out, the
    end cut off."""
    words = [*pool, *HOSTILE_NUMBERS, *HOSTILE_TEXTS, *HOSTILE_CHARS]
    for _ in range(draw(st.integers(1, max_steps))):
        spans = tokens(text)
        op = draw(
            st.sampled_from(
                ["token", "token", "token", "drop", "copy", "swap", "char", "cut", "truncate"]
            )
        )
        lines = text.splitlines(keepends=True)
        if op == "token" and spans:
            start, end = spans[draw(st.integers(0, len(spans) - 1))]
            text = text[:start] + draw(st.sampled_from(words)) + text[end:]
        elif op in ("drop", "copy", "swap") and lines:
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "drop":
                del lines[i]
            elif op == "copy":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
        elif op == "char":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(HOSTILE_CHARS)) + text[at:]
        elif op == "cut" and text:
            at = draw(st.integers(0, len(text) - 1))
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
    return text


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes, *, max_steps: int = 4) -> bytes:
    """``data`` after a few byte edits: bits flipped, bytes inserted or cut, the end cut
    off, a byte-order mark or a stray encoding's bytes put in.

    Positions are drawn as fractions of the length, so that the same draws make the same
    edits of inputs whose length varies from run to run (a workbook holds the time it
    was saved).
    """
    inserts = [b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\xc3", b"\xed\xa0\x80", b"\xe9", b"\r"]
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(["flip", "insert", "cut", "truncate", "random"]))
        at = len(buffer) * draw(st.integers(0, 1_000_000)) // 1_000_000
        if op == "flip":
            bit = draw(st.integers(0, 7))
            if buffer:
                buffer[min(at, len(buffer) - 1)] ^= 1 << bit
        elif op == "insert":
            buffer[at:at] = draw(st.sampled_from(inserts))
        elif op == "cut":
            del buffer[at : at + draw(st.integers(1, 64))]
        elif op == "truncate":
            del buffer[at:]
        else:
            buffer[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(buffer)
