"""Evaluate a compiled program against a dataset as of a date: pure, exact, explained.

Evaluation gives data (:mod:`clusterkit.lang.results`): outcomes, exact values and
numeric scores. It has no process-wide side effects: arithmetic runs in its own
decimal context, and nothing global is switched on or off.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

from clusterkit._version import __version__
from clusterkit.i18n import N_
from clusterkit.lang.compiled import CompiledRule, CompiledRulebook, Raw
from clusterkit.lang.debug import rewrite_traceback
from clusterkit.lang.program import Program
from clusterkit.lang.results import (
    STATUS,
    Failure,
    Need,
    Outcome,
    Provenance,
    Result,
    ResultSet,
    RulebookRef,
    Standing,
    Verdicts,
)
from clusterkit.lang.runtime.access import entity_key
from clusterkit.lang.runtime.context import CONTEXT, Context, Missing
from clusterkit.model import Dataset, Tranche
from clusterkit.model.dataset import COLLECTIONS, ensure_checked
from clusterkit.serde import unstructure

__all__ = [
    "RuleRun",
    "Select",
    "data_hash",
    "evaluate",
    "provenance",
    "run_rules",
    "verdicts_from",
]

_STATUS = STATUS


def data_hash(dataset: Dataset) -> str:
    """SHA-256 of the dataset's canonical form.

    The canonical form is the dataset information, then each collection's name and
    each of its records, every one as compact JSON with sorted keys (numbers, dates
    and money as exact strings), one per line. It is fed to the hash record by record,
    so a large registry is never held as one string.
    """
    digest = hashlib.sha256()

    def feed(value: object) -> None:
        text = json.dumps(
            unstructure(value), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        digest.update(text.encode("utf-8"))
        digest.update(b"\n")

    feed(dataset.info)
    for name in COLLECTIONS:
        feed(name)
        for record in getattr(dataset, name):
            feed(record)
    for name in sorted(dataset.records):
        feed(name)
        for record in dataset.records_of(name):
            feed(record)
    return digest.hexdigest()


def _need(missing: Missing) -> Need:
    return Need(missing.template, tuple(sorted(missing.params.items())))


def _arithmetic(error: ArithmeticError) -> Need:
    condition = type(error).__name__
    return Need(
        N_("arithmetic within the bounds of exact numbers ({condition})"),
        (("condition", condition),),
    )


class _Run:
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
        """Each entity in scope with what the rule gave it, or an undetermined result."""
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
            raw = self.call(rule, chosen.run, entity, ctx=self.chosen_ctx)
            if isinstance(raw, Need):
                yield Result(chosen.info, self.key(entity), Outcome.UNDETERMINED, needs=raw)
            else:
                yield entity, (chosen, raw)

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
                raw = self.call(rule, rule.run, entity)
                if isinstance(raw, Need):  # not reached: the batch run found the same data
                    need = Result(rule.info, self.key(entity), Outcome.UNDETERMINED, needs=raw)
                    out.append(need)
                else:
                    out.append(self.made(rule, entity, raw))
        return out

    def made(self, chosen: CompiledRule, entity: Any, raw: Raw) -> Result:
        status, values, detail = raw
        failure = None
        if status == "fail" and detail is not None:
            number, left, right = detail
            failure = Failure(chosen.info.requires[number], left, right)
        return Result(chosen.info, self.key(entity), _STATUS[status], values, failure)

    def rule(self, rule: CompiledRule) -> Iterator[Result]:
        for run in self.runs(rule):
            if isinstance(run, Result):
                yield run
                continue
            entity, (chosen, raw) = run
            yield self.made(chosen, entity, raw)

    def score(self, rule: CompiledRule) -> Iterator[Result]:
        scored: list[tuple[Any, Decimal, tuple[Decimal, ...], list[tuple[int, Any]]]] = []
        for run in self.runs(rule):
            if isinstance(run, Result):
                yield run
                continue
            entity, (chosen, (status, values, detail)) = run
            if status != "score":
                # 'when' found the score does not apply to this entity.
                yield Result(chosen.info, self.key(entity), _STATUS[status], values)
                continue
            points, weights = detail
            total = sum((w * v for w, v in zip(weights, points, strict=True)), Decimal(0))
            scored.append((entity, total, tuple(points), values))
        top = rule.top if rule.top is not None else len(scored)
        tie = [rule.criteria.index(name) for name in rule.tie]
        minimum = None
        if rule.minimum is not None:
            minimum = self.call(rule, rule.minimum)
            if isinstance(minimum, Need):
                for entity, _total, _points, values in scored:
                    yield Result(
                        rule.info, self.key(entity), Outcome.UNDETERMINED, values, needs=minimum
                    )
                return
        # Highest total first; ties broken by the named criteria, then by entity id, so
        # the ranking never depends on file order.
        scored.sort(key=lambda s: (-s[1], *(-s[2][i] for i in tie), entity_key(s[0])))
        cutoff = scored[min(top, len(scored)) - 1][1] if scored else None
        total_label, rank_label = rule.score_labels
        for rank, (entity, total, _points, values) in enumerate(scored, start=1):
            selected = rank <= top and (minimum is None or total >= minimum)
            yield Result(
                rule.info,
                self.key(entity),
                Outcome.PASS if selected else Outcome.FAIL,
                (*values, (total_label, total), (rank_label, rank)),
                score=total,
                rank=rank,
                standing=None if selected else Standing(top, minimum, cutoff),
            )


#: Which rules to run: a rulebook in force and one of its rules.
Select = Callable[[CompiledRulebook, CompiledRule], bool]


class RuleRun(NamedTuple):
    """One rule's run: the rulebook, the rule, the context it read and its verdicts."""

    book: CompiledRulebook
    rule: CompiledRule
    ctx: Context
    verdicts: Verdicts


