"""The formatter: one canonical layout, comments kept, meaning unchanged, idempotent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterkit.diagnostics import DiagnosticError
from clusterkit.lang import ast, parse_rules
from clusterkit.lang.syntax.formatter import format_rules
from clusterkit.lang.syntax.tokens import read_tokens
from tests.lang.syntax.test_parser import exprs

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = sorted([*ROOT.glob("rules/*.ckr"), *ROOT.glob("examples/**/*.ckr")])


def shape(node: Any) -> Any:
    """A syntax tree without its positions, to compare two parses."""
    if isinstance(node, tuple):
        return tuple(shape(n) for n in node)
    if attrs.has(type(node)):
        skip = {"span", "currency_span", "path", "text"}
        return (
            type(node).__name__,
            tuple(
                (f.name, shape(getattr(node, f.name)))
                for f in attrs.fields(type(node))
                if f.name not in skip
            ),
        )
    return node


def comments(text: str) -> list[str]:
    stream = read_tokens(text)
    found: list[str] = []
    for gap in stream.gaps:
        found.extend([gap.trailing] if gap.trailing else [])
        found.extend(c.text for c in gap.comments)
    return found


def assert_formats_faithfully(text: str) -> str:
    result = format_rules(text, "t.ckr")
    assert shape(parse_rules(result, "t.ckr")) == shape(parse_rules(text, "t.ckr"))
    assert format_rules(result, "t.ckr") == result
    assert comments(result) == comments(text)
    assert result.endswith("\n")
    assert not result.endswith("\n\n")
    return result


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_rulebooks_are_in_the_canonical_form(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert assert_formats_faithfully(text) == text


MESSY = """

   # head comment


rulebook   demo . rules   # the id
    version "1"
 title en "A"   ru "Б"
     kk "В"
const a=1 const b = -( 2 + 3 )*4 # trailing
# lead of c

const c = [ "x" , "y" ]
  # indented lead of d
const d = { "a" : 1 , "b": 2 }
function f ( x : text , y: date ) -> date = y + validity [ x ]
rule r for each p in projects where p . budget > 0 KZT title en "t"
  ru "т"   let x = sum ( q . budget for q in projects ) require x >= 1 KZT within precision
      # inside
  require p.budget>=0 KZT and
     p.title != "x"   # why
  # tail of r

# end comment
"""

CANONICAL = """# head comment

rulebook demo.rules  # the id
  version "1"
  title en "A" ru "Б"
        kk "В"

const a = 1
const b = -(2 + 3) * 4  # trailing
# lead of c

const c = ["x", "y"]
# indented lead of d
const d = {"a": 1, "b": 2}
function f(x: text, y: date) -> date = y + validity[x]

rule r for each p in projects where p.budget > 0 KZT
  title en "t"
        ru "т"
  let x = sum(q.budget for q in projects)
  require x >= 1 KZT within precision
  # inside
  require p.budget >= 0 KZT and
      p.title != "x"  # why
  # tail of r

