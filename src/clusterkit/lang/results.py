"""Results are data: a verdict per (rule, entity), the exact values behind it, and the
provenance of the run. Nothing here is in a language: titles are kept in every
language the rule gives, and texts for people are made by :mod:`clusterkit.lang.explain`
when a result is shown, in the language chosen then.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from clusterkit.i18n import translator
from clusterkit.lang import explain as _explain
from clusterkit.lang.check.types import Type
from clusterkit.lang.outcome import Outcome
from clusterkit.lang.rule_info import Label, RequireInfo, RuleInfo, pick_text

if TYPE_CHECKING:
    from clusterkit.diagnostics import Diagnostic

__all__ = [
    "Failure",
    "Label",
    "Need",
    "Outcome",
    "Provenance",
    "RequireInfo",
    "Result",
    "ResultSet",
    "RuleInfo",
    "RulebookRef",
    "Standing",
    "TraceEntry",
    "Verdicts",
    "pick_text",
]


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
        return _explain.raw_text(self.exact)

    def text(self, lang: str = "en") -> str:
        """The value for people, in its unit (``33.6 mln KZT``, ``30 %``)."""
        return _explain.entry_text(self, lang)


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
        return _explain.threshold_text(self, lang)

    def gap(self, lang: str = "en") -> str | None:
        """How far from passing, in words (``3.1 mln KZT short of ...``)."""
        return _explain.gap_text(self, lang)

    def explain(self, lang: str = "en") -> str:
        """One paragraph a minister can read, in ``lang``."""
        return _explain.explain(self, lang)


@attrs.frozen
class RulebookRef:
    """Which rulebook version ran: its id, version, file and content hash (``schema``:
    a file of declarations only, which gives no verdicts)."""

    id: str
    version: str
    path: str
    sha256: str
    schema: bool = False


@attrs.frozen
class Provenance:
    """Where a result set comes from, so a verdict can be shown again exactly."""

    rulebooks: tuple[RulebookRef, ...]
    data_sha256: str
    dataset: str
    as_of: dt.date
    clusterkit_version: str


#: The outcome of each status a compiled rule gives.
STATUS = {
    "pass": Outcome.PASS,
    "ok": Outcome.PASS,
    "fail": Outcome.FAIL,
    "warning": Outcome.WARNING,
    "breach": Outcome.BREACH,
    "not_applicable": Outcome.NOT_APPLICABLE,
}


_OUTCOME_OF: dict[str | None, Outcome] = {None: Outcome.UNDETERMINED}
_OUTCOME_OF.update(STATUS)


class Verdicts:
    """The verdicts of one rule, kept as columns until a result is read.

    Evaluation fills one of these per rule with only what a verdict needs: each
    entity judged, its status (None when undetermined) and, for the undetermined, what
    data is needed. A :class:`Result`, with its trace and failed comparison, is made
    only when read, by ``make`` (which runs the rule again on those entities: rules
    are pure, so it gives the same values), and then kept; reading them all makes them
    in one go.

    Results already made (a score's, which ranks every entity at once) are kept as
    they are: :meth:`of`; their ``info`` is None.
    """

    __slots__ = ("_key", "_keys", "_make", "_results", "entities", "info", "needs", "statuses")

    def __init__(
        self,
        info: RuleInfo | None,
        entities: Sequence[Any],
        statuses: Sequence[str | None],
        needs: dict[int, Need],
        *,
        key: Callable[[Any], str],
        make: Callable[[Sequence[Any]], list[Result]],
    ) -> None:
        self.info = info
        self.entities = entities
        self.statuses = statuses
        self.needs = needs
        self._key = key
        self._make = make
        self._keys: list[str] | None = None
        self._results: list[Result | None] | None = None

    @classmethod
    def of(cls, results: Sequence[Result]) -> Verdicts:
        """Results already made, kept as they are."""
        statuses = [None if r.outcome is Outcome.UNDETERMINED else r.outcome.value for r in results]
        block = cls(None, (), statuses, {}, key=str, make=_unreachable)
        block._results = list(results)
        block._keys = [r.entity for r in results]
        return block

    def __len__(self) -> int:
        return len(self.statuses)

    def outcome(self, index: int) -> Outcome:
        status = self.statuses[index]
        return Outcome.UNDETERMINED if status is None else STATUS[status]

    def keys(self) -> list[str]:
        """Each verdict's entity, as :attr:`Result.entity` gives it."""
        if self._keys is None:
            try:  # most entities are named by their id, as the key function would
                keys: list[Any] | None = [entity.id for entity in self.entities]
            except AttributeError:
                keys = None
            if keys is None or not all(k.__class__ is str for k in keys):
                key = self._key
                keys = [key(entity) for entity in self.entities]
            self._keys = keys
        return self._keys

    def result(self, index: int) -> Result:
        if self._results is None:
            self._results = [None] * len(self.statuses)
        made = self._results[index]
        if made is None:
            self._fill([index])
            made = self._results[index]
            assert made is not None
        return made

    def make(self, indexes: Sequence[int]) -> None:
        """Make the results at ``indexes`` not made yet, in one go."""
        results = self._results
        missing = indexes if results is None else [i for i in indexes if results[i] is None]
        if missing:
            self._fill(missing)

    def _fill(self, indexes: Sequence[int]) -> None:
        if self._results is None:
            self._results = [None] * len(self.statuses)
        results, entities, needs, info = self._results, self.entities, self.needs, self.info
        judged = [i for i in indexes if i not in needs]
        for index, made in zip(judged, self._make([entities[i] for i in judged]), strict=True):
            results[index] = made
        if info is not None:
            for index in indexes:
                need = needs.get(index)
                if need is not None:
                    key = self._key(entities[index])
                    results[index] = Result(info, key, Outcome.UNDETERMINED, needs=need)

    def __iter__(self) -> Iterator[Result]:
        if self._results is None or None in self._results:
            results = self._results
            self._fill(
                [i for i in range(len(self.statuses)) if results is None or results[i] is None]
            )
        assert self._results is not None
        return iter(self._results)  # type: ignore[arg-type]


def _unreachable(entities: Sequence[Any]) -> list[Result]:
    raise AssertionError("a result made already is never made again")


@attrs.frozen(slots=False)
class ResultSet:
    """All verdicts of one evaluation, and its provenance.

    Evaluation keeps verdicts as columns (:class:`Verdicts`), and a :class:`Result` is
    made when it is read: counting outcomes (:meth:`by_outcome`), :meth:`verdicts` and
    ``len()`` make none; :attr:`failed` and :meth:`find` make only those they return;
    :attr:`results` (and iterating) makes them all, once.

    Attributes:
        results: every result, in order (rulebook, rule, entity).
        provenance: where the results come from.
    """

    results: tuple[Result, ...]
    provenance: Provenance
    if TYPE_CHECKING:  # set apart from attrs' fields: not compared, not shown
        _blocks: tuple[Verdicts, ...]

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_blocks", (Verdicts.of(self.results),))

    @classmethod
    def from_verdicts(cls, blocks: Sequence[Verdicts], provenance: Provenance) -> ResultSet:
        """A result set over columns of verdicts (what evaluation makes); its results
        are made when first read."""
        made = cls.__new__(cls)
        object.__setattr__(made, "_blocks", tuple(blocks))
        object.__setattr__(made, "provenance", provenance)
        return made

    def __getattr__(self, name: str) -> Any:
        # Only reached while ``results`` is not made yet (attributes set are found
        # before this is asked).
        if name != "results" or "_blocks" not in self.__dict__:
            raise AttributeError(name)
        results = tuple(r for block in self._blocks for r in block)
        object.__setattr__(self, "results", results)
        return results

    def __reduce__(self) -> tuple[type[ResultSet], tuple[tuple[Result, ...], Provenance]]:
        return (ResultSet, (self.results, self.provenance))

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results)

    def __len__(self) -> int:
        return sum(len(block) for block in self._blocks)

    def verdicts(self) -> list[tuple[str, str, str, Outcome]]:
        """``(rulebook, rule, entity, outcome)`` of each result, in order, without making
        the results (no trace is computed)."""
        out: list[tuple[str, str, str, Outcome]] = []
        for block in self._blocks:
            info = block.info
            if info is None:
                out.extend((r.rulebook, r.rule, r.entity, r.outcome) for r in block)
                continue
            rulebook, rule, outcome = info.rulebook, info.rule, _OUTCOME_OF
            out.extend(
                (rulebook, rule, entity, outcome[status])
                for entity, status in zip(block.keys(), block.statuses, strict=True)
            )
        return out

    def by_outcome(self) -> dict[Outcome, int]:
        counts = dict.fromkeys(Outcome, 0)
        for block in self._blocks:
            for status, count in Counter(block.statuses).items():
                counts[Outcome.UNDETERMINED if status is None else STATUS[status]] += count
        return counts

    @property
    def failed(self) -> tuple[Result, ...]:
        return self.select(Outcome.FAIL, Outcome.BREACH)

    def select(self, *outcomes: Outcome) -> tuple[Result, ...]:
        """The results with one of ``outcomes``, in order; only those are made."""
        wanted = {status for status, outcome in _OUTCOME_OF.items() if outcome in outcomes}
        out: list[Result] = []
        for block in self._blocks:
            statuses = block.statuses
            indexes = [i for i, status in enumerate(statuses) if status in wanted]
            if indexes:
                block.make(indexes)
                out.extend(block.result(i) for i in indexes)
        return tuple(out)

    def find(self, rule: str, entity: str | None = None) -> tuple[Result, ...]:
        out: list[Result] = []
        for block in self._blocks:
            if block.info is None:
                out.extend(
                    r for r in block if r.rule == rule and (entity is None or r.entity == entity)
                )
            elif block.info.rule == rule:
                keys = block.keys()
                out.extend(
                    block.result(i)
                    for i in range(len(block))
                    if entity is None or keys[i] == entity
                )
        return tuple(out)

    def to_dict(self, lang: str = "en", diagnostics: Sequence[Diagnostic] = ()) -> dict[str, Any]:
        """The results as JSON-ready data (schema ``clusterkit.results/1``), texts in ``lang``."""
        return _explain.results_to_json(self, lang, diagnostics)

    def to_json(self, lang: str = "en", diagnostics: Sequence[Diagnostic] = ()) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(lang, diagnostics), ensure_ascii=False, indent=2)

    def render(self, lang: str = "en", *, show_all: bool = False) -> str:
        """A report for people: provenance, counts, and every verdict that needs attention."""
        return _explain.render_results(self, lang, show_all=show_all)
