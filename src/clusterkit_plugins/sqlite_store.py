"""The default store: one SQLite file (the standard library's sqlite3).

Entities are kept as JSON documents written by clusterkit's one cattrs converter,
in tables keyed by id, with the columns a query needs beside them. Observations and
evaluation runs are append-only: triggers refuse updates and deletes.

- Transactions: every write is one transaction; a process killed mid-write leaves
  the previous state (SQLite's journal guarantees it).
- Concurrency: write-ahead logging, so readers go on while one writer writes; a
  writer waits up to :data:`BUSY_TIMEOUT_MS` for another, then gets a clear error.
- Schema: ``PRAGMA user_version`` holds the schema version; :data:`MIGRATIONS`
  upgrade older stores in place, and a store from a newer clusterkit is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import attrs

from clusterkit import ResultSet
from clusterkit.i18n import local as _
from clusterkit.model import (
    Application,
    Cluster,
    CounterObligation,
    Dataset,
    DatasetInfo,
    IndicatorSeries,
    InvalidFieldsError,
    LocalizedText,
    Observation,
    Programme,
    Region,
    Sector,
    StatedFigure,
    StatusChange,
    SupportBenchmark,
)
from clusterkit.money import ExchangeRate
from clusterkit.plugins import PLUGIN_API, StoredRun, StoreError, no_store
from clusterkit.serde import structure, unstructure

__all__ = ["BUSY_TIMEOUT_MS", "MIGRATIONS", "SCHEMA_VERSION", "SqliteStore", "plugin"]

#: How long a writer waits for another writer before giving up; the environment
#: variable ``CLUSTERKIT_STORE_TIMEOUT_MS`` overrides it.
BUSY_TIMEOUT_MS = 5000


def _timeout_ms() -> int:
    raw = os.environ.get("CLUSTERKIT_STORE_TIMEOUT_MS", "")
    return int(raw) if raw.isdigit() else BUSY_TIMEOUT_MS


T = TypeVar("T")

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE regions (code TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE sectors (code TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE clusters (
    id TEXT PRIMARY KEY, registry_status TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE applications (
    id TEXT PRIMARY KEY, cluster_id TEXT NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE programmes (id TEXT PRIMARY KEY, cluster_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE series (
    cluster_id TEXT NOT NULL, indicator TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (cluster_id, indicator));
CREATE TABLE obligations (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE figures (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE benchmarks (seq INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE rates (seq INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE observations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id TEXT NOT NULL, indicator TEXT NOT NULL, year INTEGER NOT NULL,
    recorded_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TRIGGER observations_append_only_u BEFORE UPDATE ON observations
    BEGIN SELECT RAISE(ABORT, 'observations are append-only'); END;
CREATE TRIGGER observations_append_only_d BEFORE DELETE ON observations
    BEGIN SELECT RAISE(ABORT, 'observations are append-only'); END;
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, recorded_at TEXT NOT NULL, as_of TEXT NOT NULL,
    dataset TEXT NOT NULL, data_sha256 TEXT NOT NULL, document TEXT NOT NULL);
CREATE TRIGGER runs_append_only_u BEFORE UPDATE ON runs
    BEGIN SELECT RAISE(ABORT, 'evaluation runs are kept as they were'); END;
CREATE TRIGGER runs_append_only_d BEFORE DELETE ON runs
    BEGIN SELECT RAISE(ABORT, 'evaluation runs are kept as they were'); END;
"""

# Version 2: participants get a table of their own, so a BIN can be looked up across
# the registry, and each run's verdicts are indexed by rule and entity.
_V2 = """
CREATE TABLE participants (
    cluster_id TEXT NOT NULL, id TEXT NOT NULL, bin TEXT NOT NULL, role TEXT NOT NULL,
    PRIMARY KEY (cluster_id, id));
CREATE INDEX participants_bin ON participants (bin);
CREATE TABLE run_results (
    run_id INTEGER NOT NULL REFERENCES runs (id), rulebook TEXT NOT NULL, rule TEXT NOT NULL,
    entity TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX run_results_rule ON run_results (rulebook, rule, entity);
INSERT INTO participants (cluster_id, id, bin, role)
    SELECT clusters.id, json_extract(p.value, '$.id'), json_extract(p.value, '$.bin'),
           json_extract(p.value, '$.role')
    FROM clusters, json_each(clusters.doc, '$.participants') AS p;
"""

# Insert or update in place, keeping each row's position (INSERT OR REPLACE would
# delete and re-insert, moving it to the end).
_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "meta": (("key",), ("doc",)),
    "regions": (("code",), ("doc",)),
    "sectors": (("code",), ("doc",)),
    "clusters": (("id",), ("registry_status", "doc")),
    "applications": (("id",), ("cluster_id", "status", "doc")),
    "programmes": (("id",), ("cluster_id", "doc")),
    "series": (("cluster_id", "indicator"), ("doc",)),
    "obligations": (("id",), ("doc",)),
    "figures": (("id",), ("doc",)),
}
_UPSERT = {
    table: f"INSERT INTO {table} ({', '.join(keys + others)}) "
    f"VALUES ({', '.join('?' for _ in keys + others)}) "
    f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in others)
    for table, (keys, others) in _KEYS.items()
}

