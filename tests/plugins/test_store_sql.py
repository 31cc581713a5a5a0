"""The SQL stores' own guarantees: triggers keep observations and runs append-only,
schema versions and migrations (including SQLite files written by clusterkit 0.1),
locks, and clear messages when the database cannot be reached."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from clusterkit import load_dataset
from clusterkit.model import Dataset, Observation
from clusterkit.plugins import StoreError, open_store
from clusterkit.serde import unstructure
from clusterkit.units import parse_unit
from clusterkit_plugins.postgresql_store import POSTGRESQL
from clusterkit_plugins.sql_schema import SCHEMA_VERSION, migrations
from clusterkit_plugins.sql_store import SqlStore
from tests.plugins.pg_server import Server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"

# The schema of version 1 exactly as clusterkit 0.1 wrote it, to make files of that age.
V1 = """
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


@pytest.fixture(scope="module")
def example() -> Dataset:
    return load_dataset(EXAMPLE)


def observation(value: str = "29", reported_on: dt.date = dt.date(2025, 2, 1)) -> Observation:
    return Observation(
        "milk-akmola",
        "labour_productivity",
        2024,
        Decimal(value),
        parse_unit("mln KZT/person"),
        reported_on,
        "QazIndustry",
    )


def _doc(value: object) -> str:
    return json.dumps(unstructure(value), ensure_ascii=False, sort_keys=True)


# -- append-only -----------------------------------------------------------------------


def test_sqlite_observations_and_runs_cannot_be_overwritten(
    tmp_path: Path, example: Dataset
) -> None:
    path = tmp_path / "s.sqlite3"
    store = open_store(f"sqlite://{path}", create=True)
    store.import_dataset(example)
    store.observe(observation())
    store.close()
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE observations SET doc = '{}'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM observations")
    db.execute("INSERT INTO runs VALUES (1, 'x', '2021-01-01', 'd', 'h', '{}')")
    with pytest.raises(sqlite3.DatabaseError, match="kept as they were"):
        db.execute("UPDATE runs SET document = ''")


def test_postgresql_observations_and_runs_cannot_be_overwritten(
    postgres: Server, example: Dataset
) -> None:
    url = postgres.fresh_url()
    store = open_store(url, create=True)
    store.import_dataset(example)
    store.observe(observation())
    store.close()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("INSERT INTO runs VALUES (1, 'x', '2021-01-01', 'd', 'h', '{}')")
        for statement, message in [
            ("UPDATE observations SET doc = '{}'", "append-only"),
            ("DELETE FROM observations", "append-only"),
            ("TRUNCATE observations", "append-only"),
            ("UPDATE runs SET document = ''", "kept as they were"),
            ("DELETE FROM runs", "kept as they were"),
        ]:
            with pytest.raises(psycopg.errors.RestrictViolation, match=message):
                db.execute(statement)
        assert db.execute("SELECT count(*) FROM observations").fetchone() == (1,)


# -- schema versions ------------------------------------------------------------------


def test_sqlite_store_from_a_newer_clusterkit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this clusterkit"):
        open_store(f"sqlite://{path}")


def test_postgresql_store_from_a_newer_clusterkit_is_refused(postgres: Server) -> None:
    url = postgres.fresh_url()
    open_store(url, create=True).close()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("UPDATE clusterkit_schema SET version = version + 1")
    with pytest.raises(StoreError, match=f"version {SCHEMA_VERSION + 1}, newer than this"):
        open_store(url)


def test_a_version_1_sqlite_file_opens_and_is_migrated(tmp_path: Path, example: Dataset) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(V1)
    cluster = example.clusters[0]
    series = next(s for s in example.series if s.cluster == cluster.id)
    db.execute("INSERT INTO clusters VALUES (?, ?, ?)", (cluster.id, "member", _doc(cluster)))
    db.execute("INSERT INTO series VALUES (?, ?, ?)", (cluster.id, series.indicator, _doc(series)))
    old = Observation(
        cluster.id, series.indicator, 2023, Decimal(7), series.unit, dt.date(2024, 2, 1), "me"
    )
    db.execute(
        "INSERT INTO observations (cluster_id, indicator, year, recorded_at, doc) "
        "VALUES (?, ?, ?, ?, ?)",
        (cluster.id, series.indicator, 2023, "2024-02-01T10:00:00+00:00", _doc(old)),
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = open_store(f"sqlite://{path}")
    assert [c.id for c in store.clusters()] == [cluster.id]
    (record,) = store.observation_records()
    assert (record.number, record.observation) == (1, old)
    assert record.recorded_at == dt.datetime(2024, 2, 1, 10, tzinfo=dt.UTC)
    correction = Observation(
        cluster.id,
        series.indicator,
        2023,
        Decimal(8),
        series.unit,
        dt.date(2024, 3, 1),
        "me",
        supersedes=1,
        reason="revised by the statistics bureau",
    )
    assert store.observe(correction) == 2
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("SELECT count(*) FROM participants").fetchone()[0] == len(
        cluster.participants
    )
    assert db.execute("SELECT supersedes FROM observations WHERE seq = 2").fetchone() == (1,)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_version_2_postgresql_store_is_migrated(postgres: Server, example: Dataset) -> None:
    url = postgres.fresh_url()
    cluster = example.clusters[0]
    with psycopg.connect(url, autocommit=True) as db:
        for statement in (s for step in migrations(POSTGRESQL)[:2] for s in step):
            db.execute(statement.encode())
        db.execute("CREATE TABLE clusterkit_schema (version INTEGER NOT NULL)")
        db.execute("INSERT INTO clusterkit_schema VALUES (2)")
        db.execute(
            "INSERT INTO clusters (id, registry_status, doc) VALUES (%s, %s, %s)",
            (cluster.id, "member", _doc(cluster)),
        )
    store = open_store(url)
    assert store.clusters() == [cluster]
    store.close()
    with psycopg.connect(url, autocommit=True) as db:
        assert db.execute("SELECT version FROM clusterkit_schema").fetchone() == (SCHEMA_VERSION,)
        columns = db.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'observations' AND table_schema = current_schema()"
        ).fetchall()
        assert ("supersedes",) in columns


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a database" * 100)
    with pytest.raises(StoreError, match="not a clusterkit store"):
        open_store(f"sqlite://{path}")


