"""One schema for both SQL stores, SQLite and PostgreSQL, with its migrations.

The tables, columns, keys and indexes are written once, in the SQL both databases
share; a :class:`Dialect` fills the few places where they differ (how a table keeps
its insertion order, how a key numbers itself, how a table is made append-only, how
JSON is unpacked in the one migration that does). ``migrations(dialect)[i]`` takes a
store from schema version i to i+1; both stores run the same list, so a PostgreSQL
store and a SQLite file of the same version have the same tables.

Why not SQLAlchemy and Alembic: the default store would import SQLAlchemy (about
150 ms) on every command that opens it, the schema is a dozen tables in portable
SQL, and Alembic keeps its own version table while SQLite files already record
theirs in ``PRAGMA user_version``. See docs/operations.md.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

__all__ = ["DATA_TABLES", "KEYED", "SCHEMA_VERSION", "Dialect", "migrations", "upsert"]


@attrs.frozen
class Dialect:
    """Where SQLite and PostgreSQL differ in the schema.

    Attributes:
        name: ``sqlite`` or ``postgresql``.
        order_column: added to keyed tables so ``ORDER BY rowid`` gives insertion
            order (SQLite has a rowid already).
        auto_key: a key that numbers itself.
        store_key: a key the store assigns (observations' and runs' numbers).
        append_only: statements making a table refuse updates and deletes.
        participants_from_json: fills ``participants`` from the clusters' documents.
    """

    name: str
    order_column: str
    auto_key: str
    store_key: str
    append_only: Callable[[str, str], list[str]]
    participants_from_json: str


# Tables keyed by id: (key columns, other columns). Upserts keep a row's place.
KEYED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
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

#: Tables whose rows make a store non-empty.
DATA_TABLES = (*KEYED, "benchmarks", "rates", "records", "observations", "runs")


def upsert(table: str) -> str:
    """Insert or update in place (both databases spell ``ON CONFLICT`` the same)."""
    keys, others = KEYED[table]
    columns = keys + others
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in others)
    )


def _version_1(d: Dialect) -> list[str]:
    o = d.order_column
    return [
        f"CREATE TABLE meta (key TEXT PRIMARY KEY, doc TEXT NOT NULL{o})",
        f"CREATE TABLE regions (code TEXT PRIMARY KEY, doc TEXT NOT NULL{o})",
        f"CREATE TABLE sectors (code TEXT PRIMARY KEY, doc TEXT NOT NULL{o})",
        "CREATE TABLE clusters (id TEXT PRIMARY KEY, registry_status TEXT NOT NULL, "
        f"doc TEXT NOT NULL{o})",
        "CREATE TABLE applications (id TEXT PRIMARY KEY, cluster_id TEXT NOT NULL, "
        f"status TEXT NOT NULL, doc TEXT NOT NULL{o})",
        "CREATE TABLE programmes (id TEXT PRIMARY KEY, cluster_id TEXT NOT NULL, "
        f"doc TEXT NOT NULL{o})",
        "CREATE TABLE series (cluster_id TEXT NOT NULL, indicator TEXT NOT NULL, "
        f"doc TEXT NOT NULL{o}, PRIMARY KEY (cluster_id, indicator))",
        f"CREATE TABLE obligations (id TEXT PRIMARY KEY, doc TEXT NOT NULL{o})",
        f"CREATE TABLE figures (id TEXT PRIMARY KEY, doc TEXT NOT NULL{o})",
        f"CREATE TABLE benchmarks (seq {d.auto_key}, doc TEXT NOT NULL)",
        f"CREATE TABLE rates (seq {d.auto_key}, doc TEXT NOT NULL)",
        f"CREATE TABLE observations (seq {d.store_key}, cluster_id TEXT NOT NULL, "
        "indicator TEXT NOT NULL, year INTEGER NOT NULL, recorded_at TEXT NOT NULL, "
        "doc TEXT NOT NULL)",
        *d.append_only("observations", "observations are append-only"),
        f"CREATE TABLE runs (id {d.store_key}, recorded_at TEXT NOT NULL, "
        "as_of TEXT NOT NULL, dataset TEXT NOT NULL, data_sha256 TEXT NOT NULL, "
        "document TEXT NOT NULL)",
        *d.append_only("runs", "evaluation runs are kept as they were"),
    ]


# Version 2: participants get a table of their own, so a BIN can be looked up across
# the registry, and each run's verdicts are indexed by rule and entity.
def _version_2(d: Dialect) -> list[str]:
    return [
        "CREATE TABLE participants (cluster_id TEXT NOT NULL, id TEXT NOT NULL, "
        "bin TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (cluster_id, id))",
        "CREATE INDEX participants_bin ON participants (bin)",
        "CREATE TABLE run_results (run_id INTEGER NOT NULL REFERENCES runs (id), "
        "rulebook TEXT NOT NULL, rule TEXT NOT NULL, entity TEXT NOT NULL, "
        "outcome TEXT NOT NULL)",
        "CREATE INDEX run_results_rule ON run_results (rulebook, rule, entity)",
        d.participants_from_json,
    ]


# Version 3: corrections. An observation may name the one it supersedes; the unique
# index lets each be superseded at most once, whoever writes to the database.
def _version_3(d: Dialect) -> list[str]:
    return [
        "ALTER TABLE observations ADD COLUMN supersedes INTEGER",
        "CREATE UNIQUE INDEX observations_supersedes ON observations (supersedes) "
        "WHERE supersedes IS NOT NULL",
    ]


# Version 4: the records of the kinds a dataset's schema declares, each kind's in its
# collection, in order. The schema itself is the ``meta`` row ``schema``; a store of an
# earlier version has none and holds the built-in model alone. A schema may make a
# participant's BIN optional (another country's registry), so the column may be null:
# the table is made again, the one way both databases can drop NOT NULL.
def _version_4(d: Dialect) -> list[str]:
    return [
        f"CREATE TABLE records (seq {d.auto_key}, collection TEXT NOT NULL, id TEXT, "
        "doc TEXT NOT NULL)",
        "CREATE INDEX records_collection ON records (collection, id)",
        "CREATE TABLE participants_v4 (cluster_id TEXT NOT NULL, id TEXT NOT NULL, "
        "bin TEXT, role TEXT NOT NULL, PRIMARY KEY (cluster_id, id))",
        "INSERT INTO participants_v4 (cluster_id, id, bin, role) "
        "SELECT cluster_id, id, bin, role FROM participants",
        "DROP TABLE participants",
        "ALTER TABLE participants_v4 RENAME TO participants",
        "CREATE INDEX participants_bin ON participants (bin)",
    ]


_STEPS = (_version_1, _version_2, _version_3, _version_4)
SCHEMA_VERSION = len(_STEPS)


def migrations(dialect: Dialect) -> tuple[tuple[str, ...], ...]:
    """``migrations(d)[i]``: the statements taking a store from version i to i+1."""
    return tuple(tuple(step(dialect)) for step in _STEPS)
