"""Figures as a source document publishes them, kept so rules can check them."""

from __future__ import annotations

import attrs

from clusterkit.messages import msg
from clusterkit.model.common import Declared, LocalizedText, check_identifier, raise_problems
from clusterkit.money import Money
from clusterkit.units import Measure

__all__ = ["StatedFigure", "SupportBenchmark"]


@attrs.frozen
class StatedFigure(Declared):
    """A published figure (a total, a percentage) exactly as stated.

    A stated figure is exact only to its last digit: ``264.9 bn KZT`` means some
    value in [264.85, 264.95) bn. Rules compare such figures with their data with
    that precision (see the rules language's ``~=`` and ``stated`` comparisons).

    Attributes:
        id: identifier, unique in a dataset.
        value: the figure as stated, with its unit.
        description: what it is.
        source: where it is published (document, page or slide).
    """

    id: str
    value: Measure
    description: LocalizedText
    source: str = ""

    def __attrs_post_init__(self) -> None:
        raise_problems(check_identifier("id", self.id))


@attrs.frozen
class SupportBenchmark(Declared):
    """A level of state support for clusters abroad, as a source cites it.

    Attributes:
        low, high: the range (equal for a single figure), in the country's currency.
        basis: what it is per ("cluster per year", "project").
        country: the country, when the source names it.
        note: anything else the source says.
    """

    low: Money
    high: Money
    basis: str
    country: str = ""
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if self.high.currency != self.low.currency or self.high < self.low:
            raise_problems(iter([("high", msg("must be in the currency of low and not below it"))]))
