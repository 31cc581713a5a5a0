"""Backup and import of a whole store: nothing lost across back-ends, and a backup that
is cut short, damaged or newer is refused before anything is written."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Unpack

import attrs
import pytest

from clusterkit import load_dataset
from clusterkit.lang import evaluate, load_rules
from clusterkit.model import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Dataset,
    Observation,
    StatusChange,
)
from clusterkit.money import ExchangeRate
from clusterkit.plugins import Store, StoreError, open_store
from clusterkit.serde import unstructure
from clusterkit.transfer import FORMAT, export_lines, export_store, import_store
from clusterkit.units import parse_unit
from tests.plugins.conftest import BACK_ENDS, ObservationChanges

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"
Make = Callable[[str], str]


@pytest.fixture(scope="module")
def example() -> Dataset:
    data = load_dataset(EXAMPLE)
    rate = ExchangeRate("USD", "KZT", Decimal("420.5"), dt.date(2021, 1, 4), "NBK")
    return attrs.evolve(data, rates=(rate,))


def observation(value: str, day: int, /, **changes: Unpack[ObservationChanges]) -> Observation:
    made = Observation(
        "milk-akmola",
        "labour_productivity",
        2024,
        Decimal(value),
        parse_unit("mln KZT/person"),
        dt.date(2025, 2, day),
        "QazIndustry",
        "Ёлка «ёж» \u2014 note",
    )
    return attrs.evolve(made, **changes)


def fill(store: Store, example: Dataset) -> None:
    """A store with something of every kind: histories, corrections, two runs."""
    store.import_dataset(example)
    store.add_application(
        Application("reg-9", "milk-akmola", ApplicationKind.REGISTRY_ENTRY, dt.date(2022, 8, 1))
    )
    store.decide("reg-9", StatusChange(ApplicationStatus.UNDER_REVIEW, dt.date(2022, 8, 5)))
    store.decide(
        "reg-9", StatusChange(ApplicationStatus.REJECTED, dt.date(2022, 9, 1), "too few", "board")
    )
    first = store.observe(observation("300", 1))
    store.observe(observation("31.50", 2))
    store.observe(observation("30", 3, supersedes=first, reason="decimal point", note=""))
    program = load_rules([ROOT / "rules" / "tcp-cofinancing.ckr"])
    for as_of in (dt.date(2021, 6, 30), dt.date(2025, 3, 1)):
        results = evaluate(program, store.dataset(), as_of)
        store.save_run(results, results.to_json())


def backup_text(store: Store) -> str:
    out = io.StringIO()
    export_store(store, out)
    return out.getvalue()


def records(text: str) -> list[str]:
    """The lines after the header, which alone says when the export was made."""
    return text.splitlines()[1:]


def test_nothing_is_lost_from_sqlite_to_postgresql_to_a_json_folder_and_back(
    new_store_url: Make, example: Dataset
) -> None:
    source = open_store(new_store_url("sqlite"), create=True)
    fill(source, example)
    first = backup_text(source)
    header = json.loads(first.splitlines()[0])
    assert header["format"] == FORMAT
    texts = [first]
    stores = [source]
    for back_end in ("postgresql", "jsondir", "sqlite"):
        target = open_store(new_store_url(back_end), create=True)
        counts = import_store(target, io.StringIO(texts[-1]))
        assert counts["observation"] == 3
        assert counts["run"] == 2
        texts.append(backup_text(target))
        stores.append(target)
    for text in texts[1:]:
        assert records(text) == records(first)
    for store in stores[1:]:
        assert store.dataset() == source.dataset()
        assert store.observation_records() == source.observation_records()
        assert store.runs() == source.runs()
        assert [r.document for r in store.runs()] == [r.document for r in source.runs()]
    (rejected,) = [a for a in stores[-1].applications() if a.id == "reg-9"]
    assert [c.status for c in rejected.history][-1] is ApplicationStatus.REJECTED
    # Numbers go on from where the backup left them.
    assert stores[-1].observe(observation("29", 20)) == 4


@pytest.mark.parametrize("back_end", BACK_ENDS)
def test_an_observation_recorded_without_a_time_keeps_none(
    back_end: str, new_store_url: Make, tmp_path: Path, example: Dataset
) -> None:
    legacy = tmp_path / "legacy"
    old = open_store(f"jsondir://{legacy}", create=True)
    old.import_dataset(example)
    (legacy / "store.json").write_text('{"layout": 1}\n')
    line = json.dumps(unstructure(observation("29", 1)), sort_keys=True)
    (legacy / "observations.jsonl").write_text(line + "\n")
    text = backup_text(open_store(f"jsondir://{legacy}"))
    target = open_store(new_store_url(back_end), create=True)
    import_store(target, io.StringIO(text))
    (record,) = target.observation_records()
    assert record.recorded_at is None
    assert records(backup_text(target)) == records(text)


@pytest.mark.parametrize("back_end", BACK_ENDS)
def test_a_store_that_holds_anything_is_refused(
    back_end: str, new_store_url: Make, example: Dataset
) -> None:
    source = open_store(new_store_url("sqlite"), create=True)
    fill(source, example)
    text = backup_text(source)
    target = open_store(new_store_url(back_end), create=True)
    small = Dataset(example.info, example.regions, example.sectors, example.clusters[:1])
    target.import_dataset(small)
    before = backup_text(target)
    with pytest.raises(StoreError, match="the store is not empty") as refused:
        import_store(target, io.StringIO(text))
    assert "a backup is imported only into an empty store" in str(refused.value)
    assert records(backup_text(target)) == records(before)


def _damage(text: str, line: int, new: str | None) -> str:
    lines = text.splitlines(keepends=True)
    if new is None:
        del lines[line:]
    else:
        lines[line] = new
    return "".join(lines)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda t: _damage(t, -1, None), "the backup has no end line: it was cut short"),
        (lambda t: _damage(t, -3, None), "the backup has no end line"),
        (lambda t: _damage(t, 0, '{"format": "clusterkit.backup/3"}\n'), "upgrade clusterkit"),
        (lambda t: _damage(t, 0, '{"hello": 1}\n'), "backup:1: not a clusterkit backup"),
        (lambda t: _damage(t, 3, "{not json\n"), "backup:4: not a JSON line"),
        (lambda t: _damage(t, 3, '{"kind": "planet"}\n'), "unknown kind of record 'planet'"),
        (lambda t: t.replace('"value": "300"', '"value": "lots"'), "Observation: value: "),
        (lambda t: t.replace('"supersedes": 1,', '"supersedes": 7,'), "supersedes 7, which is"),
        (lambda t: t.replace('"counts": {', '"counts": {"zebra": 1, '), "end line counts"),
        (lambda t: "", "backup: empty, not a clusterkit backup"),
    ],
)
def test_a_damaged_backup_is_refused_before_anything_is_written(
    new_store_url: Make,
    example: Dataset,
    damage: Callable[[str], str],
    message: str,
) -> None:
    source = open_store(new_store_url("sqlite"), create=True)
    fill(source, example)
    target = open_store(new_store_url("jsondir"), create=True)
    with pytest.raises(StoreError) as refused:
        import_store(target, io.StringIO(damage(backup_text(source))))
    assert message in str(refused.value)
    assert list(target.clusters()) == []
    assert list(target.observation_records()) == []


def test_an_empty_store_round_trips(new_store_url: Make) -> None:
    empty = open_store(new_store_url("sqlite"), create=True)
    lines = list(export_lines(empty))
    assert json.loads(lines[-1]) == {"counts": {}, "kind": "end"}
    target = open_store(new_store_url("postgresql"), create=True)
    assert import_store(target, lines) == {}
    assert list(target.clusters()) == []
