"""Numbers, money, percentages and dates for people, in English, Russian or Kazakh (via babel).

Every number is shown in a bounded form, whatever its size: at most
:data:`MAX_DIGITS` significant digits, and in scientific notation (``1.5E+20``,
``1,5E-9``) when its first digit is more than :data:`PLAIN_EXPONENT` places before,
or more than :data:`TINY_EXPONENT` places after, the decimal point. A value such as
``1e999999999`` (which the model may hold exactly) is never written out digit by
digit: that would take minutes and gigabytes.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

from clusterkit.money import Money
from clusterkit.numbers import SCALE_NAMES, SCALE_POWERS, shift

__all__ = [
    "LOCALES",
    "MAX_DIGITS",
    "PLAIN_EXPONENT",
    "TINY_EXPONENT",
    "bounded",
    "format_date",
    "format_money",
    "format_number",
    "format_percent",
    "format_ratio",
    "is_plain",
    "money_unit",
    "plain_text",
    "round_places",
]

#: The locale clusterkit uses for each language code.
LOCALES = {"en": "en", "ru": "ru_KZ", "kk": "kk_KZ"}

#: The most significant digits a number is shown with (a double holds about this many).
MAX_DIGITS = 15
#: Numbers of 10**16 and more are shown in scientific notation.
PLAIN_EXPONENT = 15
#: Non-zero numbers below 10**-6 are shown in scientific notation.
TINY_EXPONENT = -6

# Rounding for display: any exponent, MAX_DIGITS digits, never an Overflow.
_SHOWN = decimal.Context(
    prec=MAX_DIGITS,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation],
)
# Rounding to a number of places of a plain (bounded) number.
_PLACES = decimal.Context(
    prec=2 * MAX_DIGITS + 10,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation],
)

_SCALE_WORDS = {
    "en": {"thousand": "thousand", "mln": "mln", "bn": "bn"},
    "ru": {"thousand": "тыс.", "mln": "млн", "bn": "млрд"},
    "kk": {"thousand": "мың", "mln": "млн", "bn": "млрд"},
}
_SYMBOLS = {"KZT": "₸"}


def _lang(locale: str) -> str:
    lang = locale.split("_", maxsplit=1)[0]
    return lang if lang in _SCALE_WORDS else "en"


def bounded(value: Decimal) -> Decimal:
    """``value`` with at most :data:`MAX_DIGITS` significant digits (rounded half-even,
    then without trailing zeros), and a zero with at most :data:`MAX_DIGITS` places.
    Any exponent is kept."""
    if not value.is_finite():
        return value
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if value.is_zero():
        return Decimal(0).scaleb(min(0, max(exponent, -MAX_DIGITS)), _SHOWN)
    if len(value.as_tuple().digits) <= MAX_DIGITS:
        return value
    return _SHOWN.plus(value).normalize(_SHOWN)


def is_plain(value: Decimal) -> bool:
    """Whether ``value`` is shown in positional notation (not ``1E+20``)."""
    if not value.is_finite() or value.is_zero():
        return True
    return TINY_EXPONENT <= value.adjusted() <= PLAIN_EXPONENT


def round_places(value: Decimal, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimal places, when it is plain; numbers in
    scientific notation are only :func:`bounded` (they have no places to round to)."""
    value = bounded(value)
    if not value.is_finite() or value.adjusted() > PLAIN_EXPONENT:
        return value
    return value.quantize(Decimal(1).scaleb(-places), context=_PLACES)


def _split(value: Decimal) -> tuple[Decimal, int]:
    """A non-plain number as its mantissa (1 ≤ |m| < 10) and power of ten."""
    power = value.adjusted()
    return value.scaleb(-power, _SHOWN), power


def plain_text(value: Decimal) -> str:
    """A number for files and tools: ``.`` as the decimal point, no grouping,
    ``1.5E+20`` beyond the plain range (:func:`is_plain`)."""
    value = bounded(value)
    if not value.is_finite():
        return str(value)
    if is_plain(value):
        return format(value, "f")
    mantissa, power = _split(value)
    return f"{format(mantissa, 'f')}E{power:+d}"


def _format_decimal(value: Decimal, babel_locale: str) -> str:
    # babel is imported when a number is first shown, not when clusterkit starts.
    from babel.numbers import format_decimal  # noqa: PLC0415

    # babel quantizes in the current context: not the caller's, whose precision may be
    # too low for the digits shown (InvalidOperation).
    with decimal.localcontext(_PLACES):
        return format_decimal(value, locale=babel_locale, decimal_quantization=False)


def format_number(value: Decimal, locale: str = "en") -> str:
    """Group thousands and keep every stated digit: ``3896.5`` → ``3,896.5`` / ``3 896,5``;
    ``1.5E+20`` / ``1,5E+20`` beyond the plain range (see the module's text)."""
    babel_locale = LOCALES.get(locale, locale)
    value = bounded(value)
    if not value.is_finite():
        return str(value)
    if is_plain(value):
        return _format_decimal(value, babel_locale)
    mantissa, power = _split(value)
    text = _format_decimal(mantissa, babel_locale)
    return f"{text}E{power:+d}"


def _scaled(value: Decimal) -> tuple[Decimal, str]:
    """The amount in thousands, millions or billions, as :func:`clusterkit.numbers.scale_word`
    chooses, for any exponent."""
    magnitude = value.copy_abs()
    for power in (9, 6, 3):
        if magnitude >= shift(Decimal(1), power):
            return shift(value, -power), SCALE_NAMES[power]
    return value, ""


def money_unit(currency: str, locale: str = "en", scale: str | None = None) -> str:
    """A currency with an optional scale word, as :func:`format_money` writes it:
    ``mln KZT``, ``млн ₸``."""
    lang = _lang(LOCALES.get(locale, locale))
    symbol = currency if lang == "en" else _SYMBOLS.get(currency, currency)
    words = _SCALE_WORDS[lang].get(scale, scale) if scale else ""
    return f"{words} {symbol}" if words else symbol


def format_money(money: Money, locale: str = "en", scale: str | None = None) -> str:
    """``112.1 mln KZT`` in English, ``112,1 млн ₸`` in Russian and Kazakh.

    ``scale`` forces ``thousand``, ``mln`` or ``bn``; by default it follows the amount.
    """
    if scale is None:
        scaled, word = _scaled(money.amount)
    else:
        power = SCALE_POWERS.get(scale, 0)
        scaled, word = shift(money.amount, -power), scale
    return f"{format_number(scaled, locale)} {money_unit(money.currency, locale, word)}"


def format_percent(value: Decimal, locale: str = "en") -> str:
    """A percentage given in percent units (``30`` → ``30 %`` / ``30%``)."""
    number = format_number(value, locale)
    return f"{number}%" if _lang(LOCALES.get(locale, locale)) == "en" else f"{number} %"


def format_ratio(ratio: Decimal, locale: str = "en", places: int = 0) -> str:
    """A ratio as a percentage rounded to ``places``: ``0.3358`` → ``34%`` / ``34 %``."""
    return format_percent(round_places(ratio.scaleb(2, _SHOWN), places), locale)


def format_date(day: dt.date, locale: str = "en") -> str:
    """A date in words: ``June 1, 2021``, ``1 июня 2021 г.``, ``2021 ж. 1 маусым``."""
    from babel.dates import format_date as babel_format_date  # noqa: PLC0415 - see below

    return babel_format_date(day, "long", locale=LOCALES.get(locale, locale))
