from decimal import Decimal

import pytest

from clusterkit.numbers import NumberFormatError, parse_decimal, parse_scaled, quantum, to_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("112.1", Decimal("112.1")),
        ("3,896.5", Decimal("3896.5")),
        ("66 740", Decimal("66740")),
        ("1,250,000", Decimal("1250000")),
        ("-2", Decimal("-2")),
    ],
)
def test_parse_decimal_reads_plain_and_grouped_numbers(text: str, expected: Decimal) -> None:
    assert parse_decimal(text) == expected


def test_decimal_comma_is_refused_rather_than_guessed() -> None:
    with pytest.raises(NumberFormatError, match="decimal separator"):
        parse_decimal("1,25")


def test_scaled_number_keeps_its_stated_precision() -> None:
    value, unit = parse_scaled("33.6 mln KZT")
    assert value == Decimal(33_600_000)
    assert unit == "KZT"
    assert quantum(value) == Decimal(100_000)


def test_russian_scale_words_are_understood() -> None:
    assert parse_scaled("4.7 млрд руб")[0] == Decimal(4_700_000_000)


def test_floats_and_booleans_are_refused() -> None:
    with pytest.raises(TypeError, match="float"):
        to_decimal(0.1)
    with pytest.raises(TypeError):
        to_decimal(True)


def test_infinity_is_refused() -> None:
    with pytest.raises(NumberFormatError):
        to_decimal(Decimal("Infinity"))
