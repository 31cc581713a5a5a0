"""Gathering a dataset's pieces from its documents and tables: each collection read
item by item and checked against the schema, participants from tables added to their
clusters, every problem with its file and data path (or table cell). The pieces are
assembled into a dataset, and its references checked, by
:mod:`clusterkit.loader.assemble`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic
from clusterkit.loader.cells import (
    check_header,
    item_problem,
    row_record,
)
from clusterkit.loader.files import data_error
from clusterkit.loader.origins import PARTICIPANT_PATH, Place, Segments
from clusterkit.loader.structure import Reference, Structurer
from clusterkit.loader.tables import (
    BUILTIN_TYPES,
    Row,
    Shape,
    Table,
)
from clusterkit.messages import join, msg
from clusterkit.model import DatasetInfo, Participant
from clusterkit.schema import Schema

__all__ = ["BUILTIN_TYPES", "EMBEDDED_SCHEMA", "SETTINGS", "Collector"]

#: Keys of the ``dataset`` table that say how to read the dataset's files rather than
#: describe it: the encoding of its CSV files, and whether their numbers have a
#: decimal comma.
SETTINGS = ("csv_encoding", "csv_decimal_comma")

#: The key of the ``dataset`` table under which a saved dataset embeds the
#: declarations of its schema (read before the data, not part of the information).
EMBEDDED_SCHEMA = "declarations"


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
        if isinstance(value, tuple):  # Python data: a tuple is a list, as it is nested deeper
            value = list(value)
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
        match = PARTICIPANT_PATH.match(where)
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
