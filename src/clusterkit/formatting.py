"""Numbers, money and percentages for people, in English, Russian or Kazakh (via babel)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from clusterkit.money import Money
from clusterkit.numbers import SCALE_POWERS, scale_word, shift

__all__ = ["LOCALES", "format_money", "format_number", "format_percent"]

#: The locale clusterkit uses for each language code.
LOCALES = {"en": "en", "ru": "ru_KZ", "kk": "kk_KZ"}

_SCALE_WORDS = {
    "en": {"thousand": "thousand", "mln": "mln", "bn": "bn"},
    "ru": {"thousand": "тыс.", "mln": "млн", "bn": "млрд"},
    "kk": {"thousand": "мың", "mln": "млн", "bn": "млрд"},
}
_SYMBOLS = {"KZT": "₸"}


def _lang(locale: str) -> str:
    lang = locale.split("_", maxsplit=1)[0]
    return lang if lang in _SCALE_WORDS else "en"


def format_number(value: Decimal, locale: str = "en") -> str:
    """Group thousands and keep every stated digit: ``3896.5`` → ``3,896.5`` / ``3 896,5``."""
    return format_decimal(value, locale=LOCALES.get(locale, locale), decimal_quantization=False)


def format_money(money: Money, locale: str = "en", scale: str | None = None) -> str:
    """``112.1 mln KZT`` in English, ``112,1 млн ₸`` in Russian and Kazakh.

    ``scale`` forces ``thousand``, ``mln`` or ``bn``; by default it follows the amount.
    """
    lang = _lang(LOCALES.get(locale, locale))
    if scale is None:
        scaled, word = scale_word(money.amount)
    else:
        power = SCALE_POWERS.get(scale, 0)
        scaled, word = shift(money.amount, -power), scale
    number = format_number(scaled, locale)
    currency = money.currency if lang == "en" else _SYMBOLS.get(money.currency, money.currency)
    words = _SCALE_WORDS[lang].get(word, word)
    return f"{number} {words} {currency}" if words else f"{number} {currency}"


def format_percent(value: Decimal, locale: str = "en") -> str:
    """A percentage given in percent units (``30`` → ``30 %`` / ``30%``)."""
    number = format_number(value, locale)
    return f"{number}%" if _lang(LOCALES.get(locale, locale)) == "en" else f"{number} %"
