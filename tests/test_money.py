import datetime as dt
import decimal
from decimal import Decimal

import pytest

from clusterkit.money import (
    CurrencyMismatchError,
    ExchangeRate,
    Money,
    MoneyError,
    NoRateError,
    RateTable,
    UnknownCurrencyError,
    parse_money,
)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("112.1 mln KZT", Decimal(112_100_000), "KZT"),
        ("766 thousand GBP", Decimal(766_000), "GBP"),
        ("2 million EUR", Decimal(2_000_000), "EUR"),
        ("1.25 mln EUR", Decimal(1_250_000), "EUR"),
        ("$ 281.5 mln", Decimal(281_500_000), "USD"),
        ("100 млн руб", Decimal(100_000_000), "RUB"),
        ("3,896.5 mln тенге", Decimal(3_896_500_000), "KZT"),
        ("12 kzt", Decimal(12), "KZT"),
    ],
)
def test_scaled_amounts_parse_exactly(text: str, amount: Decimal, currency: str) -> None:
    money = parse_money(text)
    assert money.amount == amount
    assert money.currency == currency


def test_float_amount_is_refused_at_construction() -> None:
    with pytest.raises(TypeError, match="float"):
        Money(112.1, "KZT")


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrencyError, match="XYZ"):
        Money(Decimal(1), "XYZ")
    with pytest.raises(UnknownCurrencyError):
        parse_money("5 mln tugriks-of-mars")


def test_money_without_currency_is_refused() -> None:
    with pytest.raises(MoneyError, match="no currency"):
        parse_money("112.1 mln")


def test_addition_within_one_currency_is_exact() -> None:
    total = Money.total(
        (parse_money(t) for t in ("33.6 mln KZT", "33 mln KZT", "921 mln KZT", "111.7 mln KZT")),
        "KZT",
    )
    assert total == parse_money("1099.3 mln KZT")


def test_adding_two_currencies_is_an_error() -> None:
    with pytest.raises(CurrencyMismatchError, match="USD and KZT"):
        _ = parse_money("1 KZT") + parse_money("1 USD")


def test_comparing_two_currencies_is_an_error() -> None:
    with pytest.raises(CurrencyMismatchError):
        _ = parse_money("1 KZT") < parse_money("1 USD")


def test_quantum_reflects_the_stated_digits() -> None:
    assert parse_money("33.6 mln KZT").quantum == Decimal(100_000)
    assert parse_money("921 mln KZT").quantum == Decimal(1_000_000)


def test_str_round_trips_through_parse() -> None:
    for text in ("112.1 mln KZT", "0.5 USD", "766 thousand GBP", "-3 bn RUB"):
        money = parse_money(text)
        again = parse_money(str(money))
        assert again == money
        assert again.quantum == money.quantum


def test_multiplying_by_a_float_is_an_error() -> None:
    with pytest.raises(TypeError):
        _ = parse_money("1 KZT") * 0.3  # type: ignore[operator]


RATES = RateTable(
    (
        ExchangeRate("USD", "KZT", Decimal("420.50"), dt.date(2021, 1, 4), "NBK"),
        ExchangeRate("USD", "KZT", Decimal("430.00"), dt.date(2021, 6, 1), "NBK"),
    )
)


def test_conversion_uses_the_latest_rate_on_or_before_the_date() -> None:
    converted = RATES.convert(parse_money("2 USD"), "KZT", dt.date(2021, 5, 31))
    assert converted == Money(Decimal("841.00"), "KZT")
    assert RATES.convert(parse_money("2 USD"), "KZT", dt.date(2021, 6, 1)).amount == Decimal(860)


def test_inverse_conversion_divides_by_the_rate() -> None:
    converted = RATES.convert(parse_money("860 KZT"), "USD", dt.date(2021, 7, 1))
    assert converted == Money(Decimal(2), "USD")


def test_there_is_no_conversion_without_a_rate() -> None:
    with pytest.raises(NoRateError, match="before 2020-12-31"):
        RATES.convert(parse_money("1 USD"), "KZT", dt.date(2020, 12, 31))
    with pytest.raises(NoRateError):
        RATES.convert(parse_money("1 EUR"), "KZT", dt.date(2021, 7, 1))


def test_exchange_rate_must_be_positive() -> None:
    with pytest.raises(MoneyError):
        ExchangeRate("USD", "KZT", Decimal(0), dt.date(2021, 1, 1), "NBK")


def test_money_is_exact_whatever_the_callers_decimal_context() -> None:
    with decimal.localcontext() as context:
        context.prec = 3
        money = parse_money("112.1 mln KZT")
        total = Money.total((money, parse_money("3070 mln KZT")), "KZT")
        text = str(total)
    assert money.amount == Decimal(112_100_000)
    assert total.amount == Decimal(3_182_100_000)
    assert text == "3.1821 bn KZT"
