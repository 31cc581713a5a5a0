"""The parser: shipped rulebooks parse, errors point at the text, hostile input is bounded."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.lang import ast, parse_rules
from clusterkit.lang.check import check_files
from clusterkit.lang.syntax.parser import MAX_DEPTH, MAX_RULE_FILE_BYTES

RULES = Path(__file__).resolve().parents[3] / "rules"


@pytest.mark.parametrize("path", sorted(RULES.glob("*.ckr")), ids=lambda p: p.name)
def test_shipped_rulebooks_parse(path: Path) -> None:
    parsed = parse_rules(path.read_text(encoding="utf-8"), str(path))
    assert parsed.header.id.startswith("kz.")
    assert any(isinstance(item, ast.Rule) for item in parsed.items)


def test_spans_point_at_the_source() -> None:
    text = "rulebook t\nconst limit = 112 mln KZT per year\n"
    parsed = parse_rules(text, "t.ckr")
    const = parsed.items[0]
    assert isinstance(const, ast.Const)
    assert (const.span.line, const.span.column) == (2, 1)
    assert isinstance(const.expr, ast.Number)
    unit = const.expr.unit
    assert unit is not None
    assert (unit.scale, unit.name, unit.per) == (6, "KZT", "year")
    assert const.expr.value == Decimal(112)


def test_cyrillic_names_and_text() -> None:
    text = (
        'rulebook kz.тест\n  title ru "Проверка"\n'
        "const доля = 30 %\nrule правило\n  require доля > 0\n"
    )
    parsed = parse_rules(text, "t.ckr")
    assert parsed.header.titles == (("ru", "Проверка"),)
    assert isinstance(parsed.items[0], ast.Const)
    assert parsed.items[0].name == "доля"


def test_syntax_error_has_line_column_and_plain_message() -> None:
    with pytest.raises(DiagnosticError) as exc:
        parse_rules("rulebook t\nrule r\n  require 1 >= >= 2\n", "t.ckr")
    (diagnostic,) = exc.value.diagnostics
    assert diagnostic.code == "R103"
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 16)
    assert "expected an expression" in diagnostic.message


def test_unterminated_file() -> None:
    with pytest.raises(DiagnosticError) as exc:
        parse_rules("rulebook t\nconst x =", "t.ckr")
    assert exc.value.diagnostics[0].code == "R102"


def test_a_date_that_does_not_exist_is_a_syntax_error() -> None:
    with pytest.raises(DiagnosticError) as exc:
        parse_rules("rulebook t\n  in force from 2022-02-30\n", "t.ckr")
    assert "2022-02-30 is not a date that exists" in exc.value.diagnostics[0].message


def test_nesting_depth_is_bounded() -> None:
    deep = "rulebook t\nconst x = 1" + " + 1" * (MAX_DEPTH + 5) + "\n"
    with pytest.raises(DiagnosticError) as exc:
        parse_rules(deep, "t.ckr")
    assert exc.value.diagnostics[0].code == "R105"


def test_deep_parentheses_do_not_crash() -> None:
    text = "rulebook t\nconst x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    parsed = parse_rules(text, "t.ckr")
    assert isinstance(parsed.items[0], ast.Const)


def test_file_size_is_bounded() -> None:
    with pytest.raises(DiagnosticError) as exc:
        parse_rules("rulebook t\n" + "#" * MAX_RULE_FILE_BYTES, "big.ckr")
    assert exc.value.diagnostics[0].code == "R104"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('rulebook const x=1%()+-*/"en \nrequire<>.,[]#йё2021-')),
        max_size=80,
    )
)
def test_any_text_parses_or_gives_a_diagnostic(text: str) -> None:
    problems: tuple[Diagnostic, ...] = ()
    try:
        parse_rules("rulebook fuzz\n" + text, "fuzz.ckr")
    except DiagnosticError as exc:
        problems = exc.diagnostics
        assert problems
    assert all(d.span is not None and d.code.startswith("R1") for d in problems)


# Arithmetic round trip: an expression tree printed as text parses back and the
# checker's constant folding computes exactly what Decimal arithmetic computes.
numbers = st.integers(min_value=0, max_value=999).map(Decimal)


def exprs(depth: int = 3) -> st.SearchStrategy[tuple[str, Decimal]]:
    leaf = numbers.map(lambda n: (str(n), n))
    if depth == 0:
        return leaf
    sub = exprs(depth - 1)

    def combine(parts: tuple[tuple[str, Decimal], str, tuple[str, Decimal]]) -> tuple[str, Decimal]:
        (ta, va), op, (tb, vb) = parts
        value = {"+": va + vb, "-": va - vb, "*": va * vb}[op]
        return f"({ta} {op} {tb})", value

    return st.one_of(leaf, st.tuples(sub, st.sampled_from(["+", "-", "*"]), sub).map(combine))


@settings(max_examples=200, deadline=None)
@given(exprs())
def test_printed_arithmetic_parses_back_to_the_same_value(case: tuple[str, Decimal]) -> None:
    text, value = case
    parsed = parse_rules(f"rulebook t\nconst x = {text}\nrule r\n  require x = x\n", "t.ckr")
    (checked,), diagnostics = check_files([parsed], {}, {})
    assert not [d for d in diagnostics if d.is_error]
    assert checked.const_values["x"] == value
