"""The store contract: every back-end (SQLite, a JSON folder, PostgreSQL) behaves the
same through the Store protocol. Each back-end's own guarantees are tested in
test_store_sql.py and test_store_jsondir.py."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Iterator
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
    InvalidFieldsError,
    Observation,
    StatusChange,
)
from clusterkit.model.indicators import in_force
from clusterkit.plugins import Store, StoreError, open_store
from clusterkit.units import parse_unit
from tests.plugins.conftest import BACK_ENDS, ObservationChanges

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"


@pytest.fixture(scope="module")
def example() -> Dataset:
    return load_dataset(EXAMPLE)


@pytest.fixture(params=BACK_ENDS)
def url(request: pytest.FixtureRequest, new_store_url: Callable[[str], str]) -> str:
    return new_store_url(request.param)


@pytest.fixture
def store(url: str, example: Dataset) -> Iterator[Store]:
    opened = open_store(url, create=True)
    opened.import_dataset(example)
    yield opened
    opened.close()


def observation(
    value: str, reported_on: dt.date, note: str = "", /, **changes: Unpack[ObservationChanges]
) -> Observation:
    made = Observation(
        "milk-akmola",
        "labour_productivity",
        2024,
        Decimal(value),
        parse_unit("mln KZT/person"),
        reported_on,
        "QazIndustry",
        note,
    )
    return attrs.evolve(made, **changes) if changes else made


def test_import_then_read_gives_the_same_dataset(store: Store, example: Dataset) -> None:
    assert store.dataset() == example
    assert [c.id for c in store.clusters()] == [c.id for c in example.clusters]


def test_importing_twice_replaces_rather_than_duplicates(store: Store, example: Dataset) -> None:
    store.import_dataset(example)
    assert len(store.clusters()) == 6
    assert len(store.programmes()) == 6
    assert store.dataset() == example


def test_observations_are_numbered_and_appended(store: Store) -> None:
    first = store.observe(observation("29", dt.date(2025, 2, 1)))
    second = store.observe(observation("30", dt.date(2025, 3, 1), "later"))
    assert (first, second) == (1, 2)
    assert [o.value for o in store.observations()] == [Decimal(29), Decimal(30)]
    records = store.observation_records()
    assert [r.number for r in records] == [1, 2]
    assert all(r.recorded_at is not None and r.recorded_at.tzinfo for r in records)


def test_observation_for_an_unknown_cluster_is_refused(store: Store) -> None:
    bad = Observation(
        "ghost", "output", 2024, Decimal(1), parse_unit("mln KZT"), dt.date(2025, 1, 1), "x"
    )
    with pytest.raises(StoreError, match="no cluster 'ghost'"):
        store.observe(bad)
    assert store.observations() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"indicator": "labour_productivty"},
            "no indicator 'labour_productivty' for cluster "
            "'milk-akmola' in the store; did you mean 'labour_productivity'?",
        ),
        (
            {"indicator": "employment"},
            "no indicator 'employment' for cluster 'milk-akmola' "
            "in the store (it has: exports, labour_productivity, output, tax_revenue)",
        ),
        (
            {"unit": parse_unit("mln KZT")},
            "unit 'mln KZT' does not fit indicator "
            "'labour_productivity' of 'milk-akmola', which is stated in mln KZT/person",
        ),
        ({"indicator": "exports", "unit": parse_unit("mln KZT")}, "unit 'mln KZT' does not fit"),
        ({"value": Decimal("1e999999999")}, "value 1E+999999999 is out of bounds"),
        ({"value": Decimal("1e-31")}, "is out of bounds"),
        # Years beyond 1-9999 the model refuses already (test_model); the store keeps
        # to the years monitoring can be about.
        ({"year": 1899}, "year 1899 is out of bounds"),
        ({"year": 2101}, "year 2101 is out of bounds (1900–2100 are accepted)"),
        ({"supersedes": 99999999999999999999, "reason": "x"}, "no observation 9999"),
        ({"supersedes": 1, "reason": "typo"}, "no observation 1 to correct"),
    ],
)
def test_observe_checks_what_it_records(
    store: Store, changes: ObservationChanges, message: str
) -> None:
    with pytest.raises(StoreError) as refused:
        store.observe(attrs.evolve(observation("29", dt.date(2025, 2, 1)), **changes))
    assert message in str(refused.value)
    assert store.observations() == []
    assert store.observe(observation("29", dt.date(2025, 2, 1))) == 1  # still writable


def test_a_unit_of_another_scale_fits(store: Store) -> None:
    scaled = observation("0.03", dt.date(2025, 2, 1), unit=parse_unit("bn KZT/person"))
    assert store.observe(scaled) == 1


def test_a_correction_supersedes_and_keeps_the_corrected(store: Store) -> None:
    wrong = store.observe(observation("300", dt.date(2025, 2, 1)))
    fixed = store.observe(
        observation(
            "30",
            dt.date(2025, 2, 10),
            supersedes=wrong,
            reason="a misplaced decimal point",
            reported_by="QazIndustry analyst",
        )
    )
    records = store.observation_records()
    assert [r.number for r in records] == [wrong, fixed]
    assert records[1].observation.supersedes == wrong
    assert records[1].observation.reason == "a misplaced decimal point"
    # Evaluation reads what is in force on its as-of date.
    kept = store.observations()
    assert [o.value for o in in_force(kept, dt.date(2025, 2, 5))] == [Decimal(300)]
    assert [o.value for o in in_force(kept, dt.date(2025, 3, 1))] == [Decimal(30)]


def test_a_correction_is_checked(store: Store) -> None:
    first = store.observe(observation("300", dt.date(2025, 2, 1)))
    store.observe(observation("30", dt.date(2025, 2, 10), supersedes=first, reason="typo"))
    with pytest.raises(StoreError, match="observation 1 was corrected already by observation 2"):
        store.observe(observation("31", dt.date(2025, 2, 11), supersedes=first, reason="again"))
    with pytest.raises(StoreError, match="cannot be reported before what it corrects"):
        store.observe(observation("31", dt.date(2025, 2, 9), supersedes=2, reason="earlier"))
    with pytest.raises(InvalidFieldsError, match="a correction must give its reason"):
        observation("31", dt.date(2025, 2, 11), supersedes=2)
    assert len(store.observations()) == 2


def test_imported_corrections_are_renumbered_after_the_store(
    store: Store, example: Dataset
) -> None:
    store.observe(observation("29", dt.date(2025, 2, 1)))
    batch = (
        observation("40", dt.date(2025, 3, 1)),
        observation("41", dt.date(2025, 3, 2), supersedes=1, reason="in the dataset: its 1st"),
    )
    store.import_dataset(attrs.evolve(example, observations=batch))
    records = store.observation_records()
    assert [(r.number, r.observation.supersedes) for r in records] == [(1, None), (2, None), (3, 2)]
    assert [o.supersedes for o in store.dataset().observations] == [None, None, 2]


def test_applications_and_decisions(store: Store) -> None:
    store.add_application(
        Application("reg-1", "milk-akmola", ApplicationKind.REGISTRY_ENTRY, dt.date(2022, 8, 1))
    )
    with pytest.raises(StoreError, match="already recorded"):
        store.add_application(
            Application("reg-1", "milk-akmola", ApplicationKind.REGISTRY_ENTRY, dt.date(2022, 8, 1))
        )
    updated = store.decide("reg-1", StatusChange(ApplicationStatus.ACCEPTED, dt.date(2022, 9, 1)))
    assert updated.status is ApplicationStatus.ACCEPTED
    with pytest.raises(StoreError, match="already accepted"):
        store.decide("reg-1", StatusChange(ApplicationStatus.UNDER_REVIEW, dt.date(2022, 9, 2)))
    (stored,) = [a for a in store.applications() if a.id == "reg-1"]
    assert stored.status is ApplicationStatus.ACCEPTED
    with pytest.raises(StoreError, match="no application 'reg-2'"):
        store.decide("reg-2", StatusChange(ApplicationStatus.ACCEPTED, dt.date(2022, 9, 1)))


def test_a_verdict_is_shown_again_exactly(store: Store) -> None:
    program = load_rules([ROOT / "rules" / "tcp-cofinancing.ckr"])
    results = evaluate(program, store.dataset(), dt.date(2021, 6, 30))
    document = results.to_json()
    run_id = store.save_run(results, document)
    store.import_dataset(store.dataset())  # later changes do not touch the run
    (run,) = store.runs()
    assert run.id == run_id == 1
    assert store.run(run_id) == run
    assert run.document == document
    assert run.data_sha256 == results.provenance.data_sha256
    assert run.as_of == dt.date(2021, 6, 30)
    assert store.run(run_id + 1) is None
    assert store.run(99999999999999999999) is None
    assert store.save_run(results, document) == 2


def test_text_that_is_not_utf8_is_refused_not_a_traceback(store: Store) -> None:
    with pytest.raises(StoreError, match="not valid UTF-8"):
        store.observe(observation("29", dt.date(2025, 2, 1), reported_by="\udcff"))
    assert store.observations() == []


def test_a_missing_store_is_an_error_unless_created(url: str) -> None:
    with pytest.raises(StoreError, match="no store here"):
        open_store(url)


def test_an_unknown_back_end_is_named() -> None:
    with pytest.raises(StoreError, match="no storage back-end named 'postgres' "):
        open_store("postgres://localhost/db")


# -- concurrent writers --------------------------------------------------------------

WRITERS = 8
WRITES = 12


def _write_many(url: str, writer: int, out: multiprocessing.Queue[list[int]]) -> None:
    os.environ["CLUSTERKIT_STORE_TIMEOUT_MS"] = "30000"  # waiting is what is tested
    store = open_store(url)
    numbers = [
        store.observe(observation(f"{writer}.{i}", dt.date(2025, 2, 1), f"w{writer}-{i}"))
        for i in range(WRITES)
    ]
    store.close()
    out.put(numbers)


def test_concurrent_writers_wait_for_each_other_and_all_succeed(store: Store, url: str) -> None:
    fork = multiprocessing.get_context("fork")
    out: multiprocessing.Queue[list[int]] = fork.Queue()
    writers = [fork.Process(target=_write_many, args=(url, w, out)) for w in range(WRITERS)]
    for process in writers:
        process.start()
    given = [n for _ in writers for n in out.get(timeout=120)]
    for process in writers:
        process.join()
        assert process.exitcode == 0
    assert sorted(given) == list(range(1, WRITERS * WRITES + 1))
    records = store.observation_records()
    assert [r.number for r in records] == list(range(1, WRITERS * WRITES + 1))
    notes = {r.observation.note for r in records}
    assert notes == {f"w{w}-{i}" for w in range(WRITERS) for i in range(WRITES)}
