"""Gathering a dataset from its documents: collections from every file, checked against
the schema, then the references of the whole dataset, every problem with its file
and data path."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Span
from clusterkit.loader.csv_tables import read_table, row_problem
from clusterkit.loader.files import data_error
from clusterkit.loader.structure import Reference, Structurer
from clusterkit.model import Dataset, DatasetInfo, Participant
from clusterkit.model.dataset import COLLECTIONS, Records, check_references, mark_checked
from clusterkit.schema import Schema

__all__ = ["BUILTIN_TYPES", "Collector", "finish", "read_record_files"]

#: Each built-in collection and the model class of its items.
BUILTIN_TYPES: dict[str, type] = {
    name: typing.get_args(hint)[0]
    for name, hint in typing.get_type_hints(Dataset).items()
    if name in COLLECTIONS
}


@attrs.define
class Segments:
    """Which file each item of a merged collection came from."""

    parts: list[tuple[str, int, int]] = attrs.Factory(list)  # (file, start, count)

    def add(self, file: str, start: int, count: int) -> None:
        self.parts.append((file, start, count))

    def locate(
        self, collection: str, path: str, elsewhere: str = "(base data)", offset: int = 0
    ) -> tuple[str, str]:
        """The file an item came from and its path there; ``elsewhere`` for other items.

        ``offset`` is how many items of the collection precede the files' ones.
        """
        match = re.match(rf"^{re.escape(collection)}\[(\d+)\]", path)
        if match is None:
            return (self.parts[0][0] if self.parts else elsewhere), path
        index = int(match[1]) - offset
        for file, start, count in self.parts:
            if start <= index < start + count:
                return file, f"{collection}[{index - start}]{path[match.end() :]}"
        return elsewhere, path


@attrs.define
class Collector:
    """Gathers a dataset's pieces from its documents, and every problem on the way.

    Attributes:
        schema: what the data may hold.
        extra: participants read from CSV files, by cluster id, with the file's name.
        quiet: clusters whose CSV file had problems (their missing participants are
            not reported again).
    """

    schema: Schema
    problems: list[Diagnostic] = attrs.Factory(list)
    extra: dict[str, tuple[str, tuple[Participant, ...]]] = attrs.Factory(dict)
    quiet: set[str] = attrs.Factory(set)
    info: DatasetInfo | None = None
    collected: dict[str, list[Any]] = attrs.Factory(dict)
    segments: dict[str, Segments] = attrs.Factory(dict)
    references: list[tuple[str, Reference, bool]] = attrs.Factory(list)
    failed: set[tuple[str, str]] = attrs.Factory(set)
    raw_cluster_ids: set[object] = attrs.Factory(set)

    def collections(self) -> list[str]:
        return [*BUILTIN_TYPES, *(k.collection for k in self.schema.kinds)]

    def read_document(self, document: Any, shown: str) -> None:
        if not isinstance(document, dict):
            self.problems.append(
                data_error(
                    codes.DATA_INVALID, shown, "the top level must be an object of collections"
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
                        f"unknown key {key!r}",
                        path=key,
                        hint="expected one of: " + ", ".join(["dataset", *self.collections()]),
                    )
                )

    def read_collection(self, key: str, value: Any, shown: str) -> None:
        if not isinstance(value, list):
            self.problems.append(
                data_error(
                    codes.DATA_INVALID,
                    shown,
                    f"expected a list, got {type(value).__name__}",
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
            self.problems.append(data_error(code, shown, message, path=where))
        self.failed |= structurer.failed
        self.references.extend((shown, r, declared is not None) for r in structurer.references)
        self.references.extend((shown, r, True) for r in structurer.orphan_references)
        return items

    def read_info(self, value: Any, shown: str) -> None:
        if self.info is not None:
            self.problems.append(
                data_error(
                    codes.DATA_INVALID, shown, "dataset information given twice", path="dataset"
                )
            )
        structurer = Structurer(self.schema)
        info = structurer.build(value, DatasetInfo, "dataset")
        for where, message, code in structurer.problems:
            self.problems.append(data_error(code, shown, message, path=where))
        self.info = info or self.info

    def orphan_csv_files(self) -> None:
        for cluster_id, (shown, _rows) in self.extra.items():
            if cluster_id not in self.raw_cluster_ids:
                self.problems.append(
                    data_error(
                        codes.DATA_REFERENCE,
                        shown,
                        f"no cluster with id {cluster_id!r} for this participants file",
                        hint="name the file <cluster-id>.csv",
                    )
                )


def _with_participants(
    value: list[Any], extra: dict[str, tuple[str, tuple[Participant, ...]]]
) -> list[Any]:
    """Add CSV participants to the raw cluster objects, before they are structured."""
    merged = []
    for raw in value:
        listed = raw.get("participants", []) if isinstance(raw, dict) else None
        cluster_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(listed, list) and isinstance(cluster_id, str) and cluster_id in extra:
            merged.append({**raw, "participants": [*listed, *extra[cluster_id][1]]})
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
    if info is None and not problems:
        problems.append(
            data_error(
                codes.DATA_NO_INFO,
                shown,
                "no dataset information found",
                hint="add a 'dataset' object with at least 'id' and 'title'",
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
        where_file, where = collector.segments.get(ref.collection, Segments()).locate(
            ref.collection, ref.path, offset=offsets[ref.collection]
        )
        problems.append(data_error(codes.DATA_REFERENCE, where_file, ref.message, path=where))
    problems.extend(_declared_references(dataset, collector.references, collector.failed))
    if problems:
        raise DiagnosticError(problems)
    mark_checked(dataset)
    return dataset


def _declared_references(
    dataset: Dataset,
    references: list[tuple[str, Reference, bool]],
    failed: set[tuple[str, str]],
) -> list[Diagnostic]:
    """Problems with references the built-in check does not see: those in declared
    fields and records, and those in objects that could not be built."""
    known: dict[str, dict[str, int]] = {}
    out = []
    for shown, ref, always in references:
        if not always or (ref.kind, ref.value) in failed:
            continue
        ids = known.get(ref.kind)
        if ids is None:
            ids = known[ref.kind] = _ids(dataset, ref.kind)
        count = ids.get(ref.value, 0)
        if count == 0:
            message = f"{ref.value!r} is not a known {ref.kind}"
        elif count > 1:
            message = f"{ref.value!r} names more than one {ref.kind}: give unique ids"
        else:
            continue
        out.append(data_error(codes.DATA_REFERENCE, shown, message, path=ref.path, span=ref.span))
    return out


def _cell(shown: str, header: list[str], line: int, path: str) -> Span:
    """Where a cell is in a CSV file: its row's line, and its column by name."""
    column = path.split(".", 1)[1].split("[", maxsplit=1)[0] if "." in path else ""
    return Span.point(shown, line, header.index(column) + 1 if column in header else 1)


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