# end comment
"""


def test_a_messy_file_gets_the_canonical_layout() -> None:
    assert assert_formats_faithfully(MESSY) == CANONICAL


def test_blocks_are_separated_by_one_blank_line_and_one_line_items_keep_their_grouping() -> None:
    text = (
        "rulebook t\nconst a = 1\nconst b = 2\n\n\n\nconst c = 3\n"
        "rule r\n  require a > 0\nrule s\n  require b > 0\n"
        "monitor m for each o in obligations\n  ok when a > 0\n\n\n\nconst d = 4\n"
    )
    assert format_rules(text) == (
        "rulebook t\n\nconst a = 1\nconst b = 2\n\nconst c = 3\n\n"
        "rule r\n  require a > 0\n\nrule s\n  require b > 0\n\n"
        "monitor m for each o in obligations\n  ok when a > 0\n\nconst d = 4\n"
    )


def test_parts_of_blocks_go_on_their_own_lines() -> None:
    text = (
        'schema s title en "S" kind cost_item title en "Cost" ru "Статья" belongs to project '
        "id required field amount: money in RUB required field tags : list of text\n"
        'extend participant field in_sez: yes/no allow role "a" , "b"\n'
        'param share from 2016-01-28 = 50 % from 2021-04-08 = 30 % basis inferred "why"\n'
    )
    assert format_rules(text) == (
        'schema s\n  title en "S"\n\n'
        'kind cost_item\n  title en "Cost" ru "Статья"\n  belongs to project\n  id required\n'
        "  field amount: money in RUB required\n  field tags: list of text\n\n"
        'extend participant\n  field in_sez: yes/no\n  allow role "a", "b"\n\n'
        'param share\n  from 2016-01-28 = 50 %\n  from 2021-04-08 = 30 % basis inferred "why"\n'
    )


def test_a_values_basis_stays_on_its_from_line_and_the_params_on_its_own() -> None:
    text = (
        "rulebook t\n"
        'param m from 2015-01-01 = 40 basis illustrative "early"   from 2021-05-31 = 51'
        ' basis source "round V"\n'
        "  from 2023-01-01 = 60 # later\n"
        '   basis inferred "default"  source "s"\n'
    )
    formatted = format_rules(text)
    assert formatted == (
        "rulebook t\n\n"
        "param m\n"
        '  from 2015-01-01 = 40 basis illustrative "early"\n'
        '  from 2021-05-31 = 51 basis source "round V"\n'
        "  from 2023-01-01 = 60  # later\n"
        '  basis inferred "default"\n'
        '  source "s"\n'
    )
    assert format_rules(formatted) == formatted
    (param,) = parse_rules(formatted, "t.ckr").items
    assert isinstance(param, ast.Param)
    bases = [v.basis.kind if v.basis else None for v in param.values]
    assert bases == ["illustrative", "source", None]
    assert param.basis is not None
    assert param.basis.note == "default"


def test_titles_continue_aligned_under_their_first_language() -> None:
    text = (
        'rulebook t\nrule r\n     message   en "a"\n ru "б"\n   kk "в"\n'
        '  outcome pass en "ok"\n ru "да"\n  require 1 > 0\n'
    )
    assert format_rules(text) == (
        'rulebook t\n\nrule r\n  message en "a"\n          ru "б"\n          kk "в"\n'
        '  outcome pass en "ok"\n               ru "да"\n  require 1 > 0\n'
    )


def test_trailing_comments_of_consecutive_lines_are_aligned() -> None:
    text = (
        "rulebook t\nkind k # a kind\n  field a: text # short\n  field long_name: date   # long\n"
    )
    assert format_rules(text) == (
        "rulebook t\n\nkind k                   # a kind\n"
        "  field a: text          # short\n  field long_name: date  # long\n"
    )


def test_spacing_of_calls_lookups_fields_and_minus() -> None:
    text = 'rulebook t\nconst x = f ( - 1 , t [ "a" ] . b , [ ] , ( 1 ) , - ( 2 ) ) - 3 % - - 4\n'
    assert format_rules(text) == (
        'rulebook t\n\nconst x = f(-1, t["a"].b, [], (1), -(2)) - 3 % - -4\n'
    )


def test_keywords_used_as_field_names_are_left_alone() -> None:
    text = 'rulebook t\nrule r for each p in projects\n  require p . title != "x"\n'
    assert "p.title" in assert_formats_faithfully(text)


def test_a_file_with_a_syntax_error_is_refused_with_the_usual_diagnostic() -> None:
    with pytest.raises(DiagnosticError) as exc:
        format_rules("rulebook t\nrule r\n  require 1 >= >= 2\n", "bad.ckr")
    (diagnostic,) = exc.value.diagnostics
    assert diagnostic.code == "R103"
    assert diagnostic.file == "bad.ckr"


def test_deep_parentheses_format_without_recursion() -> None:
    text = "rulebook t\nconst x = " + "( " * 3000 + "1" + " )" * 3000 + "\n"
    assert format_rules(text) == "rulebook t\n\nconst x = " + "(" * 3000 + "1" + ")" * 3000 + "\n"


def test_a_byte_order_mark_and_windows_line_ends_are_dropped() -> None:
    text = "\ufeffrulebook t\r\n  # c\r\nconst x = 1\r\n"
    assert format_rules(text) == "rulebook t\n  # c\n\nconst x = 1\n"


# -- generated files ---------------------------------------------------------------------

# Items as tokens separated by single spaces; the test joins them with any whitespace
# and comments.
ITEMS = [
    "const a = 30 %",
    'const l = [ "x" , "y" ]',
    'const t = { "a" : 24 months , "b" : 1 months }',
    'param s from 2020-01-01 = 50 % from 2021-01-01 = 30 % basis inferred "why"',
    "function f ( x : text , d : date ) -> date = end_of_month ( d ) + 1 day",
    "indicator output in KZT per person",
    'figure total = "tcp-total" in mln KZT',
    "define state of project p = p . budget - p . cluster_amount",
    "unit tonne , tonnes",
    'import "other.ckr"',
    'rule r for each p in projects where p . budget > 0 KZT title en "t" ru "т" '
    "let x = sum ( q . budget for q in projects ) require x >= 1 KZT within precision",
    "monitor m for each o in obligations when as_of > o . due breach when o . actual < 70 % "
    "warning when 70 % <= o . actual < 90 % ok otherwise",
    'score s for each a in applications criterion v weight 100 % = points ( a , "v" ) '
    "scale 0 points to 10 points select top 6 minimum 5 points tie by v",
    'kind cost_item title en "Cost" ru "Ст" belongs to project id required '
    "field amount : money in RUB required field tags : list of text",
    'extend participant field in_sez : yes/no allow role "public_authority"',
    'rule q outcome pass en "ok" ru "да" version as of 2020-01-01 '
    "require - ( 1 ) < 2 and not ( none is none ) or 1 in [ 1 ]",
]
SEPARATORS = [" ", "  ", "\t", "\n", "\n\n", "\n    ", " # note\n", "\n# own line\n", "\n\n  # x\n"]


@st.composite
def rule_files(draw: st.DrawFn) -> str:
    expr, _value = draw(exprs(2))
    chosen = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=5))
    words = [
        item.split(" ") for item in ['rulebook t . x version "1" title en "A" ru "Б"', *chosen]
    ]
    words.append(["const", "e", "=", *re.findall(r"[()]|[^\s()]+", expr)])
    tokens = [word for item in words for word in item]
    text = draw(st.sampled_from(["", "# head\n", "\n\n"]))
    for token in tokens:
        text += token + draw(st.sampled_from(SEPARATORS))
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_files())
def test_generated_files_format_faithfully(text: str) -> None:
    assert_formats_faithfully(text)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('rulebook const x=1%()+-*/"en \nrequire<>.,[]#йё2021-')),
        max_size=80,
    )
)
def test_any_text_that_parses_formats_faithfully(text: str) -> None:
    text = "rulebook fuzz\n" + text
    try:
        parse_rules(text, "fuzz.ckr")
    except DiagnosticError:
        return
    assert_formats_faithfully(text)