# -- a writer holding the lock, then killed -------------------------------------------

_HOLD_WRITE = textwrap.dedent("""
    import sys, time
    from clusterkit.plugins import open_store
    store = open_store(sys.argv[1])
    with store._transaction(write=True):
        store._run("INSERT INTO meta (key, doc) VALUES ('half-written', 'x')")
        print("holding", flush=True)
        time.sleep(60)
""")


def _holder(url: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLD_WRITE, url], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "holding"
    return child


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_url(
    request: pytest.FixtureRequest, new_store_url: Callable[[str], str], example: Dataset
) -> str:
    url = new_store_url(request.param)
    store = open_store(url, create=True)
    store.import_dataset(example)
    store.close()
    return url


def test_readers_go_on_while_a_writer_writes_and_a_second_writer_is_told(
    sql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERKIT_STORE_TIMEOUT_MS", "200")
    child = _holder(sql_url)
    try:
        reader = open_store(sql_url)
        assert len(reader.clusters()) == 6
        with pytest.raises(StoreError, match="locked by another writer"):
            reader.observe(observation())
        assert reader.observations() == []
        reader.close()
    finally:
        child.kill()
        child.wait()


def test_a_second_writer_waits_for_the_first_then_writes(sql_url: str) -> None:
    holding, failed = threading.Event(), []

    def hold() -> None:
        first = open_store(sql_url)
        assert isinstance(first, SqlStore)
        try:
            with first._transaction(write=True):
                first._run("INSERT INTO meta (key, doc) VALUES ('first', 'x')")
                holding.set()
                time.sleep(0.3)
        except StoreError as exc:
            failed.append(exc)
        finally:
            holding.set()
            first.close()

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(30)
    second = open_store(sql_url)
    try:
        assert second.observe(observation()) == 1  # it waited for the first to commit
    finally:
        holder.join()
    assert failed == []
    assert isinstance(second, SqlStore)
    assert second._read("SELECT key FROM meta WHERE key = 'first'") == [("first",)]
    second.close()


def test_a_writer_killed_mid_write_leaves_the_previous_state(sql_url: str) -> None:
    store = open_store(sql_url)
    store.observe(observation())
    before = store.dataset()
    child = _holder(sql_url)
    child.kill()
    child.wait()
    assert store.dataset() == before
    assert store.observe(observation("30")) == 2  # and it is still writable
    assert isinstance(store, SqlStore)
    assert store.info().id == before.info.id
    store.close()


# -- reaching the server -----------------------------------------------------------------


def test_an_unreachable_server_is_one_message_without_the_password(postgres: Server) -> None:
    with pytest.raises(StoreError) as refused:
        open_store("postgresql://someone:s3cret@127.0.0.1:1/registry")
    message = str(refused.value)
    assert message.startswith("postgresql://someone@127.0.0.1:1/registry: cannot connect")
    assert "s3cret" not in message
    with pytest.raises(StoreError, match='database "nowhere" does not exist'):
        open_store(postgres.url("nowhere"), create=True)


def test_without_psycopg_the_postgresql_store_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(StoreError, match=r"pip install 'clusterkit\[postgresql\]'"):
        open_store("postgresql://u@127.0.0.1:1/db")


def test_version_and_check_do_not_import_the_database_drivers() -> None:
    probe = textwrap.dedent("""
        import runpy, sys
        sys.argv = ["clusterkit", *sys.argv[1:]]
        try:
            runpy.run_module("clusterkit", run_name="__main__")
        except SystemExit:
            pass
        print(sorted(m for m in ("psycopg", "sqlalchemy") if m in sys.modules))
    """)
    for args in (["--version"], ["check", "rules", "--data", str(EXAMPLE), "--exit-zero"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        assert done.stdout.splitlines()[-1] == "[]", done.stderr
