"""Values and verdicts for people, in the language chosen when shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import clusterkit
from clusterkit.lang.results.explain import format_value, raw_text
from clusterkit.lang.runtime.intervals import Interval
from clusterkit.lang.types.units import currency_dim, unit_dim
from clusterkit.lang.types.value_types import RATIO, NumT

D = Decimal
KZT = NumT(currency_dim("KZT"))


def test_money_is_shown_scaled_and_localised() -> None:
    assert format_value(D("1.121E+8"), KZT, "KZT", "en") == "112.1 mln KZT"
    assert format_value(D("1.121E+8"), KZT, "KZT", "ru") == "112,1 млн ₸"


def test_money_per_year_names_its_per_unit() -> None:
    per_year = NumT(currency_dim("KZT") / unit_dim("year"))
    assert format_value(D("1.12E+8"), per_year, "KZT", "en") == "112 mln KZT/year"


def test_ratios_are_percentages_and_long_results_are_rounded_for_display() -> None:
    assert format_value(D("0.3"), RATIO, "KZT") == "30 %"
    assert format_value(D(1) / D(3), RATIO, "KZT") == "33.3333 %"
    assert (
        raw_text(D("0.3333333333333333333333333333333333"))
        == "0.3333333333333333333333333333333333"
    )


def test_an_interval_is_shown_as_its_middle_plus_minus_half_its_width() -> None:
    value = Interval(D("33.55E+6"), D("33.65E+6"))
    assert format_value(value, KZT, "KZT") == "33.6 mln KZT ± 50 thousand KZT"
    assert raw_text(value) == "[3.355E+7, 3.365E+7]"


def test_outcomes_are_named_in_each_language() -> None:
    assert clusterkit.Outcome.FAIL.text("en") == "fail"
    assert clusterkit.Outcome.FAIL.text("ru") != "fail"
    assert clusterkit.Outcome.FAIL.text("kk") not in ("fail", clusterkit.Outcome.FAIL.text("ru"))


def test_an_undetermined_verdict_says_what_it_needs_in_the_language_asked() -> None:
    program = clusterkit.compile_rules(
        "rulebook t\nrule r for each c in clusters\n  require c.registered_on < 2022-01-01\n"
    )
    data = clusterkit.load_dataset("examples/kazakhstan-2021")
    results = clusterkit.evaluate(program, data, dt.date(2021, 6, 1))
    missing = [r for r in results if r.needs is not None]
    assert missing
    needs = missing[0].needs
    assert needs is not None
    assert needs.text("en") == "c.registered_on"
    assert "c.registered_on" in missing[0].explain("kk")
