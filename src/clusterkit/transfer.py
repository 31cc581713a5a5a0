"""Backup of a whole store, and its import into an empty store of any back-end.

The file is JSON lines (format ``clusterkit.backup/2``, documented in
docs/operations.md): a header, the dataset's information and schema (the
declarations themselves, ``clusterkit.schema/1``), then one line per record, in store
order, the records of declared kinds among them, then an end line with the count of
every kind, so a file cut short is refused rather than half imported. Numbers of
observations, ids of runs, recording times and run documents are kept exactly: an
export of the imported store gives the same records, line for line, whichever
back-ends they went through. Backups of format ``clusterkit.backup/1`` (no schema, no
records of declared kinds) are still read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from clusterkit._version import __version__
from clusterkit.loader.structure import Structurer, declares
from clusterkit.model import (
    Application,
    Cluster,
    CounterObligation,
    Dataset,
    DatasetInfo,
    IndicatorSeries,
    Observation,
    Programme,
    Record,
    Records,
    Region,
    Sector,
    StatedFigure,
    SupportBenchmark,
)
from clusterkit.money import ExchangeRate
from clusterkit.plugins import Backup, Store, StoredObservation, StoredRun, StoreError
from clusterkit.schema import (
    DEFAULT_SCHEMA,
    Schema,
    SchemaFormatError,
    schema_from_data,
    schema_to_data,
)
from clusterkit.serde import structure, structure_errors, unstructure

__all__ = [
    "FORMAT",
    "READABLE",
    "export_lines",
    "export_store",
    "import_store",
    "read_backup",
    "restore_store",
]

FORMAT = "clusterkit.backup/2"

#: Formats this clusterkit reads: the current one, and the first (no schema, no
#: records of declared kinds), read as a store holding the built-in model alone.
READABLE = ("clusterkit.backup/1", FORMAT)

#: Kinds of registry records: the line's ``kind``, the dataset's field, the type.
_REGISTRY: tuple[tuple[str, str, type], ...] = (
    ("region", "regions", Region),
    ("sector", "sectors", Sector),
    ("cluster", "clusters", Cluster),
    ("application", "applications", Application),
    ("programme", "programmes", Programme),
    ("series", "series", IndicatorSeries),
    ("obligation", "obligations", CounterObligation),
    ("figure", "figures", StatedFigure),
    ("benchmark", "benchmarks", SupportBenchmark),
    ("rate", "rates", ExchangeRate),
)


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def _backup_of(store: Store) -> Backup:
    take = getattr(store, "backup", None)
    if take is None:
        raise StoreError("this storage back-end cannot make backups (it has no backup())")
    backup: Backup = take()
    return backup


def export_lines(store: Store) -> Iterator[str]:
    """The store as backup lines (each ending in a newline), from one snapshot."""
    backup = _backup_of(store)
    counts: Counter[str] = Counter()
    exported_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    yield _line({"format": FORMAT, "clusterkit": __version__, "exported_at": exported_at})
    data = backup.dataset
    yield _line({"kind": "info", "data": unstructure(data.info)})
    yield _line({"kind": "schema", "data": schema_to_data(data.schema)})
    for kind, field, _type in _REGISTRY:
        for item in getattr(data, field):
            counts[kind] += 1
            yield _line({"kind": kind, "data": unstructure(item)})
    for collection, records in data.records.items():
        for record in records:
            counts["record"] += 1
            yield _line({"kind": "record", "collection": collection, "data": unstructure(record)})
    for record in backup.observations:
        counts["observation"] += 1
        recorded = None if record.recorded_at is None else record.recorded_at.isoformat()
        yield _line(
            {
                "kind": "observation",
                "number": record.number,
                "recorded_at": recorded,
                "data": unstructure(record.observation),
            }
        )
    for run in backup.runs:
        counts["run"] += 1
        yield _line(
            {
                "kind": "run",
                "id": run.id,
                "recorded_at": run.recorded_at.isoformat(),
                "as_of": run.as_of.isoformat(),
                "dataset": run.dataset,
                "data_sha256": run.data_sha256,
                "document": run.document,
            }
        )
    yield _line({"kind": "end", "counts": dict(sorted(counts.items()))})


def export_store(store: Store, out: TextIO) -> dict[str, int]:
    """Write the store's backup to ``out``; returns how many records of each kind."""
    last = "{}"
    for text in export_lines(store):
        out.write(text)
        last = text
    counts: dict[str, int] = json.loads(last)["counts"]
    return counts


