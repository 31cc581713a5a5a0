"""Gathering a dataset from its documents: collections from every file, checked against
the schema, then the references of the whole dataset, every problem with its file
and data path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.loader.cells import (
    check_header,
    item_problem,
    row_record,
)
from clusterkit.loader.files import data_error
from clusterkit.loader.structure import Reference, Structurer
from clusterkit.loader.tables import (
    BUILTIN_TYPES,
    Row,
    Shape,
    Table,
)
from clusterkit.messages import join, msg
from clusterkit.model import Dataset, DatasetInfo, Participant
from clusterkit.model.dataset import Records, check_references, mark_checked
from clusterkit.model.dataset import Reference as DatasetReference
from clusterkit.schema import Schema

__all__ = ["BUILTIN_TYPES", "EMBEDDED_SCHEMA", "SETTINGS", "Collector", "finish"]

#: Keys of the ``dataset`` table that say how to read the dataset's files rather than
#: describe it: the encoding of its CSV files, and whether their numbers have a
#: decimal comma.
SETTINGS = ("csv_encoding", "csv_decimal_comma")

#: The key of the ``dataset`` table under which a saved dataset embeds the
#: declarations of its schema (read before the data, not part of the information).
EMBEDDED_SCHEMA = "declarations"


#: The path of a participant's field in a cluster.
_PARTICIPANT_PATH = re.compile(r"^clusters\[(\d+)\]\.participants\[(\d+)\]\.?(.*)$")

#: Where an item came from in a table: the table, its shape and the item's row.
Place = tuple[Table, Shape, Row]


@attrs.frozen
class Part:
    """Items of a collection from one file: ``count`` of them from index ``start``,
    and for a table the row of each."""

    file: str
    start: int
    count: int
    rows: tuple[Place, ...] = ()


@attrs.define
class Segments:
    """Which file each item of a merged collection came from."""

    parts: list[Part] = attrs.Factory(list)

    def add(self, file: str, start: int, count: int, rows: tuple[Place, ...] = ()) -> None:
        self.parts.append(Part(file, start, count, rows))

    def locate(
        self, collection: str, path: str, elsewhere: str = "(base data)", offset: int = 0
    ) -> tuple[str, str]:
        """The file an item came from and its path there; ``elsewhere`` for other items.

        ``offset`` is how many items of the collection precede the files' ones.
        """
        file, where, _place = self.find(collection, path, elsewhere, offset)
        return file, where

    def find(
        self, collection: str, path: str, elsewhere: str = "(base data)", offset: int = 0
    ) -> tuple[str, str, tuple[Place, str] | None]:
        """As :meth:`locate`, and for an item from a table its row and the path in it."""
        match = re.match(rf"^{re.escape(collection)}\[(\d+)\]", path)
        if match is None:
            return (self.parts[0].file if self.parts else elsewhere), path, None
        index = int(match[1]) - offset
        for part in self.parts:
            if part.start <= index < part.start + part.count:
                rest = path[match.end() :]
                if part.rows:
                    return part.file, path, (part.rows[index - part.start], rest.lstrip("."))
                return part.file, f"{collection}[{index - part.start}]{rest}", None
        return elsewhere, path, None


@attrs.define
class Collector:
    """Gathers a dataset's pieces from its documents, and every problem on the way.

    Attributes:
        schema: what the data may hold.
        extra: participants read from tables, by cluster id.
        owners: where tables name each cluster id: a participants file (no row), or
            the ``cluster`` cell of a sheet's row.
        quiet: clusters whose participants table had problems (their missing
            participants are not reported again).
        origins: the table row each participant from a table came from.
    """

    schema: Schema
    problems: list[Diagnostic] = attrs.Factory(list)
    extra: dict[str, list[Participant]] = attrs.Factory(dict)
    owners: dict[str, list[tuple[Table, Shape, Row | None]]] = attrs.Factory(dict)
    quiet: set[str] = attrs.Factory(set)
    origins: dict[int, Place] = attrs.Factory(dict)
    info: DatasetInfo | None = None
    collected: dict[str, list[Any]] = attrs.Factory(dict)
    segments: dict[str, Segments] = attrs.Factory(dict)
    references: list[tuple[str, Reference, bool, Place | None]] = attrs.Factory(list)
    failed: set[tuple[str, str]] = attrs.Factory(set)
    raw_cluster_ids: set[object] = attrs.Factory(set)

    def collections(self) -> list[str]:
        return [*BUILTIN_TYPES, *(k.collection for k in self.schema.kinds)]

    def read_document(self, document: Any, shown: str) -> None:
        if not isinstance(document, dict):
            self.problems.append(
                data_error(
                    codes.DATA_INVALID, shown, msg("the top level must be an object of collections")
                )
            )
            return
        for key, value in document.items():
            if key == "dataset":
                self.read_info(value, shown)
            elif key in BUILTIN_TYPES or self.schema.kind_of_collection(key) is not None:
                self.read_collection(key, value, shown)
            else:
                self.problems.append(
                    data_error(
                        codes.DATA_UNKNOWN_KEY,
                        shown,
                        msg("unknown key {key!r}", key=key),
                        path=str(key),  # Python data's keys need not be text
                        hint=msg(
                            "expected one of: {names}",
                            names=", ".join(["dataset", *self.collections()]),
                        ),
                    )
                )

    def read_collection(self, key: str, value: Any, shown: str) -> None:
        if not isinstance(value, list):
            self.problems.append(
                data_error(
                    codes.DATA_INVALID,
                    shown,
                    msg("expected a list, got {got}", got=type(value).__name__),
                    path=key,
                )
            )
            return
        if key == "clusters":
            value = _with_participants(value, self.extra)
            self.raw_cluster_ids.update(
                c["id"] for c in value if isinstance(c, dict) and isinstance(c.get("id"), str)
            )
        items = self.structure(key, value, shown)
        self.segments.setdefault(key, Segments()).add(
            shown, len(self.collected.get(key, [])), len(items)
        )
        self.collected.setdefault(key, []).extend(items)

    def structure(self, key: str, value: list[Any], shown: str) -> list[Any]:
        """Structure a collection item by item, so one bad item does not hide the others."""
        structurer = Structurer(self.schema)
        items = []
        declared = self.schema.kind_of_collection(key)
        for index, raw in enumerate(value):
            before = len(structurer.problems)
            path = f"{key}[{index}]"
            if declared is not None:
                item = structurer.record(raw, declared, path)
            else:
                item = structurer.build(raw, BUILTIN_TYPES[key], path)
            if item is not None:
                items.append(item)
            elif (
                isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"] in self.quiet
            ):
                del structurer.problems[before:]  # reported where they come from (CSV)
        for where, message, code in structurer.problems:
            origin = self.origin_of(value, where) if key == "clusters" else None
            if origin is not None:
                (table, table_shape, row), inside = origin
                self.problems.append(item_problem(table, table_shape, row, (inside, message, code)))
            else:
                self.problems.append(data_error(code, shown, message, path=where))
        self.failed |= structurer.failed
        self.references.extend(
            (shown, r, declared is not None, None) for r in structurer.references
        )
        self.references.extend((shown, r, True, None) for r in structurer.orphan_references)
        return items

    def origin_of(self, clusters: list[Any], where: str) -> tuple[Place, str] | None:
        """The table row of the participant a problem at ``where`` (a path in the raw
        clusters) is about, and the path inside it, if that participant came from a table."""
        match = _PARTICIPANT_PATH.match(where)
        if match is None:
            return None
        cluster = clusters[int(match[1])] if int(match[1]) < len(clusters) else None
        listed = cluster.get("participants") if isinstance(cluster, dict) else None
        index = int(match[2])
        if not isinstance(listed, list) or index >= len(listed):
            return None
        place = self.origins.get(id(listed[index]))
        return None if place is None else (place, match[3])

    def read_info(self, value: Any, shown: str) -> None:
        if self.info is not None:
            self.problems.append(
                data_error(
                    codes.DATA_INVALID,
                    shown,
                    msg("dataset information given twice"),
                    path="dataset",
                )
            )
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in (*SETTINGS, EMBEDDED_SCHEMA)}
        structurer = Structurer(self.schema)
        info = structurer.build(value, DatasetInfo, "dataset")
        for where, message, code in structurer.problems:
            self.problems.append(data_error(code, shown, message, path=where))
        self.info = info or self.info

    def add_participants(
        self,
        table: Table,
        table_shape: Shape,
        rows: list[tuple[Row, str | None, Participant]] | None,
        cluster: str | None,
        problems_before: int,
    ) -> None:
        """Participants from a table: all of ``cluster``'s (a participants file), or each
        of the cluster its row names (a sheet with a ``cluster`` column)."""
        had_problems = len(self.problems) > problems_before
        if cluster is not None:
            self.owners.setdefault(cluster, []).append((table, table_shape, None))
            self.extra.setdefault(cluster, [])
            if had_problems:
                self.quiet.add(cluster)
        elif had_problems:
            # Rows of a sheet with problems: their clusters may miss participants.
            failed = {r.line for r in table.rows} - {row.line for row, _, _ in rows or ()}
            owner = table_shape.owner or ""
            for row in table.rows:
                named = row.cells.get(owner)
                if row.line in failed and isinstance(named, str):
                    self.quiet.add(named)
        for row, named, participant in rows or ():
            owner_id = cluster if cluster is not None else named
            if owner_id is None:
                continue
            if cluster is None:
                self.owners.setdefault(owner_id, []).append((table, table_shape, row))
            self.extra.setdefault(owner_id, []).append(participant)
            self.origins[id(participant)] = (table, table_shape, row)

    def read_table(self, table: Table, table_shape: Shape) -> None:
        """A collection's items from a table (built-in flat ones, or a declared kind's)."""
        if not check_header(table, table_shape, self.problems):
            return
        structurer = Structurer(self.schema)
        items = []
        places: list[Place] = []
        for row in table.rows:
            raw = row_record(table, row, table_shape, self.problems)
            if raw is None:
                continue
            before = len(structurer.problems)
            refs, orphans = len(structurer.references), len(structurer.orphan_references)
            if table_shape.kind is not None:
                item = structurer.record(raw, table_shape.kind, "")
            else:
                assert table_shape.cls is not None
                item = structurer.build(raw, table_shape.cls, "")
            for problem in structurer.problems[before:]:
                self.problems.append(item_problem(table, table_shape, row, problem))
            place = (table, table_shape, row)
            always = table_shape.kind is not None
            self.references.extend(
                (table.shown, r, always, place) for r in structurer.references[refs:]
            )
            self.references.extend(
                (table.shown, r, True, place) for r in structurer.orphan_references[orphans:]
            )
            if item is not None:
                items.append(item)
                places.append(place)
        self.failed |= structurer.failed
        name = table_shape.name
        self.segments.setdefault(name, Segments()).add(
            table.shown, len(self.collected.get(name, [])), len(items), tuple(places)
        )
        self.collected.setdefault(name, []).extend(items)

    def orphan_participants(self) -> None:
        """Participants tables naming a cluster the dataset does not have."""
        for cluster_id, owners in self.owners.items():
            if cluster_id in self.raw_cluster_ids:
                continue
            for table, table_shape, row in owners:
                if row is None:
                    self.problems.append(
                        data_error(
                            codes.DATA_REFERENCE,
                            table.shown,
                            msg(
                                "no cluster with id {id!r} for this participants file",
                                id=cluster_id,
                            ),
                            hint=msg(
                                "name the file <cluster-id>{suffix}",
                                suffix=Path(table.shown).suffix,
                            ),
                        )
                    )
                else:
                    self.problems.append(
                        table.problem(
                            join(
                                [
                                    table_shape.owner,
                                    msg("no cluster with id {id!r}", id=cluster_id),
                                ],
                                ": ",
                            ),
                            row,
                            table_shape.owner,
                            code=codes.DATA_REFERENCE,
                        )
                    )


def _with_participants(value: list[Any], extra: dict[str, list[Participant]]) -> list[Any]:
    """Add CSV participants to the raw cluster objects, before they are structured."""
    merged = []
    for raw in value:
        listed = raw.get("participants", []) if isinstance(raw, dict) else None
        cluster_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(listed, list) and isinstance(cluster_id, str) and cluster_id in extra:
            merged.append({**raw, "participants": [*listed, *extra[cluster_id]]})
        else:
            merged.append(raw)
    return merged


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
    match = _PARTICIPANT_PATH.match(ref.path)
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
