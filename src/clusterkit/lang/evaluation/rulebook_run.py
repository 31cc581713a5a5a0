"""One rulebook's run: what its compiled rules give, turned into verdicts.

A rule with a batch function gives a column of statuses (:class:`Verdicts`), each
full result made when read; scores and rules judged by the version in force on each
entity's own date (``version as of``) run entity by entity. Data a rule lacks and
arithmetic beyond the bounds of exact numbers make a verdict undetermined, naming what
it needs; any other error is a bug, shown at the rule file's line. Scores are ranked
here: highest total first, ties broken by the named criteria, then by entity id.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from clusterkit.i18n import N_
from clusterkit.lang.compile.compiled import CompiledRule, CompiledRulebook, Raw
from clusterkit.lang.evaluation.debug import rewrite_traceback
from clusterkit.lang.results.outcome import Outcome
from clusterkit.lang.results.result import Failure, Need, Result, Standing
from clusterkit.lang.results.verdicts import STATUS, Verdicts
from clusterkit.lang.runtime.access import entity_key
from clusterkit.lang.runtime.context import CONTEXT, Context, Missing
from clusterkit.model import Tranche

__all__ = ["RulebookRun"]

_STATUS = STATUS

# A scored entity: its total, its points by criterion, its trace, the bases it read.
_Scored = tuple[
    Any, Decimal, tuple[Decimal, ...], list[tuple[int, Any]], tuple[tuple[str, str, str], ...]
]


def _need(missing: Missing) -> Need:
    return Need(missing.template, tuple(sorted(missing.params.items())))


def _arithmetic(error: ArithmeticError) -> Need:
    condition = type(error).__name__
    return Need(
        N_("arithmetic within the bounds of exact numbers ({condition})"),
        (("condition", condition),),
    )


class RulebookRun:
    """One rulebook's evaluation: turns what the compiled rules give into results.

    ``versions`` gives the version of the rulebook in force on a date, with the
    context for its currency: a rule with ``version as of`` judges each entity by the
    version in force on the entity's own date.
    """

    def __init__(
        self,
        book: CompiledRulebook,
        ctx: Context,
        versions: Callable[[dt.date], tuple[CompiledRulebook, Context] | None],
    ) -> None:
        self.book = book
        self.ctx = ctx
        self.versions = versions
        self.chosen_ctx = ctx

    def key(self, entity: Any) -> str:
        key = getattr(entity, "id", None)
        if key.__class__ is str:  # most entities: as entity_key gives it, sooner
            return key
        if entity is None:
            return self.ctx.data.info.id
        if isinstance(entity, Tranche):
            project = self.ctx.parent(entity)
            owner = entity_key(project) if project is not None else "?"
            return f"{owner}/tranche {entity.number}"
        return entity_key(entity)

    def call(
        self, rule: CompiledRule, fn: Callable[..., Any], *args: Any, ctx: Context | None = None
    ) -> Any:
        """Call a generated function; data it lacks or arithmetic out of bounds become a
        :class:`Need`, anything else is a bug shown at the rule file's line."""
        try:
            return fn(ctx or self.ctx, *args)
        except Missing as missing:
            return _need(missing)
        except ArithmeticError as error:
            return _arithmetic(error)
        except Exception as error:
            raise rewrite_traceback(error, self.book) from None

    def runs(self, rule: CompiledRule) -> Iterator[Result | tuple[Any, Any]]:
        """Each entity in scope with what the rule gave it and the bases of the dated
        parameters' values it read, or an undetermined result."""
        entities = self.call(rule, rule.entities)
        if isinstance(entities, Need):
            yield Result(rule.info, self.ctx.data.info.id, Outcome.UNDETERMINED, needs=entities)
            return
        for entity in entities:
            if rule.where is not None:
                scope = self.call(rule, rule.where, entity)
                if isinstance(scope, Need):
                    yield Result(rule.info, self.key(entity), Outcome.UNDETERMINED, needs=scope)
                    continue
                if not scope:
                    continue
            chosen = self.chosen(rule, entity)
            if isinstance(chosen, Result):
                yield chosen
                continue
            ctx = self.chosen_ctx
            ctx.noted.clear()
            raw = self.call(rule, chosen.run, entity, ctx=ctx)
            read = tuple(ctx.noted)
            if isinstance(raw, Need):
                yield Result(
                    chosen.info, self.key(entity), Outcome.UNDETERMINED, needs=raw, bases_read=read
                )
            else:
                yield entity, (chosen, raw, read)

    def chosen(self, rule: CompiledRule, entity: Any) -> CompiledRule | Result:
        """The rule that judges ``entity``: the version in force on its own date when the
        rule says ``version as of``, else the rule itself."""
        self.chosen_ctx = self.ctx
        if rule.version_by is None:
            return rule
        day = self.call(rule, rule.version_by, entity)
        if isinstance(day, Need):
            return Result(rule.info, self.key(entity), Outcome.UNDETERMINED, needs=day)
        found = self.versions(day)
        if found is None:
            need = Need(
                N_("a version of {rulebook} in force on {date}"),
                (("date", day.isoformat()), ("rulebook", self.book.id)),
            )
            return Result(rule.info, self.key(entity), Outcome.UNDETERMINED, needs=need)
        book, ctx = found
        same = next((r for r in book.rules if r.name == rule.name), None)
        if same is None:
            return Result(rule.info, self.key(entity), Outcome.NOT_APPLICABLE)
        self.chosen_ctx = ctx
        return same

    def verdicts(self, rule: CompiledRule) -> Verdicts:
        """The rule's verdicts as columns: statuses only, from its batch function, each
        result made when read (:meth:`full`); scores and rules judged by the version
        in force on each entity's date run entity by entity."""
        if rule.batch is None:
            return Verdicts.of(list(self.score(rule) if rule.kind == "score" else self.rule(rule)))
        entities = self.call(rule, rule.entities)
        if isinstance(entities, Need):
            undetermined = Result(
                rule.info, self.ctx.data.info.id, Outcome.UNDETERMINED, needs=entities
            )
            return Verdicts.of([undetermined])
        kept: list[Any] = []
        statuses: list[str | None] = []
        errors: dict[int, Exception] = {}
        rule.batch(self.ctx, entities, kept, statuses, errors)
        needs: dict[int, Need] = {}
        for index, error in errors.items():
            if isinstance(error, Missing):
                needs[index] = _need(error)
            elif isinstance(error, ArithmeticError):
                needs[index] = _arithmetic(error)
            else:
                raise rewrite_traceback(error, self.book) from None
        return Verdicts(
            rule.info,
            kept if rule.where is not None else entities,
            statuses,
            needs,
            key=self.key,
            make=partial(self.full, rule),
        )

    def full(self, rule: CompiledRule, entities: Sequence[Any]) -> list[Result]:
        """The full results of ``rule`` on these entities: traces, failed comparisons."""
        out = []
        with decimal.localcontext(CONTEXT):
            for entity in entities:
                self.ctx.noted.clear()
                raw = self.call(rule, rule.run, entity)
                if isinstance(raw, Need):  # not reached: the batch run found the same data
                    need = Result(rule.info, self.key(entity), Outcome.UNDETERMINED, needs=raw)
                    out.append(need)
                else:
                    out.append(self.made(rule, entity, raw, tuple(self.ctx.noted)))
        return out

    def made(
        self, chosen: CompiledRule, entity: Any, raw: Raw, read: tuple[tuple[str, str, str], ...]
    ) -> Result:
        status, values, detail = raw
        failure = None
        if status == "fail" and detail is not None:
            number, left, right = detail
            failure = Failure(chosen.info.requires[number], left, right)
        return Result(
            chosen.info, self.key(entity), _STATUS[status], values, failure, bases_read=read
        )

    def rule(self, rule: CompiledRule) -> Iterator[Result]:
        for run in self.runs(rule):
            if isinstance(run, Result):
                yield run
                continue
            entity, (chosen, raw, read) = run
            yield self.made(chosen, entity, raw, read)

    def score(self, rule: CompiledRule) -> Iterator[Result]:
        scored: list[_Scored] = []
        for run in self.runs(rule):
            if isinstance(run, Result):
                yield run
                continue
            entity, (chosen, (status, values, detail), read) = run
            if status != "score":
                # 'when' found the score does not apply to this entity.
                yield Result(
                    chosen.info, self.key(entity), _STATUS[status], values, bases_read=read
                )
                continue
            points, weights = detail
            total = sum((w * v for w, v in zip(weights, points, strict=True)), Decimal(0))
            scored.append((entity, total, tuple(points), values, read))
        top = rule.top if rule.top is not None else len(scored)
        tie = [rule.criteria.index(name) for name in rule.tie]
        minimum = None
        if rule.minimum is not None:
            minimum = self.call(rule, rule.minimum)
            if isinstance(minimum, Need):
                for entity, _total, _points, values, read in scored:
                    yield Result(
                        rule.info,
                        self.key(entity),
                        Outcome.UNDETERMINED,
                        values,
                        needs=minimum,
                        bases_read=read,
                    )
                return
        # Highest total first; ties broken by the named criteria, then by entity id, so
        # the ranking never depends on file order.
        scored.sort(key=lambda s: (-s[1], *(-s[2][i] for i in tie), entity_key(s[0])))
        cutoff = scored[min(top, len(scored)) - 1][1] if scored else None
        total_label, rank_label = rule.score_labels
        for rank, (entity, total, _points, values, read) in enumerate(scored, start=1):
            selected = rank <= top and (minimum is None or total >= minimum)
            yield Result(
                rule.info,
                self.key(entity),
                Outcome.PASS if selected else Outcome.FAIL,
                (*values, (total_label, total), (rank_label, rank)),
                score=total,
                rank=rank,
                standing=None if selected else Standing(top, minimum, cutoff),
                bases_read=read,
            )