class _Reader:
    """Checks a backup line by line; every problem names the line."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.number = 0
        self.format = FORMAT
        #: What the backup declares; entities and records are read under it.
        self.schema: Schema = DEFAULT_SCHEMA
        #: Whether a line of data came already (the schema must come before any).
        self.data_seen = False

    def fail(self, message: str) -> StoreError:
        return StoreError(f"{self.source}:{self.number}: {message}")

    def record(self, text: str) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise self.fail(f"not a JSON line ({exc})") from None
        if not isinstance(value, dict):
            raise self.fail("not a JSON object")
        return value

    def lines(self, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
        """The lines after the header, each a JSON object; the header checked."""
        try:
            for self.number, text in enumerate(lines, start=1):
                if not text.strip():
                    continue
                record = self.record(text)
                if self.number == 1:
                    self.format = _check_header(self, record)
                    continue
                yield record
        except UnicodeDecodeError:
            raise self.fail("the file is not UTF-8 text") from None
        if self.number == 0:
            raise StoreError(f"{self.source}: empty, not a clusterkit backup")

    def typed(self, data: object, type_: type[Any]) -> Any:
        """An entity read as a dataset file's would be, under the backup's schema."""
        self.data_seen = True
        if not declares(self.schema, type_):
            return self.plain(data, type_)
        structurer = Structurer(self.schema)
        try:
            built = structurer.build(data, type_, "")
        except Exception as exc:
            found = [f"{path or 'data'}: {message}" for path, message in _errors(exc)]
            raise self.fail(f"{type_.__name__}: " + "; ".join(found or [str(exc)])) from None
        if built is None or structurer.problems:
            raise self.fail(f"{type_.__name__}: {_listed(structurer.problems)}")
        return built

    def plain(self, data: object, type_: type[Any]) -> Any:
        """An object of a class the schema declares nothing for, by the data converter."""
        try:
            return structure(data, type_)
        except Exception as exc:
            found = [f"{path or 'data'}: {message}" for path, message in _errors(exc)]
            raise self.fail(f"{type_.__name__}: " + "; ".join(found or [str(exc)])) from None

    def declared(self, record: dict[str, Any]) -> tuple[str, Record]:
        """A record of a declared kind, from a ``record`` line."""
        if self.format != FORMAT:
            raise self.fail(f"a record of a declared kind in a backup of format {self.format}")
        self.data_seen = True
        collection = record.get("collection")
        kind = self.schema.kind_of_collection(collection) if isinstance(collection, str) else None
        if kind is None:
            raise self.fail(
                f"collection: {collection!r} is not a kind the backup's schema declares"
            )
        structurer = Structurer(self.schema)
        built = structurer.record(record.get("data"), kind, "")
        if built is None or structurer.problems:
            raise self.fail(f"{kind.name}: {_listed(structurer.problems)}")
        return kind.collection, built

    def declarations(self, record: dict[str, Any]) -> None:
        if self.format != FORMAT:
            raise self.fail(f"a schema line in a backup of format {self.format}")
        if self.data_seen or self.schema is not DEFAULT_SCHEMA:
            raise self.fail("the schema comes once, before the records it describes")
        try:
            self.schema = schema_from_data(record.get("data"))
        except SchemaFormatError as exc:
            found = [
                f"data.{path}: {message}" if path else message for path, message in exc.problems
            ]
            raise self.fail("schema: " + "; ".join(found)) from None

    def when(self, record: dict[str, Any], key: str, type_: type[dt.date]) -> Any:
        value = record.get(key)
        try:
            if isinstance(value, str):
                return type_.fromisoformat(value)
        except ValueError:
            pass
        kind = "a date" if type_ is dt.date else "a date and time"
        raise self.fail(f"{key}: {value!r} is not {kind}")


def _listed(problems: Iterable[tuple[str, str, str]]) -> str:
    found = [f"{path or 'data'}: {message}" for path, message, _code in problems]
    return "; ".join(found or ["data: not an object"])


def _errors(exc: Exception) -> list[tuple[str, str]]:
    try:
        return list(structure_errors(exc, ""))
    except Exception:
        return []


def read_backup(lines: Iterable[str], source: str = "backup") -> Backup:
    """Parse and check a backup; raises :class:`StoreError` naming the line at fault."""
    reader = _Reader(source)
    kinds = {kind: (field, type_) for kind, field, type_ in _REGISTRY}
    items: dict[str, list[Any]] = {field: [] for _kind, field, _type in _REGISTRY}
    records: dict[str, list[Record]] = {}
    info: DatasetInfo | None = None
    observations: list[StoredObservation] = []
    numbers: set[int] = set()
    runs: list[StoredRun] = []
    counts: Counter[str] = Counter()
    end: dict[str, Any] | None = None
    for record in reader.lines(lines):
        if end is not None:
            raise reader.fail("a record after the end line")
        kind = record.get("kind")
        if kind in ("record", *kinds, "observation", "run"):
            counts[str(kind)] += 1
        if kind == "end":
            end = record
        elif kind == "info":
            info = _info(reader, record.get("data"))
        elif kind == "schema":
            reader.declarations(record)
        elif isinstance(kind, str) and kind in kinds:
            items[kinds[kind][0]].append(reader.typed(record.get("data"), kinds[kind][1]))
        elif kind == "record":
            collection, declared = reader.declared(record)
            records.setdefault(collection, []).append(declared)
        elif kind == "observation":
            observations.append(_observation(reader, record, observations, numbers))
        elif kind == "run":
            runs.append(_run(reader, record, runs))
        else:
            raise reader.fail(f"unknown kind of record {kind!r}")
    _check_end(source, end, counts)
    if info is None:
        raise StoreError(f"{source}: the backup has no 'info' record")
    collections: dict[str, Any] = {field: tuple(found) for field, found in items.items()}
    schema = reader.schema
    kept = Records({k.collection: tuple(records.get(k.collection, ())) for k in schema.kinds})
    dataset = Dataset(info, **collections, records=kept, schema=schema)
    return Backup(dataset, tuple(observations), tuple(runs))


def _check_end(source: str, end: dict[str, Any] | None, counts: Counter[str]) -> None:
    if end is None:
        raise StoreError(f"{source}: the backup has no end line: it was cut short")
    if end.get("counts") != dict(sorted(counts.items())):
        raise StoreError(
            f"{source}: the backup's end line counts {end.get('counts')} but it holds "
            f"{dict(sorted(counts.items()))}"
        )


def _info(reader: _Reader, data: object) -> DatasetInfo:
    info: DatasetInfo = reader.plain(data, DatasetInfo)
    return info


def _check_header(reader: _Reader, record: dict[str, Any]) -> str:
    """The backup's format, if this clusterkit reads it."""
    found = record.get("format")
    if not isinstance(found, str) or not found.startswith("clusterkit.backup/"):
        raise reader.fail("not a clusterkit backup (the first line names no format)")
    if found not in READABLE:
        raise reader.fail(
            f"backup format {found} is not one this clusterkit reads ({', '.join(READABLE)}); "
            "upgrade clusterkit to import it"
        )
    return found


