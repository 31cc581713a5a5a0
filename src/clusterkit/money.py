"""Money: an exact Decimal amount in one ISO 4217 currency, and dated exchange rates.

Arithmetic is allowed only within one currency; converting needs an
:class:`ExchangeRate` from a :class:`RateTable`, and there is no conversion
without a rate. The amount's exponent keeps the precision it was stated with
("33.6 mln KZT" is exact to 0.1 mln), see :attr:`Money.quantum`.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from decimal import Decimal
from functools import cache

import attrs

from clusterkit.messages import msg, text_of
from clusterkit.numbers import (
    EXACT,
    NumberFormatError,
    format_plain,
    parse_scaled,
    quantum,
    scale_word,
    to_decimal,
)

__all__ = [
    "CurrencyMismatchError",
    "ExchangeRate",
    "Money",
    "MoneyError",
    "NoRateError",
    "RateTable",
    "UnknownCurrencyError",
    "check_currency",
    "parse_money",
    "require_text",
]

#: Symbols and words that name a currency in the documents we read.
CURRENCY_ALIASES: dict[str, str] = {
    "₸": "KZT",
    "тг": "KZT",
    "тг.": "KZT",
    "тенге": "KZT",
    "теңге": "KZT",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "₽": "RUB",
    "руб": "RUB",
    "руб.": "RUB",
    "рублей": "RUB",
}

# Division (an inverse rate, a ratio) cannot always be exact; this many significant
# digits is far beyond any figure a policy document states.
DIVISION_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)


class MoneyError(ValueError):
    """Base class for money errors."""


class UnknownCurrencyError(MoneyError):
    """The currency is not an ISO 4217 code."""


class CurrencyMismatchError(MoneyError):
    """Two amounts in different currencies were combined without a conversion."""


class NoRateError(MoneyError):
    """No exchange rate is known for the pair on or before the date."""


@cache
def _iso_codes() -> frozenset[str]:
    # babel's list is read when a currency is first checked, not when clusterkit starts.
    from babel.numbers import list_currencies  # noqa: PLC0415

    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """Return the ISO 4217 code for ``code`` (or one of its symbols); raise if unknown."""
    stripped = code.strip()
    alias = CURRENCY_ALIASES.get(stripped) or CURRENCY_ALIASES.get(stripped.lower())
    upper = (alias or stripped).upper()
    if upper not in _iso_codes():
        raise UnknownCurrencyError(
            msg("unknown currency {code!r}: expected an ISO 4217 code such as KZT", code=code)
        )
    return upper


def _currency_validator(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or value != value.upper() or value not in _iso_codes():
        raise UnknownCurrencyError(
            msg("unknown currency {code!r}: expected an ISO 4217 code such as KZT", code=value)
        )


# What two amounts in different currencies cannot be, said when they are.
_VERBS = {
    "add": msg("add"),
    "subtract": msg("subtract"),
    "divide": msg("divide"),
    "compare": msg("compare"),
}


@attrs.frozen(order=False)
class Money:
    """An exact amount of one currency.

    Attributes:
        amount: the amount in whole currency units (tenge, dollars), as a Decimal.
            Ints are accepted and converted; floats are refused.
        currency: the ISO 4217 code, upper case.
    """

    amount: Decimal = attrs.field(converter=to_decimal)
    currency: str = attrs.field(validator=_currency_validator)

    # -- construction -------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Money:
        """Parse ``"112.1 mln KZT"``, ``"766 thousand GBP"`` or ``"$ 281.5 mln"``."""
        return parse_money(text)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """Sum amounts of one currency; an empty sum is zero in ``currency``.

        The sum keeps the finest stated precision of its terms (33.6 + 33 mln is
        66.6 mln, stated to 0.1 mln), because it starts from the first term, not from 0.
        """
        result: Money | None = None
        for item in amounts:
            result = item if result is None else result + item
        if result is None:
            return cls.zero(currency)
        if result.currency != currency:
            raise CurrencyMismatchError(
                msg("cannot total {have} as {want}", have=result.currency, want=currency)
            )
        return result

    @classmethod
    def by_currency(cls, amounts: Iterable[Money]) -> tuple[Money, ...]:
        """One exact total per currency, currencies in alphabetical order."""
        items = list(amounts)
        currencies = sorted({m.currency for m in items})
        return tuple(cls.total((m for m in items if m.currency == c), c) for c in currencies)

    # -- arithmetic -----------------------------------------------------------------
    def _same(self, other: Money, op: str) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                msg(
                    "cannot {op} {other} and {this} without an exchange rate",
                    op=_VERBS[op],
                    other=other.currency,
                    this=self.currency,
                )
            )

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "add")
        return Money(EXACT.add(self.amount, other.amount), self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "subtract")
        return Money(EXACT.subtract(self.amount, other.amount), self.currency)

    def __neg__(self) -> Money:
        return Money(EXACT.minus(self.amount), self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        # to_decimal refuses floats and booleans, so 1.1 * money is an error, not a guess.
        return Money(EXACT.multiply(self.amount, to_decimal(factor)), self.currency)

    __rmul__ = __mul__

    def ratio(self, other: Money) -> Decimal:
        """``self / other`` as a Decimal; both in one currency."""
        self._same(other, "divide")
        return DIVISION_CONTEXT.divide(self.amount, other.amount)

    def _cmp(self, other: Money) -> tuple[Decimal, Decimal]:
        self._same(other, "compare")
        return self.amount, other.amount

    def __lt__(self, other: Money) -> bool:
        a, b = self._cmp(other)
        return a < b

    def __le__(self, other: Money) -> bool:
        a, b = self._cmp(other)
        return a <= b

    def __gt__(self, other: Money) -> bool:
        a, b = self._cmp(other)
        return a > b

    def __ge__(self, other: Money) -> bool:
        a, b = self._cmp(other)
        return a >= b

    # -- precision and text ----------------------------------------------------
    @property
    def quantum(self) -> Decimal:
        """The step the amount was stated to: 0.1 mln KZT for "33.6 mln KZT"."""
        return quantum(self.amount)

    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        scaled, word = scale_word(self.amount)
        number = format_plain(scaled)
        return f"{number} {word} {self.currency}" if word else f"{number} {self.currency}"


def require_text(text: object, function: str) -> None:
    """A mistake in the calling code (a number to parse) named at the door, not an
    ``AttributeError`` from inside; a float has already lost the value meant."""
    if not isinstance(text, str):
        raise TypeError(f"{function} parses text ('112.1 mln KZT'), not {type(text).__name__}")


def parse_money(text: str) -> Money:
    """Parse money as people write it: number, optional scale word, currency.

    The currency may come first as a symbol (``"$ 281.5 mln"``) or last as a code or
    symbol (``"112.1 mln KZT"``, ``"112,1 млн тг"`` is refused for its decimal comma).
    """
    require_text(text, "parse_money")
    raw = text.strip()
    prefix: str | None = None
    for symbol in ("$", "€", "£", "₸", "₽"):
        if raw.startswith(symbol):
            prefix, raw = symbol, raw[len(symbol) :].strip()
            break
    try:
        amount, unit = parse_scaled(raw)
    except NumberFormatError as exc:
        raise MoneyError(text_of(exc)) from None
    if prefix is not None:
        if unit:
            raise MoneyError(msg("{text!r}: currency given twice", text=text))
        unit = prefix
    if not unit:
        raise MoneyError(msg("{text!r}: no currency given (write e.g. '112.1 mln KZT')", text=text))
    return Money(amount, check_currency(unit))


@attrs.frozen
class ExchangeRate:
    """One unit of ``base`` costs ``rate`` units of ``quote`` on ``on``.

    Attributes:
        base, quote: ISO 4217 codes.
        rate: a positive Decimal.
        on: the date the rate applies from.
        source: where the rate comes from (e.g. "National Bank of Kazakhstan").
    """

    base: str = attrs.field(validator=_currency_validator)
    quote: str = attrs.field(validator=_currency_validator)
    rate: Decimal = attrs.field(converter=to_decimal)
    on: dt.date
    source: str

    @rate.validator
    def _positive(self, _attr: attrs.Attribute[Decimal], value: Decimal) -> None:
        if value <= 0:
            raise MoneyError(msg("an exchange rate must be positive"))


@attrs.frozen
class RateTable:
    """Dated exchange rates; :meth:`convert` uses the latest rate on or before a date.

    A rate for ``USD→KZT`` also converts ``KZT→USD`` by division in
    :data:`DIVISION_CONTEXT` (34 significant digits).
    """

    rates: tuple[ExchangeRate, ...] = ()

    def lookup(self, base: str, quote: str, on: dt.date) -> tuple[ExchangeRate, bool]:
        """The rate to use and whether it is applied inversely."""
        best: tuple[ExchangeRate, bool] | None = None
        for rate in self.rates:
            if rate.on > on:
                continue
            if (rate.base, rate.quote) == (base, quote):
                inverse = False
            elif (rate.base, rate.quote) == (quote, base):
                inverse = True
            else:
                continue
            if best is None or rate.on > best[0].on or (rate.on == best[0].on and not inverse):
                best = (rate, inverse)
        if best is None:
            raise NoRateError(
                msg(
                    "no exchange rate {base}→{quote} on or before {on}",
                    base=base,
                    quote=quote,
                    on=on.isoformat(),
                )
            )
        return best

    def convert(self, money: Money, to: str, on: dt.date) -> Money:
        if money.currency == to:
            return money
        rate, inverse = self.lookup(money.currency, to, on)
        if inverse:
            return Money(DIVISION_CONTEXT.divide(money.amount, rate.rate), to)
        return Money(EXACT.multiply(money.amount, rate.rate), to)
