"""The JSON-folder store's own guarantees: a line cut by a crash never glues two
records, a damaged record is reported and skipped and a repair sets it aside with
nothing lost, writers wait for the lock, crashes' temporary files are cleaned up, and
stores of layout 1 are upgraded."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from clusterkit import load_dataset
from clusterkit.model import Dataset, Observation
from clusterkit.plugins import Repairable, StoreError, open_store
from clusterkit.serde import unstructure
from clusterkit.units import parse_unit
from clusterkit_plugins.jsondir_store import LAYOUT_VERSION, JsonDirStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"


@pytest.fixture(scope="module")
def example() -> Dataset:
    return load_dataset(EXAMPLE)


@pytest.fixture
def root(tmp_path: Path, example: Dataset) -> Path:
    folder = tmp_path / "store"
    store = open_store(f"jsondir://{folder}", create=True)
    store.import_dataset(example)
    return folder


@pytest.fixture
def store(root: Path) -> JsonDirStore:
    opened = open_store(f"jsondir://{root}")
    assert isinstance(opened, JsonDirStore)
    return opened


def observation(value: str, note: str = "") -> Observation:
    return Observation(
        "milk-akmola",
        "labour_productivity",
        2024,
        Decimal(value),
        parse_unit("mln KZT/person"),
        dt.date(2025, 2, 1),
        "QazIndustry",
        note,
    )


def test_a_line_cut_by_a_crash_then_one_more_observe_glues_nothing(
    root: Path, store: JsonDirStore
) -> None:
    store.observe(observation("29"))
    with (root / "observations.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"cluster": "milk-akmola", "indic')  # the writer died here
    assert [o.value for o in store.observations()] == [Decimal(29)]  # readers ignore it
    assert store.observe(observation("30")) == 2
    assert [o.value for o in store.observations()] == [Decimal(29), Decimal(30)]
    assert store.problems() == []
    lines = (root / "observations.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 2]
    kept = (root / "observations.damaged.txt").read_text(encoding="utf-8")
    assert '{"cluster": "milk-akmola", "indic' in kept  # set aside, not deleted


def test_a_damaged_record_is_reported_skipped_and_repaired(root: Path, store: JsonDirStore) -> None:
    for value in ("1", "2", "3", "4"):
        store.observe(observation(value))
    log = root / "observations.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    lines[1] = b'{"seq": 2, "value": "2", "clust\xff\n'  # damaged on disk
    lines[3] = b'{"seq": 4, "value": "4"}\n'  # edited by hand
    log.write_bytes(b"".join(lines))
    assert isinstance(store, Repairable)
    problems = store.problems()
    assert [p.split(": damaged")[0] for p in problems] == [f"{log}:2", f"{log}:4"]
    assert "cluster: required field is missing" in problems[1]
    assert [r.number for r in store.observation_records()] == [1, 3]
    assert [o.value for o in store.observations()] == [Decimal(1), Decimal(3)]
    assert store.observe(observation("5")) == 5  # a damaged line's number is not reused
    done = store.repair()
    assert done[0] == f"3 observations kept in {log}"
    assert done[1] == f"2 damaged lines moved to {root / 'observations.damaged.txt'}"
    assert store.problems() == []
    assert [r.number for r in store.observation_records()] == [1, 3, 5]
    kept = (root / "observations.damaged.txt").read_bytes()
    assert b'"clust\xff' in kept
    assert b'{"seq": 4, "value": "4"}' in kept


def test_a_correction_of_a_record_set_aside_stands_alone(root: Path, store: JsonDirStore) -> None:
    store.observe(observation("300"))
    store.observe(observation("301"))
    fixed = Observation(
        "milk-akmola",
        "labour_productivity",
        2024,
        Decimal(30),
        parse_unit("mln KZT/person"),
        dt.date(2025, 3, 1),
        "QazIndustry",
        supersedes=2,
        reason="decimal point",
    )
    assert store.observe(fixed) == 3
    log = root / "observations.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(lines[0] + b"garbage\n" + lines[2])
    store.repair()
    # Positions in the dataset no longer match the numbers: the reference is remapped.
    assert [o.supersedes for o in store.observations()] == [None, None]
    assert [r.observation.supersedes for r in store.observation_records()] == [None, 2]


def test_writers_wait_for_the_lock_then_go_on(root: Path, store: JsonDirStore) -> None:
    released = threading.Event()

    def hold() -> None:
        with open(root / ".lock", "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            released.wait(0.3)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert store.observe(observation("29")) == 1  # waited, then wrote
    finally:
        released.set()
        holder.join()


def test_a_second_writer_is_told_after_the_timeout(
    root: Path, store: JsonDirStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERKIT_STORE_TIMEOUT_MS", "100")
    with open(root / ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="locked by another writer"):
            store.observe(observation("29"))
    assert store.observations() == []


def test_temporary_files_left_by_a_crash_are_removed_on_open(root: Path) -> None:
    leftovers = [root / ".dataset.json.abc123.tmp", root / "runs" / ".000001.json.x.tmp"]
    for temp in leftovers:
        temp.write_text("half")
    with open(root / ".lock", "a") as held:  # a writer at work: its files are kept
        fcntl.flock(held, fcntl.LOCK_EX)
        open_store(f"jsondir://{root}")
        assert all(temp.exists() for temp in leftovers)
    open_store(f"jsondir://{root}")
    assert not any(temp.exists() for temp in leftovers)


def test_a_layout_1_store_is_upgraded_with_its_numbers(tmp_path: Path, example: Dataset) -> None:
    root = tmp_path / "old"
    new = open_store(f"jsondir://{tmp_path / 'new'}", create=True)
    new.import_dataset(example)
    root.mkdir()
    (root / "runs").mkdir()
    (root / "store.json").write_text('{"layout": 1}\n')
    (root / "dataset.json").write_text((tmp_path / "new" / "dataset.json").read_text())
    line = json.dumps(unstructure(observation("29")), sort_keys=True)
    # As clusterkit 0.1 left it: a line cut by a crash, glued to the next append.
    cut = line[:40] + json.dumps(unstructure(observation("30")), sort_keys=True)
    (root / "observations.jsonl").write_text(f"{line}\n{line}\n{cut}\n")
    store = open_store(f"jsondir://{root}")
    assert isinstance(store, JsonDirStore)
    assert json.loads((root / "store.json").read_text()) == {"layout": LAYOUT_VERSION}
    records = store.observation_records()
    assert [(r.number, r.recorded_at) for r in records] == [(1, None), (2, None)]
    (problem,) = store.problems()
    assert ":3: damaged record skipped" in problem
    store.repair()
    assert store.observe(observation("31")) == 3
    assert store.problems() == []


def test_a_damaged_run_file_is_named(root: Path, store: JsonDirStore) -> None:
    (root / "runs" / "000001.json").write_text("{not json")
    with pytest.raises(StoreError, match=r"000001.json: not a readable evaluation run"):
        store.runs()


def test_newer_layout_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    (root / "store.json").write_text('{"layout": 99}')
    with pytest.raises(StoreError, match="newer than this clusterkit"):
        open_store(f"jsondir://{root}")


def test_an_interrupted_import_of_a_backup_is_refused(root: Path) -> None:
    (root / ".restoring").write_text("")
    with pytest.raises(StoreError, match="an import of a backup into this store was interrupted"):
        open_store(f"jsondir://{root}")


def test_a_copy_that_cannot_be_locked_can_still_be_backed_up(
    root: Path, store: JsonDirStore
) -> None:
    store.observe(observation("29"))
    (root / ".lock").unlink()
    (root / ".lock").mkdir()  # as good as a read-only folder, even for root
    with pytest.raises(StoreError, match="cannot be written"):
        store.observe(observation("30"))
    backup = store.backup()
    assert [r.observation.value for r in backup.observations] == [Decimal(29)]
    assert len(backup.dataset.clusters) == 6
