"""The default store: one SQLite file (the standard library's sqlite3).

The schema and every query are shared with the PostgreSQL store
(:mod:`clusterkit_plugins.sql_schema`, :mod:`clusterkit_plugins.sql_store`); this
module only opens the file and speaks sqlite3.

- Transactions: every write is one transaction; a process killed mid-write leaves
  the previous state (SQLite's journal guarantees it).
- Concurrency: write-ahead logging, so readers go on while one writer writes; a
  writer waits up to :data:`BUSY_TIMEOUT_MS` for another, then gets a clear error.
- Schema: ``PRAGMA user_version`` holds the schema version; :data:`MIGRATIONS`
  upgrade older stores in place, and a store from a newer clusterkit is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs

from clusterkit.i18n import local as _
from clusterkit.plugins import PLUGIN_API, StoreError, no_store
from clusterkit_plugins.common import BUSY_TIMEOUT_MS, timeout_ms
from clusterkit_plugins.sql_schema import SCHEMA_VERSION, Dialect, migrations
from clusterkit_plugins.sql_store import SqlStore

__all__ = ["BUSY_TIMEOUT_MS", "MIGRATIONS", "SCHEMA_VERSION", "SQLITE", "SqliteStore", "plugin"]


def _append_only(table: str, message: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only_{kind} BEFORE {event} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for kind, event in (("u", "UPDATE"), ("d", "DELETE"))
    ]


SQLITE = Dialect(
    name="sqlite",
    order_column="",
    auto_key="INTEGER PRIMARY KEY",
    store_key="INTEGER PRIMARY KEY AUTOINCREMENT",
    append_only=_append_only,
    participants_from_json=(
        "INSERT INTO participants (cluster_id, id, bin, role) "
        "SELECT clusters.id, json_extract(p.value, '$.id'), json_extract(p.value, '$.bin'), "
        "json_extract(p.value, '$.role') "
        "FROM clusters, json_each(clusters.doc, '$.participants') AS p"
    ),
)

#: Schema migrations, in order: ``MIGRATIONS[i]`` takes a store from version i to i+1.
MIGRATIONS: tuple[tuple[str, ...], ...] = migrations(SQLITE)


class SqliteStore(SqlStore):
    """A store in one SQLite file. Open it with :meth:`open` or the plugin."""

    dialect: ClassVar[Dialect] = SQLITE

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        super().__init__(str(path), (sqlite3.Error,))
        self.path = path
        self._db = connection

    @classmethod
    def open(cls, path: Path, *, create: bool) -> SqliteStore:
        if not path.exists() and not create:
            raise StoreError(f"{path}: {no_store()}")
        if path.is_dir():
            raise StoreError(_("{path}: is a directory, not a store file").format(path=path))
        try:
            timeout = timeout_ms()
            # The absolute path, so that SQLite takes every name as a file's: a path
            # that begins "file:" is not read as a URI, nor ":memory:" as no file.
            connection = sqlite3.connect(
                path.absolute(), timeout=timeout / 1000, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: {_explain(exc)}") from None
        store = cls(path, connection)
        try:
            connection.execute(f"PRAGMA busy_timeout = {timeout}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            store._migrate()
        except sqlite3.Error as exc:
            connection.close()
            raise StoreError(f"{path}: {_explain(exc)}") from None
        except StoreError:
            connection.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()

    def _run(self, sql: str, params: Sequence[object] | None = None) -> list[tuple[Any, ...]]:
        return self._db.execute(sql, params or ()).fetchall()

    def _run_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._db.executemany(sql, rows)

    def _begin(self, *, write: bool) -> None:
        # IMMEDIATE takes the write lock now, waiting up to the busy timeout.
        self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def _finish(self, *, commit: bool) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT" if commit else "ROLLBACK")

    def _explain(self, exc: Exception) -> str:
        return _explain(exc)

    def _get_version(self) -> int:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        return int(version)

    def _set_version(self, version: int) -> None:
        self._db.execute(f"PRAGMA user_version = {int(version)}")


def _explain(exc: Exception) -> str:
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