def run_rules(
    program: Program,
    dataset: Dataset,
    as_of: dt.date,
    *,
    select: Select | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[RuleRun], tuple[CompiledRulebook, ...]]:
    """Run the rules in force (those ``select`` takes, if given) in order, without
    checking the dataset; each rule's run, and every rulebook version that gave
    verdicts (for the provenance). What :func:`evaluate` and partitioned evaluation
    (:mod:`clusterkit.distributed`) build on."""
    runs: list[RuleRun] = []
    contexts: dict[str, Context] = {}
    # Every rulebook version that gave a verdict, the ones chosen by an entity's own
    # date ("version as of") included, for the provenance.
    used: dict[str, CompiledRulebook] = {b.path: b for b in program.in_force(as_of)}

    def context(currency: str) -> Context:
        if currency not in contexts:
            contexts[currency] = Context(dataset, as_of, currency)
        return contexts[currency]

    with decimal.localcontext(CONTEXT):
        for book in program.in_force(as_of):

            def versions(
                day: dt.date, rulebook: str = book.id
            ) -> tuple[CompiledRulebook, Context] | None:
                found = program.version_on(rulebook, day)
                if found is None:
                    return None
                used.setdefault(found.path, found)
                return found, context(found.currency)

            run = _Run(book, context(book.currency), versions)
            for rule in book.rules:
                if select is not None and not select(book, rule):
                    continue
                runs.append(RuleRun(book, rule, run.ctx, run.verdicts(rule)))
                if progress is not None:
                    progress(f"{book.id}/{rule.name}")
    return runs, tuple(used.values())


def verdicts_from(
    book: CompiledRulebook,
    rule: CompiledRule,
    ctx: Context,
    *,
    entities: Sequence[Any],
    statuses: Sequence[str | None],
    needs: dict[int, Need],
) -> Verdicts:
    """Verdicts found elsewhere (on a worker, on part of the dataset) for these entities
    of ``ctx``'s dataset; their results are made here, from ``ctx``, when read."""
    run = _Run(book, ctx, lambda day: None)
    return Verdicts(rule.info, entities, statuses, needs, key=run.key, make=partial(run.full, rule))


def provenance(
    dataset: Dataset, as_of: dt.date, books: Sequence[CompiledRulebook], data_sha256: str | None
) -> Provenance:
    """Where results come from: the rulebook versions, the data's hash, the date."""
    return Provenance(
        rulebooks=tuple(
            RulebookRef(
                b.id,
                b.header.version,
                b.path,
                b.header.content_hash,
                b.header.is_schema and not b.rules,
            )
            for b in books
        ),
        data_sha256=data_sha256 or data_hash(dataset),
        dataset=dataset.info.id,
        as_of=as_of,
        clusterkit_version=__version__,
    )


def evaluate(
    program: Program,
    dataset: Dataset,
    as_of: dt.date,
    *,
    data_sha256: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ResultSet:
    """Every rule in force on ``as_of``, on every entity it covers, as data.

    ``progress``, if given, is called with ``rulebook/rule`` after each rule (for a
    progress bar); ``data_sha256`` skips hashing the dataset when it is known.

    A dataset built in Python is checked as a loaded one is (its references, its ids):
    a problem raises :class:`~clusterkit.diagnostics.DiagnosticError`.

    Pure: the same program, dataset and date give the same results, whatever the
    caller's decimal context is. Verdicts are kept as columns and each
    :class:`~clusterkit.lang.results.Result` is made when it is first read.
    """
    ensure_checked(dataset)
    runs, books = run_rules(program, dataset, as_of, progress=progress)
    return ResultSet.from_verdicts(
        [run.verdicts for run in runs], provenance(dataset, as_of, books, data_sha256)
    )
