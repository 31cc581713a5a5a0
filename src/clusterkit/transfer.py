"""Backup of a whole store, and its import into an empty store of any back-end.

The file is JSON lines (format ``clusterkit.backup/1``, documented in
docs/operations.md): a header, then one line per record, in store order, then an end
line with the count of every kind, so a file cut short is refused rather than half
imported. Numbers of observations, ids of runs, recording times and run documents
are kept exactly: an export of the imported store gives the same records, line for
line, whichever back-ends they went through.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from clusterkit._version import __version__
from clusterkit.model import (
    Application,
    Cluster,
    CounterObligation,
    Dataset,
    DatasetInfo,
    IndicatorSeries,
    Observation,
    Programme,
    Region,
    Sector,
    StatedFigure,
    SupportBenchmark,
)
from clusterkit.money import ExchangeRate
from clusterkit.plugins import Backup, Store, StoredObservation, StoredRun, StoreError
from clusterkit.serde import structure, structure_errors, unstructure

__all__ = [
    "FORMAT",
    "export_lines",
    "export_store",
    "import_store",
    "read_backup",
    "restore_store",
]

FORMAT = "clusterkit.backup/1"

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
    for kind, field, _type in _REGISTRY:
        for item in getattr(data, field):
            counts[kind] += 1
            yield _line({"kind": kind, "data": unstructure(item)})
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

    def typed(self, data: object, type_: type[Any]) -> Any:
        try:
            return structure(data, type_)
        except Exception as exc:
            found = [f"{path or 'data'}: {message}" for path, message in _errors(exc)]
            raise self.fail(f"{type_.__name__}: " + "; ".join(found or [str(exc)])) from None

    def when(self, record: dict[str, Any], key: str, type_: type[dt.date]) -> Any:
        value = record.get(key)
        try:
            if isinstance(value, str):
                return type_.fromisoformat(value)
        except ValueError:
            pass
        kind = "a date" if type_ is dt.date else "a date and time"
        raise self.fail(f"{key}: {value!r} is not {kind}")


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
    info: DatasetInfo | None = None
    observations: list[StoredObservation] = []
    numbers: set[int] = set()
    runs: list[StoredRun] = []
    counts: Counter[str] = Counter()
    end: dict[str, Any] | None = None
    try:
        for reader.number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            record = reader.record(text)
            if reader.number == 1:
                _check_header(reader, record)
                continue
            if end is not None:
                raise reader.fail("a record after the end line")
            kind = record.get("kind")
            if kind == "end":
                end = record
            elif kind == "info":
                info = reader.typed(record.get("data"), DatasetInfo)
            elif isinstance(kind, str) and kind in kinds:
                counts[kind] += 1
                items[kinds[kind][0]].append(reader.typed(record.get("data"), kinds[kind][1]))
            elif kind == "observation":
                counts[kind] += 1
                observations.append(_observation(reader, record, observations, numbers))
            elif kind == "run":
                counts[kind] += 1
                runs.append(_run(reader, record, runs))
            else:
                raise reader.fail(f"unknown kind of record {kind!r}")
    except UnicodeDecodeError:
        raise reader.fail("the file is not UTF-8 text") from None
    if reader.number == 0:
        raise StoreError(f"{source}: empty, not a clusterkit backup")
    if end is None:
        raise StoreError(f"{source}: the backup has no end line: it was cut short")
    if end.get("counts") != dict(sorted(counts.items())):
        raise StoreError(
            f"{source}: the backup's end line counts {end.get('counts')} but it holds "
            f"{dict(sorted(counts.items()))}"
        )
    if info is None:
        raise StoreError(f"{source}: the backup has no 'info' record")
    collections: dict[str, Any] = {field: tuple(found) for field, found in items.items()}
    dataset = Dataset(info, **collections)
    return Backup(dataset, tuple(observations), tuple(runs))


def _check_header(reader: _Reader, record: dict[str, Any]) -> None:
    found = record.get("format")
    if not isinstance(found, str) or not found.startswith("clusterkit.backup/"):
        raise reader.fail("not a clusterkit backup (the first line names no format)")
    if found != FORMAT:
        raise reader.fail(
            f"backup format {found} is not one this clusterkit reads ({FORMAT}); "
            "upgrade clusterkit to import it"
        )


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
    counts |= {"observation": len(backup.observations), "run": len(backup.runs)}
    return {kind: n for kind, n in counts.items() if n}


def import_store(store: Store, lines: Iterable[str], source: str = "backup") -> dict[str, int]:
    """Check a whole backup, then restore it into an empty store (:func:`restore_store`)."""
    return restore_store(store, read_backup(lines, source))
