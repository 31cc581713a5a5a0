"""One verdict: the result of one rule on one entity, and the exact values behind it
(its trace, the comparison that failed, the data it needs, its score). Nothing here is
in a language: texts for people are made by :mod:`clusterkit.lang.results.explain` when a
result is shown, in the language chosen then."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext
from typing import Any

import attrs

from clusterkit.i18n import known_language, translator
from clusterkit.lang.results import display
from clusterkit.lang.results import explain as _explain
from clusterkit.lang.results.outcome import Outcome
from clusterkit.lang.results.rule_info import RequireInfo, RuleInfo
from clusterkit.lang.runtime.context import CONTEXT
from clusterkit.lang.types.value_types import Type

__all__ = ["Failure", "Need", "Result", "Standing", "TraceEntry"]


@attrs.frozen
class TraceEntry:
    """One value behind a verdict, exact.

    Attributes:
        label: what it is, as written in the rule (``p.cluster_amount``, ``share``).
        role: ``let``, ``left``, ``right``, ``criterion``, ``total``, ``rank``.
        exact: the value itself: a Decimal in base units (tenge, 0.30 for 30 %), an
            :class:`~clusterkit.lang.runtime.Interval` for ``within precision``, a
            date, text, yes/no.
        type: its language type, which gives its unit.
        currency: the rulebook's currency.
    """

    label: str
    role: str
    exact: Any
    type: Type | None = None
    currency: str = ""

    @property
    def raw(self) -> str:
        """The exact value as text (``[low, high]`` for an interval)."""
        return display.raw_text(self.exact)

    def text(self, lang: str = "en") -> str:
        """The value for people, in its unit (``33.6 mln KZT``, ``30 %``)."""
        with localcontext(CONTEXT):
            return display.entry_text(self, lang)


@attrs.frozen
class Need:
    """What data an undetermined verdict needs: an English phrase (a message id) and
    the values that fill it, translated when shown."""

    template: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str = "en") -> str:
        return translator(lang)(self.template).format(**dict(self.params))


@attrs.frozen
class Failure:
    """A failed ``require`` comparison: which one, and its two values (intervals for
    ``within precision``)."""

    require: RequireInfo
    left: Any
    right: Any


@attrs.frozen
class Standing:
    """Why a scored entity was not selected: the number selected, the minimum score if
    any, and the score of the last one selected."""

    top: int
    minimum: Decimal | None
    cutoff: Decimal | None


@attrs.frozen
class Result:
    """The verdict of one rule on one entity, and the values behind it.

    Attributes:
        info: the rule (its rulebook, name, titles, source, ...).
        entity: what it judged (``project-milk-akmola``); the dataset's id for rules
            without ``for each``.
        outcome: pass, fail, warning, breach, not applicable, or undetermined.
        values: the trace as ``(label index, exact value)`` pairs; see :attr:`trace`.
        failure: for a failed comparison, the comparison and its two values.
        needs: for undetermined, what data is missing.
        score, rank, standing: for scores: the weighted total, the rank, and why it
            was not selected.
        bases_read: ``(name, kind, note)`` of each value of a dated parameter the
            verdict read, when the parameter's values rest on different bases: the
            basis of the value in force on the date it was read as of.
    """

    info: RuleInfo
    entity: str
    outcome: Outcome
    values: Sequence[tuple[int, Any]] = ()
    failure: Failure | None = None
    needs: Need | None = None
    score: Decimal | None = None
    rank: int | None = None
    standing: Standing | None = None
    bases_read: tuple[tuple[str, str, str], ...] = ()

    @property
    def parameters(self) -> tuple[tuple[str, str, str], ...]:
        """The consts and parameters the rule reads, ``(name, kind, note)`` with their
        basis (kind ``""`` when none is stated): for a dated parameter whose values
        rest on different bases, the basis of each value this verdict read."""
        if not self.bases_read:
            return self.info.parameters
        read: dict[str, list[tuple[str, str, str]]] = {}
        for entry in self.bases_read:
            read.setdefault(entry[0], []).append(entry)
        out: list[tuple[str, str, str]] = []
        for entry in self.info.parameters:
            out.extend(read.get(entry[0], [entry]))
        return tuple(out)

    @property
    def rulebook(self) -> str:
        return self.info.rulebook

    @property
    def version(self) -> str:
        return self.info.version

    @property
    def rule(self) -> str:
        return self.info.rule

    @property
    def kind(self) -> str:
        return self.info.kind

    @property
    def entity_kind(self) -> str:
        return self.info.entity_kind

    @property
    def source(self) -> str:
        return self.info.source

    @property
    def trace(self) -> tuple[TraceEntry, ...]:
        """The values read and computed, in the order the rule computed them."""
        labels, currency = self.info.labels, self.info.currency
        return tuple(
            TraceEntry(labels[i].text, labels[i].role, value, labels[i].type, currency)
            for i, value in self.values
        )

    def title(self, lang: str = "en") -> str:
        return self.info.title(lang)

    def label(self, lang: str = "en") -> str:
        """The verdict for people: the rule's own name for it (``valid``), else the
        outcome's (``pass``)."""
        return self.info.outcome_label(self.outcome, lang) or self.outcome.text(lang)

    def message(self, lang: str = "en") -> str:
        return self.info.message(lang)

    def threshold(self, lang: str = "en") -> str | None:
        """What was required, with both values (``p.x >= 30 % * p.budget (29 … >= 30 …)``)."""
        with localcontext(CONTEXT):  # not the caller's: see clusterkit.lang.results.display
            return _explain.threshold_text(self, known_language(lang))

    def gap(self, lang: str = "en") -> str | None:
        """How far from passing, in words (``3.1 mln KZT short of ...``)."""
        with localcontext(CONTEXT):  # not the caller's: see clusterkit.lang.results.display
            return _explain.gap_text(self, known_language(lang))

    def explain(self, lang: str = "en") -> str:
        """One paragraph a minister can read, in ``lang``."""
        with localcontext(CONTEXT):  # not the caller's: see clusterkit.lang.results.display
            return _explain.explain(self, known_language(lang))
