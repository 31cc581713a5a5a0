"""Intervals: the values a rounded figure stands for, and the ranges bands cover."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clusterkit.lang.runtime.context import Missing
from clusterkit.lang.runtime.intervals import (
    EVERYWHERE,
    Interval,
    first_gap,
    iadd,
    icompare,
    idiv,
    igap,
    imul,
    isub,
    ival,
)

D = Decimal


def test_a_stated_figure_stands_for_half_its_last_digit_either_way() -> None:
    assert ival(D("33.6")) == Interval(D("33.55"), D("33.65"))
    assert ival(D("3.0E+7")) == Interval(D("2.95E+7"), D("3.05E+7"))


def test_arithmetic_gives_every_value_the_result_could_have() -> None:
    a, b = Interval(D(1), D(2)), Interval(D(3), D(5))
    assert iadd(a, b) == Interval(D(4), D(7))
    assert isub(a, b) == Interval(D(-4), D(-1))
    assert imul(Interval(D(-1), D(2)), b) == Interval(D(-5), D(10))
    assert idiv(b, a, "a") == Interval(D("1.5"), D(5))


def test_dividing_by_an_interval_around_zero_is_undetermined() -> None:
    with pytest.raises(Missing) as caught:
        idiv(Interval(D(1), D(1)), Interval(D(-1), D(1)), "p.budget")
    assert caught.value.params == {"what": "p.budget"}


def test_a_comparison_within_precision_passes_when_some_values_satisfy_it() -> None:
    share, needed = ival(D("33.6")), Interval(D("33.63"), D("33.63"))
    assert icompare(">=", share, needed)
    assert not icompare(">=", Interval(D(1), D(2)), Interval(D(3), D(3)))
    assert igap(">=", Interval(D(1), D(2)), Interval(D(3), D(3))) == D(1)


def test_bands_find_overlaps_and_gaps() -> None:
    below = EVERYWHERE.constrain("<", D("0.7"))
    middle = EVERYWHERE.constrain(">=", D("0.7")).constrain("<", D("0.9"))
    above = EVERYWHERE.constrain(">", D("0.9"))
    assert below.intersect(middle) is None
    assert first_gap([below, middle, above]) == "at 90 %"
    assert first_gap([below, middle, EVERYWHERE.constrain(">=", D("0.9"))]) is None
    overlap = below.intersect(EVERYWHERE.constrain(">", D("0.5")))
    assert overlap is not None
    assert overlap.text() == "from 50 % (excluded) to 70 % (excluded)"
