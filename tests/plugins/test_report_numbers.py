"""Numbers, units and dates as reports show them (clusterkit.formatting and the reporters'
labels): bounded whatever the value, localized in each language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clusterkit.formatting import (
    bounded,
    format_date,
    format_money,
    format_number,
    format_ratio,
    is_plain,
    plain_text,
    round_places,
)
from clusterkit.model import Dataset
from clusterkit.money import Money
from clusterkit.tables import build_tables
from clusterkit.units import Unit, parse_unit
from clusterkit_plugins.reporters.common import labels_for

D = Decimal


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        (D("3896.5"), "en", "3,896.5"),
        (D("3896.5"), "ru", "3\xa0896,5"),
        (D("0.000001"), "en", "0.000001"),
        (D("1E+15"), "en", "1,000,000,000,000,000"),
        (D("1E+16"), "en", "1E+16"),
        (D("1.5E+20"), "ru", "1,5E+20"),
        (D("1E+999999999"), "en", "1E+999999999"),
        (D("-2.5E+999999999"), "kk", "-2,5E+999999999"),
        (D("1E-999999"), "en", "1E-999999"),
        (D("1.2E-7"), "ru", "1,2E-7"),
        (D("0E-999999"), "en", "0"),
        (D("0E+999999"), "en", "0"),
        (D("123456789012345678.9"), "en", "1.23456789012346E+17"),
        (D("1.00000000000000000001"), "en", "1"),
    ],
)
def test_numbers_are_shown_bounded(value: Decimal, lang: str, shown: str) -> None:
    assert format_number(value, lang) == shown


def test_bounded_keeps_stated_digits_up_to_fifteen() -> None:
    assert bounded(D("112.10")).as_tuple() == D("112.10").as_tuple()
    assert bounded(D("1234567890.123456789")) == D("1234567890.12346")
    assert bounded(D("1E+999999999")) == D("1E+999999999")
    assert is_plain(D("1E+15"))
    assert not is_plain(D("1E+16"))
    assert not is_plain(D("1E-7"))


def test_plain_text_is_for_files() -> None:
    assert plain_text(D("3.36E+7")) == "33600000"
    assert plain_text(D("0.30")) == "0.30"
    assert plain_text(D("1E+999999999")) == "1E+999999999"
    assert plain_text(D("-1.25E-999999")) == "-1.25E-999999"


def test_round_places_rounds_plain_numbers_only() -> None:
    assert round_places(D("0.3359304764758765358106083308"), 2) == D("0.34")
    assert round_places(D("1E+999999999"), 2) == D("1E+999999999")
    assert round_places(D("1E-999999"), 2) == D("0.00")


def test_ratios_as_percentages() -> None:
    assert format_ratio(D("0.3359"), "en") == "34%"
    assert format_ratio(D("0.2934"), "ru", 1) == "29,3 %"
    assert format_ratio(D("0.29973"), "ru", 1) == "30 %"  # as babel shows 30.0
    assert format_ratio(D("1E+999999999"), "en") == "1E+1000000001%"


def test_money_in_each_language() -> None:
    money = Money(D("1.121E+8"), "KZT")
    assert format_money(money, "en") == "112.1 mln KZT"
    assert format_money(money, "ru") == "112,1 млн ₸"
    assert format_money(Money(D("1E+1000000005"), "KZT"), "ru") == "1E+999999996 млрд ₸"


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("en", "June 1, 2021"), ("ru", "1 июня 2021\u202fг."), ("kk", "2021\u202fж. 1 маусым")],
)
def test_dates_in_words(lang: str, shown: str) -> None:
    assert format_date(dt.date(2021, 6, 1), lang) == shown


@pytest.mark.parametrize(
    ("unit", "lang", "value", "shown"),
    [
        ("mln KZT/person", "ru", "45", "45 млн ₸/чел."),
        ("mln KZT/person", "kk", "45", "45 млн ₸/адам"),
        ("mln KZT/person", "en", "45", "45 mln KZT/person"),
        ("mln USD", "ru", "21.9", "21,9 млн USD"),
        ("person", "ru", "1200", "1\xa0200 чел."),
        ("product", "kk", "24", "24 өнім"),
        ("thousand person", "en", "766", "766 thousand person"),
        ("%", "ru", "30", "30 %"),
        ("1", "en", "6", "6"),
    ],
)
def test_table_values_carry_their_unit_in_the_reports_language(
    unit: str, lang: str, value: str, shown: str
) -> None:
    assert labels_for(lang).value(D(value), parse_unit(unit)) == shown


def test_unit_names() -> None:
    assert labels_for("ru").unit(Unit(6, "KZT", "person")) == "млн ₸/чел."
    assert labels_for("en").unit(Unit(0, "1")) == ""


def test_tables_carry_huge_values_without_expanding_them(huge: Dataset) -> None:
    tables = build_tables(huge, "en")
    output = next(t for t in tables.indicators if t.indicator == "output")
    furniture = next(r for r in output.rows if r.cluster == "furniture-almaty")
    assert furniture.target == D("1E+999999999")
    assert furniture.effect is not None
    assert furniture.effect.adjusted() == 999999994  # 1e999999999 / 15568
    construction = next(r for r in output.rows if r.cluster == "construction-karaganda")
    assert construction.effect is not None
    assert construction.effect.adjusted() == 1000003  # 89160 / 1e-999999
    assert output.total_target is not None
    assert len(str(output.total_target)) < 60
    assert tables.budget_total[0].amount == D("1E+1000000005")
