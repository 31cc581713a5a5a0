"""The international comparison: levels of state support for clusters abroad (and at
home), as a source states them, converted into tenge at the dataset's dated rates.

The levels come from the dataset's ``support_levels`` records when it has them (a
schema's ``support_level`` kind: an amount in ``low_<currency>`` and, unless it is only
a lower bound, ``high_<currency>``; ``per``, ``country``, ``first_year``, ``last_year``,
``basis``, ``line``, ``note``), else from its built-in ``benchmarks``. Each is converted
with the rate in force on the report's date (:meth:`clusterkit.money.RateTable.lookup`:
the latest on or before it), exactly: an amount times a rate is the Decimal product,
never rounded here. A currency without a rate is converted to nothing ("no rate"),
never guessed. Whether the rates are illustrative is read from their records' source.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

import attrs

from clusterkit.model import Dataset, Record, SupportBenchmark
from clusterkit.money import DIVISION_CONTEXT, Money, NoRateError, RateTable
from clusterkit.numbers import EXACT

__all__ = ["HOME_CURRENCY", "PER", "SupportLevelRow", "SupportLevels", "support_levels"]

#: The currency levels are converted into.
HOME_CURRENCY = "KZT"
#: What a level can be per, as the ``support_level`` kind spells it.
PER = ("cluster_per_year", "project", "programme_per_year", "programme_total")
#: A benchmark's ``basis`` in words, read as one of :data:`PER`.
_BASIS_WORDS = {
    "cluster per year": "cluster_per_year",
    "per cluster per year": "cluster_per_year",
    "cluster a year": "cluster_per_year",
    "project": "project",
    "per project": "project",
    "project within a cluster": "project",
    "project inside a cluster": "project",
    "programme per year": "programme_per_year",
    "programme total": "programme_total",
}
#: What a rate's source says when the rate is not an official one.
_ILLUSTRATIVE = re.compile(r"illustrativ|sample|иллюстратив|образ[ец]", re.IGNORECASE)


@attrs.frozen
class SupportLevelRow:
    """One level of support, in its own currency and converted.

    Attributes:
        id: the record's id ('' for a built-in benchmark).
        country: the country as the data states it ('' when the source does not).
        per: what the level is per: one of cluster_per_year, project, programme_per_year,
            programme_total, or a benchmark's own words.
        low: the level, or the low end of its range.
        high: the high end (equal to low for a single figure); null when the source
            gives only a lower bound ('at least').
        first_year, last_year: the years it covers, where stated.
        basis: what the record rests on (source, inferred, illustrative), where stated.
        line: where the source states it.
        note: what the data says about it (pairing of captions, what is not stated).
        rate: units of the home currency for one unit of the level's currency, as
            applied; null for a level in the home currency or without a rate.
        rate_on: the date the rate applies from.
        rate_source: where the rate comes from, as its record states.
        low_converted, high_converted: the level in the home currency, exact (the
            amount times the rate); null without a rate.
    """

    id: str
    country: str
    per: str
    low: Money
    high: Money | None
    first_year: int | None
    last_year: int | None
    basis: str
    line: str
    note: str
    rate: Decimal | None
    rate_on: dt.date | None
    rate_source: str
    low_converted: Money | None
    high_converted: Money | None

    @property
    def no_rate(self) -> bool:
        """Whether the level could not be converted: its currency has no rate."""
        return self.low_converted is None


@attrs.frozen
class SupportLevels:
    """The comparison's rows and what they were converted with.

    Attributes:
        currency: the home currency the levels are converted into.
        on: the date whose rates are used (the latest rate on or before it).
        rows: the levels, in the data's order.
        illustrative: the currencies whose rates their records call illustrative or
            sample values, not official rates.
        missing: the currencies with no rate on or before that date.
    """

    currency: str
    on: dt.date | None
    rows: tuple[SupportLevelRow, ...]
    illustrative: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def rates(self) -> tuple[tuple[str, Decimal, dt.date, str], ...]:
        """The rates used: (currency, rate, applies from, source), one per currency."""
        seen: dict[str, tuple[str, Decimal, dt.date, str]] = {}
        for row in self.rows:
            if row.rate is not None and row.rate_on is not None:
                used = (row.low.currency, row.rate, row.rate_on, row.rate_source)
                seen.setdefault(row.low.currency, used)
        return tuple(seen.values())


def _year(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _amounts(record: Record) -> tuple[Money, Money | None] | None:
    """A record's low amount and its high one in the same currency (None: a lower bound)."""
    for name, value in record.extra.items():
        if not isinstance(value, Money) or not (name == "low" or name.startswith("low_")):
            continue
        high = record.extra.get("high" + name[3:])
        if not isinstance(high, Money) or high.currency != value.currency:
            high = None
        return value, high
    return None


