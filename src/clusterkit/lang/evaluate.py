"""Evaluate a compiled program against a dataset as of a date: pure, exact, explained."""

from __future__ import annotations

import datetime as dt
import decimal
import gc
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import attrs

from clusterkit._version import __version__
from clusterkit.i18n import translator
from clusterkit.lang import runtime
from clusterkit.lang.compiler import CompiledRule, CompiledRulebook
from clusterkit.lang.program import Program
from clusterkit.lang.results import (
    Failure,
    Outcome,
    Provenance,
    Result,
    ResultSet,
    RulebookRef,
    Trace,
    TraceEntry,
    format_value,
)
from clusterkit.model import Dataset
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
    for field in attrs.fields(Dataset):
        if field.name == "info":
            continue
        feed(field.name)
        for record in getattr(dataset, field.name):
            feed(record)
    return digest.hexdigest()


def _text(entries: tuple[tuple[str, str], ...], lang: str, fallback: str = "") -> str:
    table = dict(entries)
    return table.get(lang) or table.get("en") or table.get("ru") or table.get("kk") or fallback


class _Run:
    """One rulebook's evaluation: turns raw outcomes into explained results."""

    def __init__(self, book: CompiledRulebook, ctx: runtime.Context, lang: str) -> None:
        self.book = book
        self.ctx = ctx
        self.lang = lang
        header = book.checked.file.header
        self.version = header.version
        self.default_source = header.source
        self.fixed: dict[str, dict[str, Any]] = {}

    def base(self, rule: CompiledRule, entity: Any, outcome: Outcome, **extra: Any) -> Result:
        fixed = self.fixed.get(rule.name)
        if fixed is None:
            # What every result of a rule shares, worked out once per rule.
            node = rule.node
            fixed = self.fixed[rule.name] = {
                "rulebook": self.book.id,
                "version": self.version,
                "rule": rule.name,
                "kind": rule.kind,
                "entity_kind": rule.entity_kind or "dataset",
                "title": _text(node.titles, self.lang, rule.name),
                "message": _text(node.messages, self.lang),
                "source": node.source or self.default_source,
                "lang": self.lang,
            }
        key = self.ctx.data.info.id if entity is None else runtime.entity_key(entity)
        return Result(entity=key, outcome=outcome, **fixed, **extra)

    def trace(self, rule: CompiledRule, raw: list[tuple[int, Any]]) -> Trace:
        return Trace(rule.labels, raw, self.ctx.currency, self.lang)

    def in_scope(self, rule: CompiledRule, entity: Any) -> bool | Result:
        if rule.where is None:
            return True
        try:
            return bool(rule.where(self.ctx, entity))
        except runtime.Missing as missing:
            return self.base(rule, entity, Outcome.UNDETERMINED, needs=missing.what)

    def runs(self, rule: CompiledRule) -> Iterator[Result | tuple[Any, Any]]:
        """Each entity in scope with what the rule gave it, or an undetermined result."""
        for entity in rule.entities(self.ctx):
            scope = self.in_scope(rule, entity)
            if isinstance(scope, Result):
                yield scope
            elif scope:
                try:
                    yield entity, rule.run(self.ctx, entity)
                except runtime.Missing as missing:
                    yield self.base(rule, entity, Outcome.UNDETERMINED, needs=missing.what)

    def rule(self, rule: CompiledRule) -> Iterator[Result]:
        for run in self.runs(rule):
            if isinstance(run, Result):
                yield run
                continue
            entity, (status, raw, detail) = run
            trace = self.trace(rule, raw)
            outcome = _STATUS[status]
            if status == "fail" and detail is not None:
                number, left, right = detail
                failure = Failure(rule.requires[number], left, right, self.ctx.currency, self.lang)
                yield self.base(rule, entity, outcome, trace=trace, failure=failure)
            else:
                yield self.base(rule, entity, outcome, trace=trace)

    def score(self, rule: CompiledRule) -> Iterator[Result]:
        scored: list[tuple[Any, Decimal, tuple[Decimal, ...], Sequence[TraceEntry]]] = []
        for run in self.runs(rule):
            if isinstance(run, Result):
                yield run
                continue
            entity, (_, raw, (values, weights)) = run
            total = sum((w * v for w, v in zip(weights, values, strict=True)), Decimal(0))
            scored.append((entity, total, tuple(values), self.trace(rule, raw)))
        select = rule.node.select
        top = select.top if select is not None else len(scored)
        tie = [rule.criteria.index(name) for name in (select.tie if select else ())]
        minimum = rule.minimum(self.ctx) if rule.minimum is not None else None
        # Highest total first; ties broken by the named criteria, then by entity id, so
        # the ranking never depends on file order.
        scored.sort(key=lambda s: (-s[1], *(-s[2][i] for i in tie), runtime.entity_key(s[0])))
        cutoff = scored[min(top, len(scored)) - 1][1] if scored else None
        for rank, (entity, total, _values, trace) in enumerate(scored, start=1):
            selected = rank <= top and (minimum is None or total >= minimum)
            points = format_value(total, None, self.ctx.currency, self.lang)
            entries = (
                *trace,
                TraceEntry("total", "total", total, None, self.ctx.currency, self.lang),
                TraceEntry("rank", "rank", rank, None, self.ctx.currency, self.lang),
            )
            gap = None
            if not selected:
                _ = translator(self.lang)
                if minimum is not None and total < minimum:
                    gap = _("{below} points below the minimum of {minimum}").format(
                        below=format_value(minimum - total, None, "", self.lang),
                        minimum=format_value(minimum, None, "", self.lang),
                    )
                elif cutoff is not None:
                    gap = _(
                        "rank {rank}: only the top {top} are selected "
                        "({behind} points behind the last selected)"
                    ).format(
                        rank=rank, top=top, behind=format_value(cutoff - total, None, "", self.lang)
                    )
            yield self.base(
                rule,
                entity,
                Outcome.PASS if selected else Outcome.FAIL,
                trace=entries,
                score=points,
                rank=rank,
                note=gap,
            )


