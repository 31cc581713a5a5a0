"""Words of the membership and international-comparison tables in the report's language:
countries, what a support level is per, amounts and ranges, rates, and the notes under
the tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

from babel import Locale

from clusterkit.formatting import LOCALES, format_money, format_number, money_unit, round_places
from clusterkit.i18n import N_
from clusterkit.international import SupportLevelRow, SupportLevels
from clusterkit.lang.results.explain import basis_text
from clusterkit.money import Money
from clusterkit.numbers import SCALE_POWERS, scale_word, shift
from clusterkit.tables import Membership
from clusterkit_plugins.reporters.common import Labels

__all__ = [
    "CONVERTED_PLACES",
    "converted",
    "country",
    "level",
    "level_note",
    "membership_note",
    "per",
    "rate",
    "support_note",
]

#: Places of a converted amount as shown, in millions (0.1 mln); it is exact underneath.
CONVERTED_PLACES = 1
_CONVERTED_SCALE = "mln"

_PER = {
    "cluster_per_year": N_("cluster per year"),
    "project": N_("project within a cluster"),
    "programme_per_year": N_("programme, per year"),
    "programme_total": N_("programme in total"),
}


@cache
def _territory_codes() -> dict[str, str]:
    """Country names in English (as data writes them), lower case, to their codes."""
    return {name.lower(): code for code, name in Locale.parse("en").territories.items()}


def country(name: str, t: Labels) -> str:
    """A country in the report's language (``Russia`` → ``Россия``); ``not stated`` when
    the source names none; a name babel does not know is shown as written."""
    if not name:
        return t._("not stated")
    code = name if name.isupper() and len(name) == 2 else _territory_codes().get(name.lower())
    territories = Locale.parse(LOCALES.get(t.lang, t.lang)).territories
    return territories.get(code, name) if code is not None else name


def per(row: SupportLevelRow, t: Labels) -> str:
    """What a level is per, with its years where the data states them."""
    words = t._(_PER[row.per]) if row.per in _PER else row.per
    if row.first_year is None:
        return words
    years = str(row.first_year)
    if row.last_year is not None and row.last_year != row.first_year:
        years += f"–{row.last_year}"
    return f"{words}, {years}"


def _range(low: Money, high: Money | None, t: Labels, scale: str | None = None) -> str:
    """``766 thousand GBP``, ``2–5 mln EUR``, ``at least 5 bn RUB``."""
    if high is None:
        return t._("at least {amount}").format(amount=format_money(low, t.lang, scale))
    if high == low:
        return format_money(low, t.lang, scale)
    word = scale if scale is not None else scale_word(high.amount)[1]
    low_number = format_number(shift(low.amount, -SCALE_POWERS.get(word, 0)), t.lang)
    return f"{low_number}–{format_money(high, t.lang, word or None)}"


def level(row: SupportLevelRow, t: Labels) -> str:
    """The level as the source states it, in its own currency."""
    return _range(row.low, row.high, t)


def level_note(row: SupportLevelRow, t: Labels) -> str:
    """What the level rests on (``stated in the source: L198``) and the data's note."""
    parts = []
    if row.basis:
        parts.append(basis_text((row.basis, row.line), t.lang))
    elif row.line:
        parts.append(row.line)
    if row.note:
        parts.append(row.note)
    return "; ".join(parts)


def _shown(money: Money | None) -> Money | None:
    """An exact converted amount rounded for display to :data:`CONVERTED_PLACES` in millions."""
    if money is None:
        return None
    power = SCALE_POWERS[_CONVERTED_SCALE]
    rounded = round_places(shift(money.amount, -power), CONVERTED_PLACES)
    return Money(shift(rounded, power), money.currency)


def converted(row: SupportLevelRow, t: Labels) -> str:
    """The level in the home currency, in millions to 0.1; ``no rate`` without a rate."""
    if row.low_converted is None:
        return t._("no rate")
    low = _shown(row.low_converted)
    assert low is not None
    return _range(low, _shown(row.high_converted), t, _CONVERTED_SCALE)


def rate(row: SupportLevelRow, home: str, t: Labels) -> str:
    """``1 GBP = 600 KZT`` (its date is in the table's note); ``—`` for a level in the
    home currency, ``no rate`` without one."""
    if row.rate is None:
        return "—" if row.low.currency == home else t._("no rate")
    value = format_number(round_places(row.rate, 6).normalize(), t.lang)
    return f"1 {row.low.currency} = {value} {money_unit(home, t.lang)}"


def _rate_dates(levels: SupportLevels, t: Labels) -> str:
    """The dates the rates used apply from: ``GBP, EUR, RUB: June 1, 2021``."""
    by_date: dict[dt.date, list[str]] = {}
    for currency, _rate, day, _source in levels.rates:
        by_date.setdefault(day, []).append(currency)
    return "; ".join(
        f"{', '.join(currencies)}: {t.date(day)}" for day, currencies in sorted(by_date.items())
    )


def support_note(levels: SupportLevels, t: Labels) -> str:
    """What the conversion used: the date, whether the rates are illustrative, which
    currencies have no rate."""
    _ = t._
    parts = []
    if levels.rates and levels.on is not None:
        parts.append(
            _(
                "Converted into {currency} at the dataset's exchange rates in force on {date} "
                "(dates of the rates: {dates}), exactly; shown rounded to 0.1 mln."
            ).format(
                currency=money_unit(levels.currency, t.lang),
                date=t.date(levels.on),
                dates=_rate_dates(levels, t),
            )
        )
    elif levels.rates:
        parts.append(
            _(
                "Converted into {currency} at the latest of the dataset's exchange rates "
                "(dates of the rates: {dates}), exactly; shown rounded to 0.1 mln."
            ).format(currency=money_unit(levels.currency, t.lang), dates=_rate_dates(levels, t))
        )
    used = [currency for currency, *_rest in levels.rates]
    if used and set(used) <= set(levels.illustrative):
        parts.append(
            _(
                "The rates are illustrative (their records say so), not official rates: the "
                "amounts in tenge show an order of magnitude only."
            )
        )
    elif levels.illustrative:
        parts.append(
            _(
                "The rates of {currencies} are illustrative (their records say so), not "
                "official rates."
            ).format(currencies=", ".join(levels.illustrative))
        )
    others = [(c, source) for c, _r, _d, source in levels.rates if c not in levels.illustrative]
    if others:
        parts.append(
            _("Sources of the rates: {sources}.").format(
                sources="; ".join(f"{c}: {source or '—'}" for c, source in others)
            )
        )
    if levels.missing:
        parts.append(
            _("No rate: the dataset has no rate for {currencies} on or before that date.").format(
                currencies=", ".join(levels.missing)
            )
        )
    return " ".join(parts)


def membership_note(members: Membership, t: Labels) -> str:
    """How the table counts, and whether its participants are sample records."""
    _ = t._
    parts = [
        _(
            "Members at the start: a cluster's members on the earliest date any of its "
            "participants joined."
        )
    ]
    if members.sample and members.sample == members.participants:
        parts.append(
            _("All {count} participants are sample records, not taken from the source.").format(
                count=members.participants
            )
        )
    elif members.sample:
        parts.append(
            _(
                "{sample} of {count} participants are sample records, not taken from the source."
            ).format(sample=members.sample, count=members.participants)
        )
    return " ".join(parts)


def number(value: int, t: Labels) -> str:
    return format_number(Decimal(value), t.lang)
