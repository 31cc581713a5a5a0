"""Yearly indicator series, counter-obligations, and observations of actual values."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

import attrs

from clusterkit.messages import msg
from clusterkit.model.common import Declared, Problems, check_identifier, raise_problems, valid_year
from clusterkit.units import Unit

__all__ = [
    "CounterObligation",
    "IndicatorSeries",
    "IndicatorValue",
    "KnownIndicator",
    "Observation",
    "ValueKind",
    "in_force",
]


class KnownIndicator(enum.StrEnum):
    """Indicators the shipped rulebooks use; any other identifier is allowed too."""

    OUTPUT = "output"
    EXPORTS = "exports"
    TAX_REVENUE = "tax_revenue"
    EMPLOYMENT = "employment"
    LABOUR_PRODUCTIVITY = "labour_productivity"
    PARTICIPANTS = "participants"
    NEW_PRODUCTS = "new_products"
    INVESTMENT = "investment"


class ValueKind(enum.StrEnum):
    """Whether a yearly value is a fact, a forecast or a target."""

    ACTUAL = "actual"
    FORECAST = "forecast"
    TARGET = "target"


@attrs.frozen
class IndicatorValue(Declared):
    """One year of a series.

    Attributes:
        year: the calendar year.
        value: the value, in the series' unit.
        kind: actual, forecast or target.
        attributed: the part of the value due to cluster projects, in the series' unit.
        attributed_percent: the part due to cluster projects as a published percentage
            (the source document states these without saying of what; kept as stated).
        stated_effect_percent: a published growth percentage for this year over the base.
    """

    year: int = attrs.field(validator=valid_year)
    value: Decimal
    kind: ValueKind = ValueKind.ACTUAL
    attributed: Decimal | None = None
    attributed_percent: Decimal | None = None
    stated_effect_percent: Decimal | None = None


@attrs.frozen
class IndicatorSeries(Declared):
    """A yearly series of one indicator for one cluster.

    Attributes:
        cluster: the cluster's id.
        indicator: the indicator's identifier (see :class:`KnownIndicator`).
        unit: the unit every value is stated in.
        source: where the figures come from.
        region: the region(s) the figures cover, as the source words it.
        title: the series' title as published.
        values: one entry per year, years unique.
    """

    cluster: str
    indicator: str
    unit: Unit
    source: str
    values: tuple[IndicatorValue, ...]
    region: str = ""
    title: str = ""

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        yield from check_identifier("indicator", self.indicator)
        counts = Counter(v.year for v in self.values)
        for i, value in enumerate(self.values):
            if counts[value.year] > 1:
                yield f"values[{i}].year", msg("{year} appears twice", year=value.year)

    def at(self, year: int) -> IndicatorValue | None:
        return next((v for v in self.values if v.year == year), None)

    def value_in(self, year: int) -> Decimal | None:
        entry = self.at(year)
        return None if entry is None else entry.value


@attrs.frozen
class CounterObligation(Declared):
    """What a cluster commits to in return for state co-financing.

    Attributes:
        id: identifier, unique in a dataset.
        cluster: the cluster's id.
        programme: the programme the obligation belongs to, if any.
        indicator: the indicator committed on.
        unit: the unit of the base and target values.
        base_year, base_value: the starting point.
        target_year, target_value: what is promised, by when.
        committed_by: who committed (participant ids or the cluster organisation).
        sample: True for illustrative records.
    """

    id: str
    cluster: str
    indicator: str
    unit: Unit
    base_year: int = attrs.field(validator=valid_year)
    base_value: Decimal
    target_year: int = attrs.field(validator=valid_year)
    target_value: Decimal
    committed_by: tuple[str, ...] = ()
    programme: str | None = None
    sample: bool = False

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        yield from check_identifier("id", self.id)
        yield from check_identifier("indicator", self.indicator)
        if self.target_year <= self.base_year:
            yield "target_year", msg("must be after the base year {year}", year=self.base_year)


@attrs.frozen
class Observation(Declared):
    """An actual value reported for a year; corrections are new observations.

    Observations are numbered 1, 2, 3 ... in the order recorded (a store's numbers;
    in a dataset, positions in its list). A correction names the observation it
    replaces in ``supersedes`` and says why in ``reason``; the corrected one is kept.

    Attributes:
        cluster, indicator, year: what is observed.
        value, unit: the reported value.
        reported_on: when it was reported.
        reported_by: who reported it (for a correction: who corrected it).
        note: free text.
        supersedes: the number of the observation this one corrects, if any.
        reason: why the correction was made (required with ``supersedes``).
    """

    cluster: str
    indicator: str
    year: int = attrs.field(validator=valid_year)
    value: Decimal
    unit: Unit
    reported_on: dt.date
    reported_by: str
    note: str = ""
    supersedes: int | None = None
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        if self.supersedes is not None:
            if self.supersedes < 1:
                yield "supersedes", msg("must be the number of an earlier observation (1 or more)")
            if not self.reason.strip():
                yield "reason", msg("a correction must give its reason")


def in_force(observations: Sequence[Observation], as_of: dt.date) -> tuple[Observation, ...]:
    """The observations reported by ``as_of`` that no correction reported by then replaces.

    ``supersedes`` counts positions in ``observations`` from 1, as a store numbers them.
    Evaluation reads only these, so a corrected value stops counting from the day its
    correction was reported, and counts again for an earlier as-of date.
    """
    replaced = {
        o.supersedes for o in observations if o.supersedes is not None and o.reported_on <= as_of
    }
    return tuple(
        o
        for number, o in enumerate(observations, start=1)
        if o.reported_on <= as_of and number not in replaced
    )