@attrs.frozen
class _Level:
    id: str
    country: str
    per: str
    low: Money
    high: Money | None
    first_year: int | None = None
    last_year: int | None = None
    basis: str = ""
    line: str = ""
    note: str = ""


def _from_records(records: Iterable[Record]) -> list[_Level]:
    levels = []
    for record in records:
        amounts = _amounts(record)
        if amounts is None:
            continue
        extra = record.extra
        levels.append(
            _Level(
                record.id or "",
                _text(extra.get("country")),
                _text(extra.get("per")),
                *amounts,
                first_year=_year(extra.get("first_year")),
                last_year=_year(extra.get("last_year")),
                basis=_text(extra.get("basis")),
                line=_text(extra.get("line")),
                note=_text(extra.get("note")),
            )
        )
    return levels


def _from_benchmarks(benchmarks: Iterable[SupportBenchmark]) -> list[_Level]:
    return [
        _Level(
            "",
            b.country.strip(),
            _BASIS_WORDS.get(" ".join(b.basis.lower().split()), b.basis.strip()),
            b.low,
            b.high,
            note=b.note.strip(),
        )
        for b in benchmarks
    ]


def _row(
    level: _Level,
    converted: tuple[Money, Money | None] | None,
    rate: Decimal | None = None,
    rate_on: dt.date | None = None,
    rate_source: str = "",
) -> SupportLevelRow:
    low, high = converted if converted is not None else (None, None)
    return SupportLevelRow(
        level.id,
        level.country,
        level.per,
        level.low,
        level.high,
        level.first_year,
        level.last_year,
        level.basis,
        level.line,
        level.note,
        rate,
        rate_on,
        rate_source,
        low,
        high,
    )


def _converted(level: _Level, rates: RateTable, on: dt.date, home: str) -> SupportLevelRow:
    """A level converted at the rate in force on ``on``: the exact product with a
    ``currency→home`` rate, the quotient (34 digits) by a ``home→currency`` one."""
    if level.low.currency == home:
        return _row(level, (level.low, level.high))
    try:
        record, inverse = rates.lookup(level.low.currency, home, on)
    except NoRateError:
        return _row(level, None)

    def convert(amount: Decimal) -> Money:
        if inverse:
            return Money(DIVISION_CONTEXT.divide(amount, record.rate), home)
        return Money(EXACT.multiply(amount, record.rate), home)

    high = None if level.high is None else convert(level.high.amount)
    rate = DIVISION_CONTEXT.divide(Decimal(1), record.rate) if inverse else record.rate
    return _row(level, (convert(level.low.amount), high), rate, record.on, record.source)


def support_levels(
    data: Dataset, on: dt.date | None = None, home: str = HOME_CURRENCY
) -> SupportLevels | None:
    """The dataset's support levels converted into ``home`` at the rates in force on
    ``on`` (the latest rates when no date is given); None if it states no levels."""
    records = data.records_of("support_levels")
    levels = _from_records(records) if records else _from_benchmarks(data.benchmarks)
    if not levels:
        return None
    day = on if on is not None else dt.date.max
    table = data.rate_table
    rows = tuple(_converted(level, table, day, home) for level in levels)
    illustrative = sorted(
        {r.low.currency for r in rows if r.rate is not None and _ILLUSTRATIVE.search(r.rate_source)}
    )
    missing = sorted({r.low.currency for r in rows if r.no_rate})
    return SupportLevels(home, on, rows, tuple(illustrative), tuple(missing))
