"""A store in a PostgreSQL database, for an agency whose people share one registry.

``postgresql://user@host:5432/clusterkit`` (any libpq URL: a password, a Unix socket
with ``?host=/var/run/postgresql``, a schema with ``?options=-csearch_path%3Dname``).
The database must exist; the store's tables are created in it on first use.

Same schema and queries as the SQLite store (:mod:`clusterkit_plugins.sql_store`):

- Transactions: each write is one transaction; a client killed mid-write leaves
  nothing behind (the server rolls back when the connection drops).
- Concurrency: readers read a consistent snapshot (repeatable read) while one writer
  writes; writers take one lock per store (an advisory transaction lock on the
  schema's name), so a second writer waits up to ``CLUSTERKIT_STORE_TIMEOUT_MS``
  (5 s) and is then told the store is locked.
- Schema: the version is kept in ``clusterkit_schema``; older stores are migrated when
  opened, a newer one is refused. Triggers refuse updates, deletes and truncation of
  observations and runs.

psycopg is imported only when a PostgreSQL store is opened: it is an optional extra,
``pip install 'clusterkit[postgresql]'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import attrs

from clusterkit.i18n import local as _
from clusterkit.plugins import PLUGIN_API, StoreError, no_store
from clusterkit_plugins.common import timeout_ms
from clusterkit_plugins.sql_schema import Dialect
from clusterkit_plugins.sql_store import SqlStore

if TYPE_CHECKING:
    import psycopg

__all__ = ["POSTGRESQL", "PostgresStore", "plugin"]


def _append_only(table: str, message: str) -> list[str]:
    refuse = f"EXECUTE FUNCTION clusterkit_refuse('{message}')"
    return [
        "CREATE OR REPLACE FUNCTION clusterkit_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation'; END $$",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW {refuse}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT {refuse}",
    ]


POSTGRESQL = Dialect(
    name="postgresql",
    order_column=", rowid BIGINT GENERATED ALWAYS AS IDENTITY",
    auto_key="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    store_key="BIGINT PRIMARY KEY",
    append_only=_append_only,
    participants_from_json=(
        "INSERT INTO participants (cluster_id, id, bin, role) "
        "SELECT c.id, p.value ->> 'id', p.value ->> 'bin', p.value ->> 'role' "
        "FROM clusters AS c, jsonb_array_elements(c.doc::jsonb -> 'participants') AS p(value)"
    ),
)

# One write lock per store: the same key for every process writing to this schema.
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('clusterkit'), hashtext(current_schema()))"


def display(url: str) -> str:
    """The URL without its password or options, for messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "postgresql://…"
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().removeprefix("connection failed: ")
    return text.splitlines()[0] if text else type(exc).__name__


class PostgresStore(SqlStore):
    """A store in a PostgreSQL database. Open it with :meth:`open` or the plugin."""

    dialect: ClassVar[Dialect] = POSTGRESQL

    def __init__(self, where: str, connection: psycopg.Connection[Any]) -> None:
        import psycopg  # noqa: PLC0415 - an optional extra, loaded only for this back-end

        super().__init__(where, (psycopg.Error,))
        self._db = connection

    @classmethod
    def open(cls, location: str, *, create: bool) -> PostgresStore:
        try:
            import psycopg  # noqa: PLC0415 - an optional extra, loaded only for this back-end
        except ImportError:
            raise StoreError(
                _("the PostgreSQL store needs psycopg 3: {install}").format(
                    install="pip install 'clusterkit[postgresql]'"
                )
            ) from None
        url = f"postgresql://{location}"
        where = display(url)
        try:
            connection = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(
                _("{where}: cannot connect: {error}").format(where=where, error=_first_line(exc))
            ) from None
        store = cls(where, connection)
        try:
            if not create and not store._exists():
                raise StoreError(f"{where}: {no_store()}")
            store._migrate()
        except psycopg.Error as exc:
            connection.close()
            raise StoreError(f"{where}: {store._explain(exc)}") from None
        except StoreError:
            connection.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()

    def _run(self, sql: str, params: Sequence[object] | None = None) -> list[tuple[Any, ...]]:
        if params:
            cursor = self._db.execute(sql.replace("?", "%s"), params)
        else:
            cursor = self._db.execute(sql)
        return cursor.fetchall() if cursor.description is not None else []

    def _run_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        with self._db.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)

    def _begin(self, *, write: bool) -> None:
        if write:
            self._db.execute("BEGIN")
            # 0 would mean "wait for ever" to PostgreSQL; to clusterkit it means "do not wait".
            self._db.execute(f"SET LOCAL lock_timeout = '{max(timeout_ms(), 1)}ms'")
            self._db.execute(_LOCK)
        else:
            self._db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def _finish(self, *, commit: bool) -> None:
        self._db.execute("COMMIT" if commit else "ROLLBACK")

    def _explain(self, exc: Exception) -> str:
        import psycopg.errors  # noqa: PLC0415 - loaded already by open()

        if isinstance(exc, psycopg.errors.LockNotAvailable):
            return _("the store is locked by another writer; try again when it has finished")
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            return _("not allowed: {error}").format(error=_first_line(exc))
        if isinstance(exc, psycopg.OperationalError) and self._db.closed:
            return _("the connection to the server was lost: {error}").format(
                error=_first_line(exc)
            )
        diag = getattr(exc, "diag", None)
        primary = getattr(diag, "message_primary", None)
        return str(primary) if primary else _first_line(exc)

    def _exists(self) -> bool:
        rows = self._run("SELECT to_regclass('clusterkit_schema') IS NOT NULL")
        return bool(rows[0][0])

    def _get_version(self) -> int:
        if not self._exists():
            return 0
        rows = self._run("SELECT max(version) FROM clusterkit_schema")
        return int(rows[0][0] or 0)

    def _set_version(self, version: int) -> None:
        self._run("CREATE TABLE IF NOT EXISTS clusterkit_schema (version INTEGER NOT NULL)")
        self._run("DELETE FROM clusterkit_schema")
        self._run(f"INSERT INTO clusterkit_schema (version) VALUES ({int(version)})")


@attrs.frozen
class _PostgresPlugin:
    name: str = "postgresql"
    api_version: int = PLUGIN_API
    description: str = "a PostgreSQL database: postgresql://USER@HOST:PORT/DATABASE"

    def open(self, location: str, *, create: bool) -> PostgresStore:
        return PostgresStore.open(location, create=create)


#: The entry point ``clusterkit.storage: postgresql``.
plugin = _PostgresPlugin()
