"""What the built-in reporters share: localized labels and value formatting."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs

from clusterkit import Outcome, Result
from clusterkit.formatting import format_money, format_number, format_percent
from clusterkit.i18n import translator
from clusterkit.money import Money
from clusterkit.numbers import SCALE_NAMES, shift
from clusterkit.plugins import PLUGIN_API, ReportContext
from clusterkit.tables import IndicatorTable, Tables, build_tables
from clusterkit.units import Measure, Unit

__all__ = ["Labels", "Reporter", "labels_for"]


@attrs.frozen
class Labels:
    """Translated words and formatters for one language."""

    lang: str
    gettext: Callable[[str], str]

    def _(self, message: str) -> str:
        return self.gettext(message)

    def indicator(self, table: IndicatorTable) -> str:
        names = {
            "output": self._("Output"),
            "exports": self._("Exports"),
            "tax_revenue": self._("Tax revenues"),
            "labour_productivity": self._("Labour productivity"),
        }
        return names.get(table.indicator, table.title or table.indicator)

    def outcome(self, outcome: Outcome) -> str:
        return outcome.text(self.lang)

    def value(self, value: Decimal | None, unit: Unit) -> str:
        """A table value in its unit: ``66,740 mln KZT``, ``66 740 млн ₸``."""
        if value is None:
            return "—"
        if unit.is_money and unit.per is None:
            return format_money(
                Money(shift(value, unit.scale), unit.base),
                self.lang,
                SCALE_NAMES.get(unit.scale, ""),
            )
        text = format_number(value, self.lang)
        return f"{text} {unit}" if str(unit) != "1" else text

    def percent(self, ratio: Decimal | None, digits: int = 0) -> str:
        if ratio is None:
            return "—"
        quantum = Decimal(1).scaleb(-digits)
        return format_percent((ratio * 100).quantize(quantum), self.lang)

    def measure(self, measure: Measure | None) -> str:
        if measure is None:
            return "—"
        if measure.unit.is_money:
            return format_money(Money(measure.value, measure.unit.base), self.lang)
        return format_number(measure.value, self.lang)

    def money(self, money: Money) -> str:
        return format_money(money, self.lang, "mln")

    def explanation(self, result: Result) -> str:
        """One line: the message, what was required, how far, or what is missing."""
        parts = []
        message = result.message(self.lang)
        if result.outcome in (Outcome.FAIL, Outcome.BREACH, Outcome.WARNING) and message:
            parts.append(message)
        gap = result.gap(self.lang)
        if gap:
            parts.append(gap)
        if result.needs is not None:
            parts.append(self._("needs {what}").format(what=result.needs.text(self.lang)))
        if result.score is not None:
            score = format_number(result.score, self.lang)
            parts.append(self._("score {score}, rank {rank}").format(score=score, rank=result.rank))
        return "; ".join(parts)


def labels_for(lang: str) -> Labels:
    return Labels(lang, translator(lang))


class Reporter:
    """Base of the built-in reporters: subclasses set the names and write ``render``."""

    name = ""
    description = ""
    suffix = ""
    api_version = PLUGIN_API

    def render(self, context: ReportContext) -> str:
        raise NotImplementedError

    @staticmethod
    def tables(context: ReportContext) -> Tables:
        return build_tables(context.dataset, context.lang)

    @staticmethod
    def attention(context: ReportContext) -> list[Result]:
        """The verdicts a reader must see: everything but passes and not-applicables."""
        if context.results is None:
            return []
        quiet = (Outcome.PASS, Outcome.NOT_APPLICABLE)
        return [r for r in context.results.results if r.outcome not in quiet]
