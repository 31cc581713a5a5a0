"""Exact arithmetic of compiled rules: what raises Missing instead of a wrong number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clusterkit.lang.runtime.arith import cagr, div, growth, rnd
from clusterkit.lang.runtime.context import Missing
from clusterkit.lang.runtime.dates import end_of_year, make_date

D = Decimal


def test_division_by_zero_names_the_divisor() -> None:
    with pytest.raises(Missing) as caught:
        div(D(1), D(0), "p.budget")
    assert str(caught.value) == "p.budget to be non-zero"


def test_growth_and_cagr() -> None:
    assert growth(D(100), D(150), "g") == D("0.5")
    assert cagr(D(100), D(121), D(2), "c").quantize(D("0.0001")) == D("0.1000")
    with pytest.raises(Missing):
        cagr(D(0), D(1), D(1), "c")


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("half_up", "2.5"), ("half_even", "2.4"), ("down", "2.4"), ("up", "2.5"), ("floor", "2.4")],
)
def test_rounding_is_explicit_in_mode_and_step(mode: str, expected: str) -> None:
    assert rnd(D("2.45"), D("0.1"), mode) == D(expected)


def test_a_date_that_does_not_exist_is_undetermined() -> None:
    assert make_date(D(2024), D(2), D(29)) == dt.date(2024, 2, 29)
    with pytest.raises(Missing):
        make_date(D(2023), D(2), D(29))
    with pytest.raises(Missing):
        end_of_year(D(20210101))
