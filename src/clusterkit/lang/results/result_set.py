"""The result set of one evaluation and its provenance: which rulebook versions ran, on
which data, as of which date. Verdicts are kept as evaluation made them
(:mod:`.verdicts`) and each :class:`~.result.Result` is made when it is read; texts
for people are made by :mod:`.explain` and :mod:`.render` when the set is shown, in
the language chosen then.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import localcontext
from typing import TYPE_CHECKING, Any

import attrs

from clusterkit.i18n import known_language
from clusterkit.lang.results import render
from clusterkit.lang.results.outcome import Outcome
from clusterkit.lang.results.result import Result
from clusterkit.lang.results.verdicts import OUTCOME_OF, STATUS, Verdicts
from clusterkit.lang.runtime.context import CONTEXT

if TYPE_CHECKING:
    from clusterkit.diagnostics import Diagnostic

__all__ = ["Provenance", "ResultSet", "RulebookRef"]


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
            rulebook, rule, outcome = info.rulebook, info.rule, OUTCOME_OF
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

    def select(self, *outcomes: Outcome | str) -> tuple[Result, ...]:
        """The results with one of ``outcomes``, in order; only those are made.

        An outcome may be given by its value (``"fail"``); anything else is a
        :class:`ValueError` rather than an empty answer."""
        chosen = set()
        for given in outcomes:
            try:
                chosen.add(Outcome(given))
            except ValueError:
                known = ", ".join(repr(str(o)) for o in Outcome)
                raise ValueError(f"not an outcome: {given!r} (one of {known})") from None
        wanted = {status for status, outcome in OUTCOME_OF.items() if outcome in chosen}
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
        # Shown in the rules' own decimal context: a caller's lower precision would
        # round the gaps and make babel's quantize fail.
        with localcontext(CONTEXT):
            return render.results_to_json(self, known_language(lang), diagnostics)

    def to_json(self, lang: str = "en", diagnostics: Sequence[Diagnostic] = ()) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(lang, diagnostics), ensure_ascii=False, indent=2)

    def render(self, lang: str = "en", *, show_all: bool = False) -> str:
        """A report for people: provenance, counts, and every verdict that needs attention."""
        with localcontext(CONTEXT):
            return render.render_results(self, known_language(lang), show_all=show_all)
