"""What every verdict of a rule shares, made once when the rule is compiled: its
names, titles in every language, legal source, basis, trace labels and ``require``
steps. Re-exported by :mod:`clusterkit.lang.results`."""

from __future__ import annotations

import attrs

from clusterkit.lang.results.outcome import Outcome
from clusterkit.lang.types.value_types import Type

__all__ = ["Label", "RequireInfo", "RuleInfo", "pick_text"]


def pick_text(entries: tuple[tuple[str, str], ...], lang: str, fallback: str = "") -> str:
    """The entry in ``lang``, else in English, Russian or Kazakh, else ``fallback``."""
    table = dict(entries)
    return table.get(lang) or table.get("en") or table.get("ru") or table.get("kk") or fallback


@attrs.frozen
class Label:
    """What a value in a trace is: its text in the rule, its role, and its type."""

    text: str
    role: str
    type: Type | None


@attrs.frozen
class RequireInfo:
    """A ``require`` step: its text, and for a single comparison its sides."""

    text: str
    op: str | None
    left: str
    right: str
    type: Type | None
    within: bool


@attrs.frozen
class RuleInfo:
    """What every verdict of one rule shares, made once when the rule is compiled.

    Attributes:
        rulebook, version, path: the rulebook that holds the rule.
        rule, kind: its name and kind (rule, monitor, score).
        entity_kind: what it judges (``project``), ``dataset`` for rules without ``for each``.
        titles, messages: ``(language, text)`` pairs as the rule gives them.
        source: the legal source.
        currency: the rulebook's currency, the unit of its money values.
        labels: what each value of a trace is.
        requires: the rule's ``require`` steps, in order.
        outcome_labels: ``(outcome, ((language, text), ...))``: what the rule calls its
            outcomes for people (``valid``/``expired``); the outcome itself stays
            pass or fail.
        basis: what the rule rests on: ``(kind, note)`` with kind ``source``,
            ``inferred`` or ``illustrative`` (the rule's own, else its rulebook's).
        parameters: the consts and parameters the rule reads, each ``(name, kind,
            note)`` with its stated basis (kind ``""`` when none is stated); for a
            dated parameter whose values rest on different bases, the parameter's
            own (a verdict's :attr:`~clusterkit.lang.results.Result.parameters` has
            the basis of the value it read).
    """

    rulebook: str
    version: str
    path: str
    rule: str
    kind: str
    entity_kind: str
    titles: tuple[tuple[str, str], ...] = ()
    messages: tuple[tuple[str, str], ...] = ()
    source: str = ""
    currency: str = ""
    labels: tuple[Label, ...] = ()
    requires: tuple[RequireInfo, ...] = ()
    outcome_labels: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    basis: tuple[str, str] | None = None
    parameters: tuple[tuple[str, str, str], ...] = ()

    def title(self, lang: str = "en") -> str:
        return pick_text(self.titles, lang, self.rule)

    def outcome_label(self, outcome: Outcome, lang: str = "en") -> str | None:
        """What the rule calls ``outcome`` for people in ``lang``, if it names it."""
        names = {outcome.value, "ok"} if outcome is Outcome.PASS else {outcome.value}
        for name, entries in self.outcome_labels:
            if name in names:
                return pick_text(entries, lang) or None
        return None

    def message(self, lang: str = "en") -> str:
        return pick_text(self.messages, lang)
