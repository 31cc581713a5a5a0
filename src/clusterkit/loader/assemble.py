"""Assembling the dataset the collector gathered: its collections laid over a base
dataset (replacing or appending), its references checked, and every broken one
reported where its item was written (the file and data path, or the table's cell)."""

from __future__ import annotations

from typing import Any

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.loader.cells import item_problem
from clusterkit.loader.collect import Collector
from clusterkit.loader.files import data_error
from clusterkit.loader.origins import PARTICIPANT_PATH, Place, Segments
from clusterkit.loader.structure import Reference
from clusterkit.loader.tables import BUILTIN_TYPES
from clusterkit.messages import msg
from clusterkit.model import Dataset
from clusterkit.model.dataset import Records, check_references, mark_checked
from clusterkit.model.dataset import Reference as DatasetReference

__all__ = ["finish"]


def finish(
    collector: Collector, shown: str, base: Dataset | None = None, append: bool = False
) -> Dataset:
    """The dataset the collector gathered (over ``base``'s collections, replacing or
    appending), its references checked; :class:`DiagnosticError` with every problem."""
    problems = collector.problems
    info = collector.info or (base.info if base is not None else None)
    errors = any(p.is_error for p in problems)
    if info is None and not errors:
        problems.append(
            data_error(
                codes.DATA_NO_INFO,
                shown,
                msg("no dataset information found"),
                hint=msg("add a 'dataset' object with at least 'id' and 'title'"),
            )
        )
    if info is None:
        raise DiagnosticError(problems)
    # Built even when some items had problems, so that references are checked too and
    # every problem is reported at once.
    names = collector.collections()
    fields = {name: tuple(collector.collected.get(name, ())) for name in names}
    offsets = dict.fromkeys(fields, 0)
    if base is not None:

        def old(name: str) -> tuple[Any, ...]:
            found: tuple[Any, ...] = (
                getattr(base, name) if name in BUILTIN_TYPES else base.records_of(name)
            )
            return found

        if append:
            offsets = {name: len(old(name)) for name in fields}
            fields = {name: old(name) + items for name, items in fields.items()}
        else:
            # Collections the document gives replace the base's; the rest are kept.
            fields = {
                name: items if name in collector.segments else old(name)
                for name, items in fields.items()
            }
    builtin: dict[str, Any] = {name: fields[name] for name in BUILTIN_TYPES}
    records = Records({name: items for name, items in fields.items() if name not in builtin})
    dataset = Dataset(info, **builtin, records=records, schema=collector.schema)
    for ref in check_references(dataset):
        if (ref.kind, ref.value) in collector.failed:
            continue  # it names something whose own problems are reported
        problems.append(_reference_problem(collector, dataset, ref, offsets[ref.collection]))
    problems.extend(_declared_references(dataset, collector.references, collector.failed))
    if any(p.is_error for p in problems):
        raise DiagnosticError(problems)
    mark_checked(dataset)
    return dataset


def _reference_problem(
    collector: Collector, dataset: Dataset, ref: DatasetReference, offset: int
) -> Diagnostic:
    """A broken reference the dataset's check found, where its item came from: the
    file and data path, or the table's cell."""
    match = PARTICIPANT_PATH.match(ref.path)
    if match is not None and int(match[1]) < len(dataset.clusters):
        cluster = dataset.clusters[int(match[1])]
        participants = cluster.participants
        index = int(match[2])
        origin = (
            collector.origins.get(id(participants[index])) if index < len(participants) else None
        )
        if origin is not None:
            table, table_shape, row = origin
            return item_problem(
                table, table_shape, row, (match[3], ref.message, codes.DATA_REFERENCE)
            )
    segments = collector.segments.get(ref.collection, Segments())
    where_file, where, found = segments.find(ref.collection, ref.path, offset=offset)
    if found is not None:
        (table, table_shape, row), inside = found
        return item_problem(table, table_shape, row, (inside, ref.message, codes.DATA_REFERENCE))
    return data_error(codes.DATA_REFERENCE, where_file, ref.message, path=where)


def _declared_references(
    dataset: Dataset,
    references: list[tuple[str, Reference, bool, Place | None]],
    failed: set[tuple[str, str]],
) -> list[Diagnostic]:
    """Problems with references the built-in check does not see: those in declared
    fields and records, and those in objects that could not be built."""
    known: dict[str, dict[str, int]] = {}
    out = []
    for shown, ref, always, place in references:
        if not always or (ref.kind, ref.value) in failed:
            continue
        ids = known.get(ref.kind)
        if ids is None:
            ids = known[ref.kind] = _ids(dataset, ref.kind)
        count = ids.get(ref.value, 0)
        if count == 1:
            continue
        message = (
            msg("{value!r} is not a known {kind}", value=ref.value, kind=ref.kind)
            if count == 0
            else msg(
                "{value!r} names more than one {kind}: give unique ids",
                value=ref.value,
                kind=ref.kind,
            )
        )
        if place is not None:
            table, table_shape, row = place
            out.append(
                item_problem(table, table_shape, row, (ref.path, message, codes.DATA_REFERENCE))
            )
        else:
            out.append(data_error(codes.DATA_REFERENCE, shown, message, path=ref.path))
    return out


def _ids(dataset: Dataset, kind: str) -> dict[str, int]:
    """How many entities of ``kind`` have each id (or code)."""
    builtin: dict[str, Any] = {
        "cluster": dataset.clusters,
        "participant": [p for c in dataset.clusters for p in c.participants],
        "application": dataset.applications,
        "programme": dataset.programmes,
        "project": [p for _, p in dataset.projects()],
        "obligation": dataset.obligations,
        "region": dataset.regions,
        "sector": dataset.sectors,
        "figure": dataset.figures,
    }
    declared = dataset.schema.kind(kind)
    entities = builtin.get(kind) if declared is None else dataset.records_of(declared.collection)
    counts: dict[str, int] = {}
    for entity in entities or ():
        key = getattr(entity, "id", None) or getattr(entity, "code", None)
        if isinstance(key, str):
            counts[key] = counts.get(key, 0) + 1
    return counts
