"""Kill a writer at random moments, then check the store: intact, and every write the
writer acknowledged is there.

A writer process (forked from the test, so it starts at once) records observations,
applications with decisions, evaluation runs and whole dataset imports, and after
each one returns it writes an acknowledgement to a pipe. The test SIGKILLs it after
a random delay, then opens the store, checks its integrity (SQLite's
``integrity_check``; PostgreSQL's numbering, references and, where the amcheck
extension exists, its B-tree indexes; every file of a JSON folder parses and no
temporary file is left) and looks for each acknowledged write.

A few dozen kills per back-end run by default; ``CLUSTERKIT_KILLS=1000`` runs a
thousand, and ``CLUSTERKIT_KILL_SEED`` repeats a run (docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import attrs
import psycopg
import pytest

from clusterkit import load_dataset
from clusterkit.lang import evaluate, load_rules
from clusterkit.lang.results import ResultSet
from clusterkit.model import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Dataset,
    Observation,
    StatusChange,
)
from clusterkit.plugins import Store, open_store
from clusterkit.units import parse_unit
from tests.plugins.conftest import BACK_ENDS

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("CLUSTERKIT_KILLS", "30"))
#: Kills into one store before the next starts afresh.
STORE_EVERY = 50
SEED = int(os.environ.get("CLUSTERKIT_KILL_SEED", str(random.SystemRandom().randrange(10**6))))


@attrs.frozen
class Work:
    """What every writer needs, made once before the forks."""

    url: str
    dataset: Dataset
    results: ResultSet


def _write_until_killed(work: Work, kill: int, rng: random.Random, ack: int) -> None:
    store = open_store(work.url)
    for i in range(400):
        tag = f"k{kill}-{i}"
        choice = rng.random()
        if choice < 0.6:
            number = store.observe(
                Observation(
                    "milk-akmola",
                    "labour_productivity",
                    2024,
                    Decimal(f"{kill}.{i}"),
                    parse_unit("mln KZT/person"),
                    dt.date(2025, 2, 1),
                    "kill test",
                    tag,
                )
            )
            message = f"o {number} {tag}"
        elif choice < 0.75:
            run_id = store.save_run(work.results, json.dumps({"tag": tag}))
            message = f"r {run_id} {tag}"
        elif choice < 0.9:
            store.add_application(
                Application(tag, "milk-akmola", ApplicationKind.REGISTRY_ENTRY, dt.date(2022, 8, 1))
            )
            os.write(ack, f"a {tag} submitted\n".encode())
            store.decide(tag, StatusChange(ApplicationStatus.ACCEPTED, dt.date(2022, 9, 1)))
            message = f"a {tag} accepted"
        else:
            store.import_dataset(work.dataset)
            message = f"i {tag} -"
        os.write(ack, f"{message}\n".encode())  # only after the write has returned


def _writer(work: Work, kill: int) -> tuple[int, int]:
    """Fork a writer; returns its process id and the pipe its acknowledgements come on."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the writer: never returns into the test
        try:
            os.close(read)
            _write_until_killed(work, kill, random.Random(SEED * 7919 + kill), write)
        finally:
            os._exit(0)
    os.close(write)
    return pid, read


def _acknowledged(pipe: int) -> list[list[str]]:
    data = b""
    while chunk := os.read(pipe, 65536):
        data += chunk
    os.close(pipe)
    return [line.split(" ") for line in data.decode().splitlines()]


def _check_integrity(url: str) -> None:
    scheme, _sep, where = url.partition("://")
    if scheme == "sqlite":
        with sqlite3.connect(where) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    elif scheme == "postgresql":
        with psycopg.connect(url, autocommit=True) as db:
            orphans = db.execute(
                "SELECT count(*) FROM run_results WHERE run_id NOT IN (SELECT id FROM runs)"
            ).fetchone()
            assert orphans == (0,)
            if db.execute("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'").fetchone():
                db.execute(
                    "SELECT public.bt_index_check(i.indexrelid) FROM pg_index AS i "
                    "JOIN pg_class AS c ON c.oid = i.indexrelid "
                    "WHERE c.relnamespace = current_schema()::regnamespace AND c.relam = "
                    "(SELECT oid FROM pg_am WHERE amname = 'btree')"
                )
    else:
        root = Path(where)
        for path in [root / "store.json", root / "dataset.json", *root.glob("runs/*.json")]:
            json.loads(path.read_text(encoding="utf-8"))
        assert not list(root.rglob(".*.tmp")), "temporary files left after open"
        assert not (root / ".restoring").exists()


def _check(store: Store, url: str, acks: list[list[str]], seen: dict[str, set[str]]) -> None:
    """Every acknowledged write is there, numbers run without gaps, the store reads."""
    _check_integrity(url)
    records = store.observation_records()
    numbers = [r.number for r in records]
    assert numbers == list(range(1, len(numbers) + 1))
    by_number = {r.number: r.observation.note for r in records}
    runs = {r.id: r.document for r in store.runs()}
    assert sorted(runs) == list(range(1, len(runs) + 1))
    applications = {a.id: a.status.value for a in store.applications()}
    for kind, key, detail in acks:
        if kind == "o":
            seen["o"].add(detail)
            assert by_number.get(int(key)) == detail, f"observation {key} ({detail}) lost"
        elif kind == "r":
            assert json.loads(runs[int(key)]) == {"tag": detail}, f"run {key} lost"
        elif kind == "a":
            assert key in applications, f"application {key} lost"
            if detail == "accepted":
                assert applications[key] == "accepted", f"decision on {key} lost"
    assert seen["o"] <= set(by_number.values())  # what was there before is still there
    if hasattr(store, "problems"):
        assert store.problems() == []
    store.dataset()  # and everything reads


@pytest.fixture(scope="module")
def work_parts() -> tuple[Dataset, ResultSet]:
    dataset = load_dataset(ROOT / "examples" / "kazakhstan-2021")
    program = load_rules([ROOT / "rules" / "tcp-cofinancing.ckr"])
    return dataset, evaluate(program, dataset, dt.date(2021, 6, 30))


@pytest.mark.parametrize("back_end", BACK_ENDS)
def test_every_acknowledged_write_survives_kills(
    back_end: str, new_store_url: Callable[[str], str], work_parts: tuple[Dataset, ResultSet]
) -> None:
    dataset, results = work_parts
    rng = random.Random(SEED)
    total = 0
    for kill in range(KILLS):
        if kill % STORE_EVERY == 0:  # a new store now and then keeps each check short
            url = new_store_url(back_end)
            store = open_store(url, create=True)
            store.import_dataset(dataset)
            store.close()
            work = Work(url, dataset, results)
            seen: dict[str, set[str]] = {"o": set()}
        pid, pipe = _writer(work, kill)
        time.sleep(rng.uniform(0.002, 0.12))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        acks = _acknowledged(pipe)
        total += len(acks)
        store = open_store(url)
        try:
            _check(store, url, acks, seen)
        except AssertionError as exc:
            raise AssertionError(f"after kill {kill} (CLUSTERKIT_KILL_SEED={SEED}): {exc}") from exc
        finally:
            store.close()
    assert total > 0, "no write was acknowledged between kills: the writer never wrote"
