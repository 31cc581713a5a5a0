"""The compiler: rule text reaches generated code only as constants; lines map back."""

from __future__ import annotations

import clusterkit

TRICKY = """rulebook t
rule r for each c in clusters
  message en "\\"); import os; os.system(\\"echo pwned"
  require c.name != "x\\"); __import__(\\"os\\").system(\\"echo pwned"
"""


def test_rule_text_never_becomes_generated_source() -> None:
    program = clusterkit.compile_rules(TRICKY, name="t.ckr")
    (book,) = program.rulebooks
    assert "pwned" not in book.source
    assert "import" not in book.source


def test_every_line_of_a_rule_function_maps_to_its_rule_text() -> None:
    program = clusterkit.compile_rules(TRICKY, name="t.ckr")
    (book,) = program.rulebooks
    lines = book.source.splitlines()
    start = next(i for i, line in enumerate(lines, start=1) if line.startswith("def R0"))
    require = next(i for i, line in enumerate(lines, start=1) if i > start and "if not" in line)
    span = book.span_of_line(require)
    assert span is not None
    assert (span.file, span.line) == ("t.ckr", 4)
    assert book.span_of_line(10_000) is None
