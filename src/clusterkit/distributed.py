"""Partitioned evaluation: a registry split by cluster, evaluated on Dask workers.

:func:`evaluate_partitioned` splits a dataset into partitions of whole clusters, each
carrying what its clusters' rules read (their participants, programmes, projects,
tranches, applications, obligations, observations, indicator series and the declared
records that belong to them, and every partition the reference data: regions,
sectors, figures, rates, benchmarks and declared records tied to no cluster). Workers
evaluate the partitions; the verdicts are merged, in the order a single process gives
them, into one result set equal to :func:`clusterkit.evaluate`'s.

Rules that cannot be judged one cluster at a time run after the partitions, on the
whole dataset, in the calling process (or, with ``whole="refuse"``, are refused with
the reason): rules without ``for each`` (once per dataset), scores (they rank every
entity against the others), rules judged by the version in force on each entity's
date, rules that go through reference data, rules that read a whole collection, and
rules that read records referring across clusters.

Dask is an optional dependency (``pip install "clusterkit[dask]"``); any object with
Dask's ``Client`` methods ``scatter``, ``submit`` and ``gather`` will do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

import attrs

from clusterkit.lang import ast
from clusterkit.lang.check.checked import Checked, DefineInfo
from clusterkit.lang.compile.compiled import CompiledRule, CompiledRulebook
from clusterkit.lang.evaluation.evaluator import provenance, run_rules, verdicts_from
from clusterkit.lang.program import Program
from clusterkit.lang.results import Need, ResultSet, Verdicts
from clusterkit.lang.runtime.context import Context
from clusterkit.lang.types.value_types import EntityT, ListT, Type
from clusterkit.model import Dataset
from clusterkit.model.dataset import ensure_checked
from clusterkit.partitions import PartitionError, Split, split_dataset

__all__ = ["Client", "PartitionError", "evaluate_partitioned", "whole_dataset_rules"]

#: Kinds of the built-in model that belong to one cluster.
_PER_CLUSTER = frozenset(
    {
        "cluster",
        "participant",
        "application",
        "programme",
        "project",
        "tranche",
        "obligation",
        "observation",
        "series",
    }
)
_PARTITIONED_COLLECTIONS = frozenset(
    {
        "clusters",
        "participants",
        "applications",
        "programmes",
        "projects",
        "tranches",
        "obligations",
        "observations",
        "series",
    }
)


class Client(Protocol):
    """What is used of a ``dask.distributed.Client``."""

    def scatter(self, data: Any, *, broadcast: bool = ..., hash: bool = ...) -> Any: ...

    def submit(self, func: Any, *args: Any, pure: bool = ...) -> Any: ...

    def gather(self, futures: Any) -> Any: ...


def whole_dataset_rules(
    program: Program, dataset: Dataset, as_of: dt.date
) -> list[tuple[str, str, str]]:
    """``(rulebook, rule, why)`` for each rule in force that cannot be judged one
    cluster at a time on ``dataset``."""
    split = split_dataset(dataset, 1)
    return [
        (book.id, rule.name, why)
        for book in program.in_force(as_of)
        for rule in book.rules
        if (why := _whole_reason(book, rule, split)) is not None
    ]


def evaluate_partitioned(
    program: Program,
    dataset: Dataset,
    as_of: dt.date,
    client: Client,
    *,
    partitions: int | None = None,
    whole: str = "after",
    data_sha256: str | None = None,
) -> ResultSet:
    """Evaluate ``program`` on ``dataset`` as of ``as_of`` on ``client``'s workers, a
    partition of clusters each; the result set is equal to :func:`clusterkit.evaluate`'s.

    ``partitions`` is how many (default: twice the workers' threads, at most one per
    cluster). ``whole`` says what to do with rules that need the whole dataset:
    ``"after"`` runs them here once the partitions are in, ``"refuse"`` raises
    :class:`PartitionError` naming each and why, before anything runs.
    """
    if whole not in ("after", "refuse"):
        raise ValueError(f"whole must be 'after' or 'refuse', not {whole!r}")
    ensure_checked(dataset)
    if partitions is None:
        partitions = 2 * max(1, sum(_threads(client)))
    split = split_dataset(dataset, max(1, partitions))
    books = program.in_force(as_of)
    reasons = {
        _key(book, rule): _whole_reason(book, rule, split) for book in books for rule in book.rules
    }
    refused = [
        f"{book.id}/{rule.name}: {why}"
        for book in books
        for rule in book.rules
        if (why := reasons[_key(book, rule)]) is not None
    ]
    if refused and whole == "refuse":
        raise PartitionError(
            "these rules need the whole dataset and cannot be evaluated by partitions:\n  "
            + "\n  ".join(refused)
        )
    wanted = tuple(key for key, why in reasons.items() if why is None)
    shared = client.scatter(program, broadcast=True, hash=False)
    parts = client.scatter(list(split.parts), hash=False)
    futures = [
        client.submit(_evaluate_partition, shared, part, as_of, wanted, pure=False)
        for part in parts
    ]
    # The rules that need the whole dataset run here while the workers work.
    runs, used = run_rules(
        program, dataset, as_of, select=lambda book, rule: reasons[_key(book, rule)] is not None
    )
    answers: list[dict[tuple[str, str], _Found | None]] = client.gather(futures)
    redo = {key for answer in answers for key, got in answer.items() if got is None}
    if redo:  # a part could not give a rule's entities: that rule runs on the whole
        runs += run_rules(program, dataset, as_of, select=lambda b, r: _key(b, r) in redo)[0]
    here = {_key(run.book, run.rule): run.verdicts for run in runs}
    contexts: dict[str, Context] = {}
    blocks: list[Verdicts] = []
    for book in books:
        currency = book.checked.currency
        if currency not in contexts:
            contexts[currency] = Context(dataset, as_of, currency)
        for rule in book.rules:
            key = _key(book, rule)
            if key in here:
                blocks.append(here[key])
                continue
            found = [got for answer in answers if (got := answer[key]) is not None]
            blocks.append(_merge(book, rule, contexts[currency], split, found))
    return ResultSet.from_verdicts(blocks, provenance(dataset, as_of, used, data_sha256))


#: What a worker found for one rule on its part: the place of each entity judged among
#: those the rule goes through in the part, its status (None: undetermined) and, by
#: position, what the undetermined need.
_Found = tuple[list[int], list[str | None], dict[int, Need]]


def _key(book: CompiledRulebook, rule: CompiledRule) -> tuple[str, str]:
    return book.checked.path, rule.name


def _threads(client: Client) -> Iterable[int]:
    nthreads = getattr(client, "nthreads", None)
    found = nthreads() if callable(nthreads) else {}
    return found.values() if isinstance(found, dict) else (1,)


def _evaluate_partition(
    program: Program, part: Dataset, as_of: dt.date, wanted: tuple[tuple[str, str], ...]
) -> dict[tuple[str, str], _Found | None]:
    """On a worker: the verdicts of the wanted rules on one part, without their results
    (None for a rule whose entities the part could not give)."""
    keys = set(wanted)
    runs, _ = run_rules(program, part, as_of, select=lambda book, rule: _key(book, rule) in keys)
    out: dict[tuple[str, str], _Found | None] = {}
    for run in runs:
        block = run.verdicts
        key = _key(run.book, run.rule)
        if block.info is None:  # the entities themselves were undetermined
            out[key] = None
            continue
        place = {id(entity): i for i, entity in enumerate(run.rule.entities(run.ctx))}
        out[key] = (
            [place[id(entity)] for entity in block.entities],
            list(block.statuses),
            block.needs,
        )
    return out


def _merge(
    book: CompiledRulebook,
    rule: CompiledRule,
    ctx: Context,
    split: Split,
    found: Sequence[_Found],
) -> Verdicts:
    """The parts' verdicts of one rule over the whole dataset's entities, in their
    order: the k-th entity of part p is the k-th of the whole dataset's entities that p
    holds. Results are made here, from the whole dataset, when read."""
    entities = rule.entities(ctx)
    places: list[list[int]] = [[] for _ in split.parts]
    for index, entity in enumerate(entities):
        places[split.home[id(entity)]].append(index)
    merged: list[tuple[int, str | None, Need | None]] = []
    for part, (indices, statuses, needs) in enumerate(found):
        mine = places[part]
        pairs = enumerate(zip(indices, statuses, strict=True))
        merged.extend((mine[i], status, needs.get(n)) for n, (i, status) in pairs)
    merged.sort(key=lambda item: item[0])
    return verdicts_from(
        book,
        rule,
        ctx,
        entities=[entities[index] for index, _, _ in merged],
        statuses=[status for _, status, _ in merged],
        needs={n: need for n, (_, _, need) in enumerate(merged) if need is not None},
    )


# -- which rules need the whole dataset --------------------------------------------------


def _whole_reason(book: CompiledRulebook, rule: CompiledRule, split: Split) -> str | None:
    """Why ``rule`` cannot be judged one cluster at a time, or None if it can."""
    node = rule.node
    if node.iteration is None:
        return "it runs once for the dataset"
    if node.kind == "score":
        return "a score ranks every entity against the others"
    if node.version_by is not None:
        return "it is judged by the version in force on each entity's own date"
    checked = book.checked
    source = node.iteration.source
    symbol = checked.names.get(id(source)) if isinstance(source, ast.Name) else None
    if symbol is None or symbol.kind != "collection":
        return "it goes through a list that is not a collection of the dataset"
    collection = source.id  # type: ignore[union-attr]
    if collection not in _PARTITIONED_COLLECTIONS and collection not in split.homed:
        return f"it goes through {collection}, which are not kept by cluster"
    read = _Reads(checked)
    read.walk(node, skip=source)
    if read.collections:
        return f"it reads {', '.join(sorted(read.collections))} as a whole"
    crossing = sorted(read.kinds & split.crossing)
    if crossing:
        return f"it reads {', '.join(crossing)} records that refer across clusters"
    return None


class _Reads:
    """The collections a rule names and the kinds of entity it reads, following the
    functions and definitions it calls."""

    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        self.collections: set[str] = set()
        self.kinds: set[str] = set()
        self.seen: set[int] = set()

    def walk(self, node: object, skip: object = None) -> None:
        for item in _nodes(node):
            if item is skip:
                continue
            self.kinds.update(_kinds(self.checked.types.get(id(item))))
            if isinstance(item, ast.Name):
                symbol = self.checked.names.get(id(item))
                if symbol is not None and symbol.kind == "collection":
                    self.collections.add(item.id)
            elif isinstance(item, ast.Call):
                function = self.checked.functions.get(item.func)
                if function is not None and id(function.node) not in self.seen:
                    self.seen.add(id(function.node))
                    self.walk(function.node.expr)
            elif isinstance(item, ast.Field):
                spec = self.checked.fields.get(id(item))
                if isinstance(spec, DefineInfo) and id(spec.node) not in self.seen:
                    self.seen.add(id(spec.node))
                    self.walk(spec.node.expr)


_AST = ast.__name__  # the syntax tree's package: its nodes' modules start with it


def _nodes(node: object) -> Iterator[object]:
    """Every syntax node under ``node`` (itself included), depth first."""
    if isinstance(node, tuple | list):
        for item in node:
            yield from _nodes(item)
    elif attrs.has(type(node)) and type(node).__module__.startswith(_AST):
        yield node
        for field in attrs.fields(type(node)):  # type: ignore[arg-type]
            yield from _nodes(getattr(node, field.name))


def _kinds(t: Type | None) -> set[str]:
    if isinstance(t, EntityT):
        return {t.kind}
    if isinstance(t, ListT):
        return _kinds(t.elem)
    return set()