#: Schema migrations, in order: ``MIGRATIONS[i]`` takes a store from version i to i+1.
MIGRATIONS: tuple[str, ...] = (_V1, _V2)
SCHEMA_VERSION = len(MIGRATIONS)


def _dump(value: object) -> str:
    return json.dumps(unstructure(value), ensure_ascii=False, sort_keys=True)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class SqliteStore:
    """A store in one SQLite file. Open it with :func:`open_sqlite` or the plugin."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    # -- opening ----------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, create: bool) -> SqliteStore:
        if not path.exists() and not create:
            raise StoreError(f"{path}: {no_store()}")
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not a store file")
        try:
            timeout = _timeout_ms()
            connection = sqlite3.connect(path, timeout=timeout / 1000, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout = {timeout}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            store = cls(path, connection)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: {_explain(exc)}") from None
        return store

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise StoreError(
                _(
                    "the store's schema is version {version}, newer than this clusterkit "
                    "understands ({known}); upgrade clusterkit to use it"
                ).format(version=version, known=SCHEMA_VERSION)
            )
        if version == SCHEMA_VERSION:
            return
        with self._write():
            (version,) = self._db.execute("PRAGMA user_version").fetchone()
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it happens, or none of it."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: {_explain(exc)}") from None
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: {_explain(exc)}") from None

    def _read(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: {_explain(exc)}") from None

    def _docs(self, sql: str, type_: type[T], *args: object) -> list[T]:
        return [structure(json.loads(doc), type_) for (doc,) in self._read(sql, *args)]

    # -- registry -----------------------------------------------------------------------
    def import_dataset(self, dataset: Dataset) -> None:
        keyed: dict[str, list[tuple[str, ...]]] = {
            "meta": [("info", _dump(dataset.info))],
            "regions": [(r.code, _dump(r)) for r in dataset.regions],
            "sectors": [(s.code, _dump(s)) for s in dataset.sectors],
            "programmes": [(p.id, p.cluster, _dump(p)) for p in dataset.programmes],
            "series": [(s.cluster, s.indicator, _dump(s)) for s in dataset.series],
            "obligations": [(o.id, _dump(o)) for o in dataset.obligations],
            "figures": [(f.id, _dump(f)) for f in dataset.figures],
        }
        with self._write() as db:
            for table, rows in keyed.items():
                db.executemany(_UPSERT[table], rows)
            for cluster in dataset.clusters:
                self._put_cluster(db, cluster)
            for application in dataset.applications:
                self._put_application(db, application)
            db.execute("DELETE FROM benchmarks")
            db.executemany(
                "INSERT INTO benchmarks (doc) VALUES (?)", [(_dump(b),) for b in dataset.benchmarks]
            )
            db.execute("DELETE FROM rates")
            db.executemany(
                "INSERT INTO rates (doc) VALUES (?)", [(_dump(r),) for r in dataset.rates]
            )
            for observation in dataset.observations:
                self._append_observation(db, observation)

    def _put_cluster(self, db: sqlite3.Connection, cluster: Cluster) -> None:
        row = (cluster.id, cluster.registry_status.value, _dump(cluster))
        db.execute(_UPSERT["clusters"], row)
        db.execute("DELETE FROM participants WHERE cluster_id = ?", (cluster.id,))
        db.executemany(
            "INSERT INTO participants VALUES (?, ?, ?, ?)",
            [(cluster.id, p.id, p.bin, p.role) for p in cluster.participants],
        )

    def _put_application(self, db: sqlite3.Connection, application: Application) -> None:
        row = (application.id, application.cluster, application.status.value, _dump(application))
        db.execute(_UPSERT["applications"], row)

    def info(self) -> DatasetInfo:
        rows = self._read("SELECT doc FROM meta WHERE key = 'info'")
        if not rows:
            return DatasetInfo("store", LocalizedText(en=f"clusterkit store {self.path.name}"))
        return structure(json.loads(rows[0][0]), DatasetInfo)

    def dataset(self) -> Dataset:
        return Dataset(
            self.info(),
            regions=tuple(self._docs("SELECT doc FROM regions ORDER BY rowid", Region)),
            sectors=tuple(self._docs("SELECT doc FROM sectors ORDER BY rowid", Sector)),
            clusters=tuple(self.clusters()),
            applications=tuple(self.applications()),
            programmes=tuple(self.programmes()),
            series=tuple(self._docs("SELECT doc FROM series ORDER BY rowid", IndicatorSeries)),
            obligations=tuple(
                self._docs("SELECT doc FROM obligations ORDER BY rowid", CounterObligation)
            ),
            observations=tuple(self.observations()),
            rates=tuple(self._docs("SELECT doc FROM rates ORDER BY seq", ExchangeRate)),
            figures=tuple(self._docs("SELECT doc FROM figures ORDER BY rowid", StatedFigure)),
            benchmarks=tuple(
                self._docs("SELECT doc FROM benchmarks ORDER BY seq", SupportBenchmark)
            ),
        )

    def clusters(self) -> Sequence[Cluster]:
        return self._docs("SELECT doc FROM clusters ORDER BY rowid", Cluster)

    def cluster(self, cluster_id: str) -> Cluster | None:
        found = self._docs("SELECT doc FROM clusters WHERE id = ?", Cluster, cluster_id)
        return found[0] if found else None

    def programmes(self) -> Sequence[Programme]:
        return self._docs("SELECT doc FROM programmes ORDER BY rowid", Programme)

    def applications(self) -> Sequence[Application]:
        return self._docs("SELECT doc FROM applications ORDER BY rowid", Application)

    def add_application(self, application: Application) -> None:
        with self._write() as db:
            if db.execute("SELECT 1 FROM applications WHERE id = ?", (application.id,)).fetchone():
                raise StoreError(
                    _("an application {id!r} is already recorded").format(id=application.id)
                )
            if not db.execute(
                "SELECT 1 FROM clusters WHERE id = ?", (application.cluster,)
            ).fetchone():
                raise StoreError(
                    _("no cluster {id!r} in the registry").format(id=application.cluster)
                )
            self._put_application(db, application)

    def decide(self, application_id: str, change: StatusChange) -> Application:
        with self._write() as db:
            row = db.execute(
                "SELECT doc FROM applications WHERE id = ?", (application_id,)
            ).fetchone()
            if row is None:
                raise StoreError(_("no application {id!r}").format(id=application_id))
            current = structure(json.loads(row[0]), Application)
            updated = _with_change(current, change)
            self._put_application(db, updated)
            return updated

    # -- observations -------------------------------------------------------------------
    def _append_observation(self, db: sqlite3.Connection, observation: Observation) -> int:
        cursor = db.execute(
            "INSERT INTO observations (cluster_id, indicator, year, recorded_at, doc) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                observation.cluster,
                observation.indicator,
                observation.year,
                _now(),
                _dump(observation),
            ),
        )
        return int(cursor.lastrowid or 0)

    def observe(self, observation: Observation) -> int:
        with self._write() as db:
            if not db.execute(
                "SELECT 1 FROM clusters WHERE id = ?", (observation.cluster,)
            ).fetchone():
                raise StoreError(
                    _("no cluster {id!r} in the registry").format(id=observation.cluster)
                )
            return self._append_observation(db, observation)

    def observations(self) -> Sequence[Observation]:
        return self._docs("SELECT doc FROM observations ORDER BY seq", Observation)

    # -- evaluation runs --------------------------------------------------------------
    def save_run(self, results: ResultSet, document: str) -> int:
        p = results.provenance
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs (recorded_at, as_of, dataset, data_sha256, document) "
                "VALUES (?, ?, ?, ?, ?)",
                (_now(), p.as_of.isoformat(), p.dataset, p.data_sha256, document),
            )
            run_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO run_results VALUES (?, ?, ?, ?, ?)",
                [(run_id, r.rulebook, r.rule, r.entity, r.outcome.value) for r in results.results],
            )
            return run_id

    def runs(self) -> Sequence[StoredRun]:
        rows = self._read(
            "SELECT id, recorded_at, as_of, dataset, data_sha256, document FROM runs ORDER BY id"
        )
        return [_run(row) for row in rows]

    def run(self, run_id: int) -> StoredRun | None:
        rows = self._read(
            "SELECT id, recorded_at, as_of, dataset, data_sha256, document FROM runs WHERE id = ?",
            run_id,
        )
        return _run(rows[0]) if rows else None


def _run(row: tuple[Any, ...]) -> StoredRun:
    run_id, recorded_at, as_of, dataset, digest, document = row
    return StoredRun(
        int(run_id),
        dt.datetime.fromisoformat(recorded_at),
        dt.date.fromisoformat(as_of),
        dataset,
        digest,
        document,
    )


def _with_change(application: Application, change: StatusChange) -> Application:
    """The application with ``change`` appended; the model checks the order."""
    try:
        return attrs.evolve(application, history=(*application.history, change))
    except InvalidFieldsError as exc:
        raise StoreError("; ".join(e.message for e in exc.errors)) from None


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (triggers hold semicolons inside)."""
    out: list[str] = []
    current: list[str] = []
    for line in script.strip().splitlines():
        current.append(line)
        text = "\n".join(current)
        if sqlite3.complete_statement(text):
            out.append(text.strip())
            current = []
    return out


def _explain(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return _("the store is locked by another writer; try again when it has finished")
    if "not a database" in text:
        return _("is not a clusterkit store (not an SQLite database)")
    if "readonly" in text or "read-only" in text:
        return _("the store cannot be written (read-only)")
    if "unable to open" in text:
        return _("the store cannot be opened (check the path and permissions)")
    return text


@attrs.frozen
class _SqlitePlugin:
    name: str = "sqlite"
    api_version: int = PLUGIN_API
    description: str = "one SQLite file (the default): sqlite://PATH"

    def open(self, location: str, *, create: bool) -> SqliteStore:
        return SqliteStore.open(Path(location), create=create)


#: The entry point ``clusterkit.storage: sqlite``.
plugin = _SqlitePlugin()