def read_record_files(root: Path, collector: Collector) -> None:
    """Records of declared kinds from ``<collection>.csv`` files at the top of ``root``."""
    for kind in collector.schema.kinds:
        path = root / f"{kind.collection}.csv"
        if not path.is_file():
            continue
        shown = str(path)
        columns = [f.name for f in kind.fields]
        if kind.parent is not None:
            columns.insert(0, kind.parent)
        if kind.id_scheme is not None or kind.id_required:
            columns.insert(0, "id")
        header, rows = read_table(
            path, shown, collector.problems, known=set(columns).__contains__, columns=columns
        )
        structurer = Structurer(collector.schema)
        items = []
        for row in rows:
            raw = {key: value for key, value in row.cells.items() if value != ""}
            before = len(structurer.problems)
            refs_before = len(structurer.references)
            record = structurer.record(raw, kind, f"rows[{row.number}]")
            structurer.references[refs_before:] = [
                attrs.evolve(ref, span=_cell(shown, header, row.line, ref.path))
                for ref in structurer.references[refs_before:]
            ]
            for where, message, code in structurer.problems[before:]:
                field = where.split(".", 1)[1] if "." in where else where
                collector.problems.append(row_problem(shown, header, row, (field, message, code)))
            if record is not None:
                items.append(record)
        collector.references.extend((shown, r, True) for r in structurer.references)
        collector.failed |= structurer.failed
        collector.segments.setdefault(kind.collection, Segments()).add(
            shown, len(collector.collected.get(kind.collection, [])), len(items)
        )
        collector.collected.setdefault(kind.collection, []).extend(items)
