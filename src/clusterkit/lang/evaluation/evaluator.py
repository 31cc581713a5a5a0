"""Evaluate a compiled program against a dataset as of a date: pure, exact, explained.

Evaluation gives data (:mod:`clusterkit.lang.results`): outcomes, exact values and
numeric scores. It has no process-wide side effects: arithmetic runs in its own
decimal context, and nothing global is switched on or off.

Here the rules in force are chosen and run in order, each rulebook by a
:class:`~clusterkit.lang.evaluation.rulebook_run.RulebookRun` (which turns what its compiled
rules give into verdicts), and the provenance of the run is written down.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple

from clusterkit import codes
from clusterkit._version import __version__
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity
from clusterkit.lang.compile.compiled import CompiledRule, CompiledRulebook
from clusterkit.lang.evaluation.rulebook_run import RulebookRun
from clusterkit.lang.program import Program
from clusterkit.lang.results.result import Need
from clusterkit.lang.results.result_set import Provenance, ResultSet, RulebookRef
from clusterkit.lang.results.verdicts import Verdicts
from clusterkit.lang.runtime.context import CONTEXT, Context
from clusterkit.messages import msg
from clusterkit.model import Dataset
from clusterkit.model.dataset import COLLECTIONS, ensure_checked
from clusterkit.schema import SchemaConflictError
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

            run = RulebookRun(book, context(book.currency), versions)
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
    run = RulebookRun(book, ctx, lambda day: None)
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


def _check_arguments(program: object, dataset: object, as_of: object, sha256: object) -> None:
    """Refuse arguments of the wrong type at the door, naming the argument, rather than
    with an error from inside a rule (a ``datetime`` is a ``date`` but compares with none)."""
    wrong = [
        f"{name} must be {wanted}, not {type(value).__name__}"
        for name, value, ok, wanted in (
            ("program", program, isinstance(program, Program), "a Program"),
            ("dataset", dataset, isinstance(dataset, Dataset), "a Dataset (see dataset_from_dict)"),
            (
                "as_of",
                as_of,
                isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime),
                "a datetime.date",
            ),
            ("data_sha256", sha256, sha256 is None or isinstance(sha256, str), "a str or None"),
        )
        if not ok
    ]
    if wrong:
        raise TypeError("; ".join(wrong))


def _check_declarations(program: Program, dataset: Dataset) -> None:
    """Refuse data read against declarations that disagree with the program's (a kind's
    field declared money there and a number here): its rules would read values of
    another type than they were checked for."""
    if program.schema.is_default or dataset.schema == program.schema:
        return
    try:
        dataset.schema.merged(program.schema)
    except SchemaConflictError as exc:
        raise DiagnosticError(
            Diagnostic(
                codes.DATA_INVALID,
                Severity.ERROR,
                problem,
                file="<dataset>",
                path="dataset.schema",
                hint=msg("load the data with schema=program.schema"),
            )
            for problem in exc.problems
        ) from None


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
    _check_arguments(program, dataset, as_of, data_sha256)
    ensure_checked(dataset)
    _check_declarations(program, dataset)
    runs, books = run_rules(program, dataset, as_of, progress=progress)
    return ResultSet.from_verdicts(
        [run.verdicts for run in runs], provenance(dataset, as_of, books, data_sha256)
    )