def _observation(
    reader: _Reader, record: dict[str, Any], before: list[StoredObservation], numbers: set[int]
) -> StoredObservation:
    number = record.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise reader.fail("number: not a positive whole number")
    if before and number <= before[-1].number:
        raise reader.fail(f"number {number} does not follow {before[-1].number}")
    recorded = None
    if record.get("recorded_at") is not None:
        recorded = reader.when(record, "recorded_at", dt.datetime)
    observation: Observation = reader.typed(record.get("data"), Observation)
    target = observation.supersedes
    if target is not None and target not in numbers:
        raise reader.fail(f"observation {number} supersedes {target}, which is not before it")
    numbers.add(number)
    return StoredObservation(number, recorded, observation)


def _run(reader: _Reader, record: dict[str, Any], before: list[StoredRun]) -> StoredRun:
    run_id = record.get("id")
    if not isinstance(run_id, int) or isinstance(run_id, bool) or run_id < 1:
        raise reader.fail("id: not a positive whole number")
    if before and run_id <= before[-1].id:
        raise reader.fail(f"run {run_id} does not follow run {before[-1].id}")
    for key in ("dataset", "data_sha256", "document"):
        if not isinstance(record.get(key), str):
            raise reader.fail(f"{key}: not text")
    return StoredRun(
        run_id,
        reader.when(record, "recorded_at", dt.datetime),
        reader.when(record, "as_of", dt.date),
        record["dataset"],
        record["data_sha256"],
        record["document"],
    )


def restore_store(store: Store, backup: Backup) -> dict[str, int]:
    """Restore a checked backup into an empty store; returns how many records of each
    kind. A store that holds anything is refused, so nothing stored is overwritten."""
    restore = getattr(store, "restore", None)
    if restore is None:
        raise StoreError("this storage back-end cannot import backups (it has no restore())")
    restore(backup)
    counts = {kind: len(getattr(backup.dataset, field)) for kind, field, _t in _REGISTRY}
    counts |= {
        "record": sum(len(items) for items in backup.dataset.records.values()),
        "observation": len(backup.observations),
        "run": len(backup.runs),
    }
    return {kind: n for kind, n in counts.items() if n}


def import_store(store: Store, lines: Iterable[str], source: str = "backup") -> dict[str, int]:
    """Check a whole backup, then restore it into an empty store (:func:`restore_store`)."""
    return restore_store(store, read_backup(lines, source))