def _run_books(
    books: tuple[CompiledRulebook, ...],
    dataset: Dataset,
    *,
    as_of: dt.date,
    lang: str,
    contexts: dict[str, runtime.Context],
    results: list[Result],
    progress: Callable[[str], None] | None,
) -> None:
    for book in books:
        currency = book.checked.currency
        if currency not in contexts:
            contexts[currency] = runtime.Context(dataset, as_of, currency)
        run = _Run(book, contexts[currency], lang)
        for rule in book.rules:
            results.extend(run.score(rule) if rule.kind == "score" else run.rule(rule))
            if progress is not None:
                progress(f"{book.id}/{rule.name}")


def evaluate(
    program: Program,
    dataset: Dataset,
    as_of: dt.date,
    *,
    lang: str = "en",
    data_sha256: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ResultSet:
    """Every rule in force on ``as_of``, on every entity it covers, with its explanation.

    ``progress``, if given, is called with ``rulebook/rule`` after each rule (for a
    progress bar); ``data_sha256`` skips hashing the dataset when it is known.

    Pure: the same program, dataset and date give the same results. Arithmetic runs in
    :data:`clusterkit.lang.runtime.CONTEXT` whatever the caller's decimal context is.
    """
    results: list[Result] = []
    contexts: dict[str, runtime.Context] = {}
    books = program.in_force(as_of)
    # A run makes many small acyclic objects; with a large dataset in memory, the
    # cyclic garbage collector would rescan that dataset again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with decimal.localcontext(runtime.CONTEXT):
            _run_books(
                books,
                dataset,
                as_of=as_of,
                lang=lang,
                contexts=contexts,
                results=results,
                progress=progress,
            )
    finally:
        if collecting:
            gc.enable()
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
