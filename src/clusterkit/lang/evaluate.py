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
from typing import Any

from clusterkit._version import __version__
from clusterkit.lang.compiled import CompiledRule, CompiledRulebook
from clusterkit.lang.debug import rewrite_traceback
from clusterkit.lang.program import Program
from clusterkit.lang.results import (
    Failure,
    Need,
    Outcome,
    Provenance,
    Result,
    ResultSet,
    RulebookRef,
    Standing,
)
from clusterkit.lang.runtime.access import entity_key
from clusterkit.lang.runtime.context import CONTEXT, Context, Missing
from clusterkit.model import Dataset, Tranche
from clusterkit.model.dataset import COLLECTIONS, ensure_checked
from clusterkit.serde import unstructure

__all__ = ["data_hash", "evaluate"]

_STATUS = {
    "pass": Outcome.PASS,
    "ok": Outcome.PASS,
    "fail": Outcome.FAIL,
    "warning": Outcome.WARNING,
    "breach": Outcome.BREACH,
    "not_applicable": Outcome.NOT_APPLICABLE,
}


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
        "arithmetic within the bounds of exact numbers ({condition})", (("condition", condition),)
    )


class _Run:
    """One rulebook's evaluation: turns what the compiled rules give into results."""

    def __init__(self, book: CompiledRulebook, ctx: Context) -> None:
        self.book = book
        self.ctx = ctx

    def key(self, entity: Any) -> str:
        if entity is None:
            return self.ctx.data.info.id
        if isinstance(entity, Tranche):
            project = self.ctx.parent(entity)
            owner = entity_key(project) if project is not None else "?"
            return f"{owner}/tranche {entity.number}"
        return entity_key(entity)

    def call(self, rule: CompiledRule, fn: Callable[..., Any], *args: Any) -> Any:
        """Call a generated function; data it lacks or arithmetic out of bounds become a
        :class:`Need`, anything else is a bug shown at the rule file's line."""
        try:
            return fn(self.ctx, *args)
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
            raw = self.call(rule, rule.run, entity)
            if isinstance(raw, Need):
                yield Result(rule.info, self.key(entity), Outcome.UNDETERMINED, needs=raw)
            else:
                yield entity, raw

    def rule(self, rule: CompiledRule) -> Iterator[Result]:
        info = rule.info
        for run in self.runs(rule):
            if isinstance(run, Result):
                yield run
                continue
            entity, (status, values, detail) = run
            failure = None
            if status == "fail" and detail is not None:
                number, left, right = detail
                failure = Failure(info.requires[number], left, right)
            yield Result(info, self.key(entity), _STATUS[status], values, failure)

    def score(self, rule: CompiledRule) -> Iterator[Result]:
        scored: list[tuple[Any, Decimal, tuple[Decimal, ...], list[tuple[int, Any]]]] = []
        for run in self.runs(rule):
            if isinstance(run, Result):
                yield run
                continue
            entity, (_, values, (points, weights)) = run
            total = sum((w * v for w, v in zip(weights, points, strict=True)), Decimal(0))
            scored.append((entity, total, tuple(points), values))
        select = rule.node.select
        top = select.top if select is not None else len(scored)
        tie = [rule.criteria.index(name) for name in (select.tie if select else ())]
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


def _run_books(
    books: Sequence[CompiledRulebook],
    dataset: Dataset,
    as_of: dt.date,
    progress: Callable[[str], None] | None,
) -> list[Result]:
    results: list[Result] = []
    contexts: dict[str, Context] = {}
    for book in books:
        currency = book.checked.currency
        if currency not in contexts:
            contexts[currency] = Context(dataset, as_of, currency)
        run = _Run(book, contexts[currency])
        for rule in book.rules:
            results.extend(run.score(rule) if rule.kind == "score" else run.rule(rule))
            if progress is not None:
                progress(f"{book.id}/{rule.name}")
    return results


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
    caller's decimal context is.
    """
    ensure_checked(dataset)
    books = program.in_force(as_of)
    with decimal.localcontext(CONTEXT):
        results = _run_books(books, dataset, as_of, progress)
    provenance = Provenance(
        rulebooks=tuple(
            RulebookRef(b.id, b.checked.file.header.version, b.checked.path, b.checked.content_hash)
            for b in books
        ),
        data_sha256=data_sha256 or data_hash(dataset),
        dataset=dataset.info.id,
        as_of=as_of,
        clusterkit_version=__version__,
    )
    return ResultSet(tuple(results), provenance)
