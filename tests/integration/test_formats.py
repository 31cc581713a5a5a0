"""The schemas' value formats agree with the parsers they describe: on samples of what
people write, and on text generated from the patterns themselves."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterkit.identifiers import SCHEMES
from clusterkit.jsonschema.formats import (
    IDENTIFIER,
    SCHEME_PATTERNS,
    declared_field,
    input_defs,
    money_text,
)
from clusterkit.model.common import check_identifier
from clusterkit.money import parse_money
from clusterkit.numbers import to_decimal
from clusterkit.schema import FieldType, Schema
from clusterkit.units import Measure, parse_unit

DEFS = input_defs()


def string_pattern(name: str) -> str:
    definition = DEFS[name]
    if "pattern" in definition:
        return str(definition["pattern"])
    (form,) = [f for f in definition["anyOf"] if f.get("type") == "string"]
    return str(form["pattern"])


def matches(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


def parses(parse: Callable[[str], Any], text: str) -> bool:
    try:
        parse(text)
    except (ValueError, TypeError):
        return False
    return True


MONEY = [
    "112.1 mln KZT",
    "3,896.5 mln KZT",
    "766 thousand GBP",
    "$ 281.5 mln",
    "$281.5mln",
    "€ 12",
    "5 млрд тенге",
    "1.5 bn kzt",
    "  42 USD  ",
    "7 тыс. руб.",
    "0 KZT",
    "-5 mln KZT",
    "1e3 KZT",
    "112,1 mln KZT",
    "5 mln",
    "5",
    "KZT 5",
    "$ 5 USD",
    "5 bnKZT",
    "five KZT",
    "5 mln\nKZT",
    "5\nKZT\n",
    "",
]
UNITS = [
    "mln KZT",
    "KZT",
    "kzt",
    "person",
    "persons",
    "People",
    "%",
    "percent",
    "mln KZT/person",
    "KZT per year",
    "bn USD / product",
    "mln",
    "",
    "Person",
    "mln mln KZT",
    "KZT/mln",
    "tonne",
    "KZT per",
    "KZT\tper year",
    "KZT  per  year",
    "mln\nKZT",
]
MEASURES = [
    "264.9 bn KZT",
    "34 %",
    "34%",
    "24 product",
    "6",
    "6 projects",
    "3.9 bn KZT",
    "$ 5",
    "34 per cent",
    "bn KZT",
    "1,25 %",
    "264.9 bn\nKZT",
    "264.9\nbn KZT",
]
DECIMALS = ["21.9", "3,896.5", "66 740", " 7 ", "-3", "+2", ".5", "1e-3", "1,25", "1.2.3", "", "x"]


@pytest.mark.parametrize("text", MONEY)
def test_money_text_is_what_parse_money_reads(text: str) -> None:
    assert matches(string_pattern("money"), text) == parses(parse_money, text)


@pytest.mark.parametrize("text", UNITS)
def test_units_are_what_parse_unit_reads(text: str) -> None:
    assert matches(string_pattern("unit"), text) == parses(parse_unit, text)


@pytest.mark.parametrize("text", MEASURES)
def test_figures_are_what_measure_parse_reads(text: str) -> None:
    assert matches(string_pattern("measure"), text) == parses(Measure.parse, text)


@pytest.mark.parametrize("text", DECIMALS)
def test_numbers_as_text_are_what_to_decimal_reads(text: str) -> None:
    assert matches(string_pattern("decimal"), text) == parses(to_decimal, text)


@pytest.mark.parametrize("text", ["12", "3,896.5", "0", "+1", "-1", "-0.5 ", "1e-3"])
def test_non_negative_numbers_refuse_a_minus_sign(text: str) -> None:
    assert matches(string_pattern("decimal_non_negative"), text) == (
        parses(to_decimal, text) and not text.strip().startswith("-")
    )


@pytest.mark.parametrize(
    "text", ["milk-akmola", "KZ-AKM", "a.b_c", "s01", "-x", "a b", "", "ä", "x\n"]
)
def test_identifiers_are_what_the_model_accepts(text: str) -> None:
    assert matches(IDENTIFIER, text) == (not list(check_identifier("id", text)))


SCHEME_SAMPLES = {
    "kz_bin": ["060240113698", "061340113698", "06024011369", "0602401136981", "06024011369x"],
    "kz_oked": ["23.61", "23610", "10.51.1", "1", "23.611.1", "ab"],
    "ru_inn": ["7707083893", "500100732259", "123", "77070838931"],
    "eu_vat": ["DE123456789", "EL12", "XI1234", "US123456", "de123456789"],
    "text": ["X1", "a b", " x", "x ", "", "x\ny"],
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_identifier_schemes_agree_with_their_validators_but_check_digits(scheme: str) -> None:
    validate, _ = SCHEMES[scheme]
    for text in SCHEME_SAMPLES[scheme]:
        if matches(SCHEME_PATTERNS[scheme], text) != parses(validate, text):
            # A pattern cannot compute a check digit: it may only be more lenient there.
            assert scheme in ("kz_bin", "ru_inn"), text
            assert matches(SCHEME_PATTERNS[scheme], text), text


def declared_pattern(field: FieldType, schema: Schema | None = None) -> str:
    value = declared_field(field, schema or Schema())
    (form,) = [f for f in value["anyOf"] if f.get("type") == "string"]
    return str(form["pattern"])


@pytest.mark.parametrize(
    ("text", "ok"),
    [("0.8", True), ("0.8 FTE", True), ("0.8 FTEs", True), ("0.8FTE", False), ("FTE", False)],
)
def test_numbers_in_a_declared_unit_may_name_it(text: str, ok: bool) -> None:
    schema = Schema(units=(("FTE", "FTEs"),))
    assert matches(declared_pattern(FieldType("number", unit="FTE"), schema), text) == ok


@pytest.mark.parametrize(
    ("text", "ok"), [("30", True), ("30 %", True), ("30%", True), ("%", False)]
)
def test_percentages_may_have_their_sign(text: str, ok: bool) -> None:
    assert matches(declared_pattern(FieldType("percent")), text) == ok


@pytest.mark.parametrize(
    ("text", "ok"), [("yes", True), (" Да ", True), ("FALSE", True), ("0", True), ("maybe", False)]
)
def test_yes_no_words(text: str, ok: bool) -> None:
    assert matches(declared_pattern(FieldType("bool")), text) == ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [("5 mln RUB", True), ("5 руб.", True), ("₽ 5", True), ("5 KZT", False), ("$ 5", False)],
)
def test_money_in_one_currency(text: str, ok: bool) -> None:
    pattern = declared_pattern(FieldType("money", currency="RUB"))
    assert matches(pattern, text) == ok
    if ok:
        assert parse_money(text).currency == "RUB"


@settings(max_examples=200, deadline=None)
@given(st.from_regex(string_pattern("decimal")))
def test_every_number_the_pattern_admits_parses(text: str) -> None:
    to_decimal(text)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(money_text("KZT")))
def test_every_amount_in_tenge_the_pattern_admits_parses(text: str) -> None:
    assert parse_money(text).currency == "KZT"


@settings(max_examples=100, deadline=None)
@given(st.from_regex(IDENTIFIER))
def test_every_identifier_the_pattern_admits_is_one(text: str) -> None:
    assert not list(check_identifier("id", text))
