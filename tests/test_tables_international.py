"""The report's membership growth and international comparison, as computed data:
exact conversions at the rate in force, "no rate" without one, member counts by date."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import clusterkit
from clusterkit.international import support_levels
from clusterkit.model import Dataset
from clusterkit.money import DIVISION_CONTEXT, Money
from clusterkit.tables import build_tables, membership, report_date

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"
AS_OF = dt.date(2021, 6, 30)
#: Valid BINs (check digits) of the example's sample participants.
BINS = [
    "060240100370",
    "070340100742",
    "080440101111",
    "090540101484",
    "100640101859",
    "110740102228",
    "120840102590",
    "130940102962",
]
#: A context wide enough that a product of the values here is never rounded.
WIDE = decimal.Context(prec=200)


def participant(n: int, joined: str, left: str | None = None, sample: bool = False) -> Any:
    return {
        "id": f"p{n}",
        "name": {"en": f"Member {n}"},
        "bin": BINS[n],
        "role": "small_enterprise",
        "region": "KZ-AKM",
        "oked": "10.51",
        "member_from": joined,
        "member_until": left,
        "sample": sample,
    }


def small(**collections: Any) -> Dataset:
    """A dataset of two clusters with dated members and a third without any, plus the
    collections given."""
    document: dict[str, Any] = {
        "dataset": {"id": "small", "title": {"en": "Small"}},
        "regions": [{"code": "KZ-AKM", "name": {"en": "Akmola"}}],
        "sectors": [{"code": "food", "name": {"en": "Food"}}],
        "clusters": [
            {
                "id": "c1",
                "name": {"en": "One", "ru": "Первый"},
                "regions": ["KZ-AKM"],
                "sector": "food",
                "participants": [
                    participant(0, "2017-03-01", sample=True),
                    participant(1, "2017-03-01", left="2019-12-31"),
                    participant(2, "2018-01-01", sample=True),
                    participant(3, "2020-05-01"),
                    participant(4, "2022-01-01"),  # joins after the report's date
                ],
            },
            {
                "id": "c2",
                "name": {"en": "Two"},
                "regions": ["KZ-AKM"],
                "sector": "food",
                "participants": [participant(n, "2019-01-01") for n in (5, 6, 7)],
            },
            {"id": "c3", "name": {"en": "Three"}, "regions": ["KZ-AKM"], "sector": "food"},
        ],
    }
    document.update(collections)
    return clusterkit.dataset_from_dict(document)


def rate(base: str, value: str, on: str, source: str = "National Bank of Kazakhstan") -> Any:
    return {"base": base, "quote": "KZT", "rate": value, "on": on, "source": source}


def level(low: str, high: str | None = None, **more: str) -> Any:
    return {"low": low, "high": high or low, "basis": "cluster per year", **more}


@pytest.fixture(scope="module")
def example() -> Dataset:
    return clusterkit.load_dataset(EXAMPLE)


# -- membership ---------------------------------------------------------------------------------


def test_members_are_counted_on_the_first_date_of_joining_and_on_the_report_date() -> None:
    members = membership(small(), AS_OF, "ru")
    assert members is not None
    one, two = members.rows  # the cluster without participants has no row
    # c1 starts with p0 and p1; on the date p1 has left, p2 and p3 joined, p4 not yet
    assert (one.name, one.start, one.at_start, one.at_date) == (
        "Первый",
        dt.date(2017, 3, 1),
        2,
        3,
    )
    assert one.growth == Decimal("0.5")
    assert (two.start, two.at_start, two.at_date, two.growth) == (
        dt.date(2019, 1, 1),
        3,
        3,
        Decimal(0),
    )
    assert (members.total_start, members.total) == (5, 6)
    assert members.growth == Decimal("0.2")
    assert (members.participants, members.sample) == (8, 2)
    assert members.stated_growth is None


def test_a_report_date_before_anyone_joined_counts_nobody() -> None:
    members = membership(small(), dt.date(2016, 1, 1))
    assert members is not None
    assert [r.at_date for r in members.rows] == [0, 0]
    assert members.growth == -1


def test_membership_is_absent_without_participants(example: Dataset) -> None:
    bare = attrs.evolve(
        example,
        clusters=tuple(
            attrs.evolve(c, participants=(), links=(), coordinator=None) for c in example.clusters
        ),
    )
    assert membership(bare, AS_OF) is None
    assert build_tables(bare, "en", AS_OF).membership is None


def test_the_example_grows_from_ten_members_each_to_a_hundred_as_the_document_says(
    example: Dataset,
) -> None:
    members = build_tables(example, "en", AS_OF).membership
    assert members is not None
    # the dataset's notes: six clusters of 10 in 2017, 100 members by June 2021
    assert [r.at_start for r in members.rows] == [10] * 6
    assert (members.total_start, members.total) == (60, 100)
    assert members.growth == WIDE.subtract(DIVISION_CONTEXT.divide(Decimal(100), Decimal(60)), 1)
    assert members.stated_growth is not None
    # the published +67 % is the computed growth to the whole percent
    stated = members.stated_growth.value.scaleb(-2)
    assert members.growth.quantize(Decimal("0.01")) == stated
    assert members.sample == members.participants == 100


def test_the_report_date_is_the_one_given_else_the_datasets_else_the_last_membership_change(
    example: Dataset,
) -> None:
    assert report_date(example, AS_OF) == AS_OF
    assert report_date(example) == example.info.published
    assert report_date(small()) == dt.date(2022, 1, 1)
    assert (
        report_date(clusterkit.dataset_from_dict({"dataset": {"id": "e", "title": {"en": "E"}}}))
        is None
    )


# -- the international comparison ----------------------------------------------------------------


def test_a_level_is_converted_at_the_rate_in_force_on_the_date_exactly() -> None:
    data = small(
        benchmarks=[level("1.25 mln EUR", country="Germany")],
        rates=[
            rate("EUR", "400", "2020-01-01"),
            rate("EUR", "512.3456789", "2021-05-01"),
            rate("EUR", "999", "2021-07-01"),  # not yet in force on the date
        ],
    )
    levels = support_levels(data, AS_OF)
    assert levels is not None
    (row,) = levels.rows
    assert (row.rate, row.rate_on) == (Decimal("512.3456789"), dt.date(2021, 5, 1))
    product = WIDE.multiply(Decimal("1.25E+6"), Decimal("512.3456789"))
    assert row.low_converted == row.high_converted == Money(product, "KZT")
    assert (row.country, row.per) == ("Germany", "cluster_per_year")
    assert levels.illustrative == levels.missing == ()


@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1E15"), places=2),
    value=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=4),
)
def test_any_conversion_equals_the_decimal_product(amount: Decimal, value: Decimal) -> None:
    data = small(
        benchmarks=[level(f"{amount} GBP", f"{amount * 2} GBP")],
        rates=[rate("GBP", str(value), "2021-01-01")],
    )
    levels = support_levels(data, AS_OF)
    assert levels is not None
    (row,) = levels.rows
    assert row.low_converted is not None
    assert row.high_converted is not None
    assert row.low_converted.amount == WIDE.multiply(amount, value)
    assert row.high_converted.amount == WIDE.multiply(amount * 2, value)


def test_a_rate_given_the_other_way_round_is_divided_by() -> None:
    data = small(
        benchmarks=[level("100 mln RUB", basis="project within a cluster")],
        rates=[{"base": "KZT", "quote": "RUB", "rate": "0.17", "on": "2021-01-01", "source": "x"}],
    )
    levels = support_levels(data, AS_OF)
    assert levels is not None
    (row,) = levels.rows
    assert row.per == "project"
    assert row.low_converted == Money(
        DIVISION_CONTEXT.divide(Decimal("1E+8"), Decimal("0.17")), "KZT"
    )
    assert row.rate == DIVISION_CONTEXT.divide(Decimal(1), Decimal("0.17"))


def test_a_currency_without_a_rate_on_the_date_is_not_converted() -> None:
    data = small(
        benchmarks=[
            level("766 thousand GBP"),
            level("2 mln EUR", "5 mln EUR"),
            level("112 mln KZT"),
        ],
        rates=[rate("EUR", "520", "2021-01-01"), rate("GBP", "600", "2021-07-01")],
    )
    levels = support_levels(data, AS_OF)
    assert levels is not None
    pounds, euros, tenge = levels.rows
    assert pounds.no_rate  # its only rate is dated after the report's date
    assert (pounds.low_converted, pounds.high_converted, pounds.rate) == (None, None, None)
    assert euros.high_converted == Money(Decimal("5E+6") * 520, "KZT")
    assert not tenge.no_rate  # already in tenge
    assert tenge.rate is None
    assert tenge.low_converted == Money(Decimal("1.12E+8"), "KZT")
    assert levels.missing == ("GBP",)


def test_illustrative_rates_are_recognised_from_their_source() -> None:
    data = small(
        benchmarks=[level("1 mln EUR"), level("1 mln GBP")],
        rates=[
            rate("EUR", "520", "2021-01-01", "illustrative: a round value"),
            rate("GBP", "600", "2021-01-01", "National Bank of Kazakhstan"),
        ],
    )
    levels = support_levels(data, AS_OF)
    assert levels is not None
    assert levels.illustrative == ("EUR",)
    assert [c for c, *_ in levels.rates] == ["EUR", "GBP"]


def test_the_example_reads_its_support_level_records_rather_than_its_benchmarks(
    example: Dataset,
) -> None:
    levels = build_tables(example, "en", AS_OF).support
    assert levels is not None
    records = example.records_of("support_levels")
    assert [r.id for r in levels.rows] == [r.id for r in records]
    assert set(levels.illustrative) == {"GBP", "EUR", "RUB"}  # dataset.toml says so
    rates = {r.base: r.rate for r in example.rates}
    for row in levels.rows:
        if row.low.currency == "KZT":
            assert row.rate is None
            assert row.low_converted == row.low
            continue
        assert row.low_converted == Money(
            WIDE.multiply(row.low.amount, rates[row.low.currency]), "KZT"
        )
    bounds = [r.id for r in levels.rows if r.high is None]
    assert bounds == ["russia-pilot-subsidies-2013-2015", "russia-yearly-2017-2020"]
    pilot = next(r for r in levels.rows if r.id == "russia-pilot-subsidies-2013-2015")
    assert (pilot.per, pilot.first_year, pilot.last_year) == ("programme_total", 2013, 2015)


def test_without_records_the_benchmarks_are_shown(example: Dataset) -> None:
    records = attrs.evolve(example, records=type(example.records)())
    levels = support_levels(records, AS_OF)
    assert levels is not None
    assert len(levels.rows) == len(example.benchmarks)
    assert levels.rows[-1].country == "Russia"
    assert levels.rows[-1].per == "project"
    assert "pairing uncertain" in levels.rows[0].note


def test_no_levels_no_comparison(example: Dataset) -> None:
    bare = attrs.evolve(example, records=type(example.records)(), benchmarks=())
    assert support_levels(bare, AS_OF) is None
    assert build_tables(bare, "en", AS_OF).support is None
