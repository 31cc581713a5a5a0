"""The verdicts of one rule kept as columns (each entity, its status, what the
undetermined need) until a result is read: evaluation makes no :class:`Result` it
is not asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from clusterkit.lang.outcome import Outcome
from clusterkit.lang.result import Need, Result
from clusterkit.lang.rule_info import RuleInfo

__all__ = ["OUTCOME_OF", "STATUS", "Verdicts"]


#: The outcome of each status a compiled rule gives.
STATUS = {
    "pass": Outcome.PASS,
    "ok": Outcome.PASS,
    "fail": Outcome.FAIL,
    "warning": Outcome.WARNING,
    "breach": Outcome.BREACH,
    "not_applicable": Outcome.NOT_APPLICABLE,
}


OUTCOME_OF: dict[str | None, Outcome] = {None: Outcome.UNDETERMINED}
OUTCOME_OF.update(STATUS)


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
