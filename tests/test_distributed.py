"""Partitioned evaluation: a dataset split by cluster and evaluated on Dask workers
gives the same result set as one process, in the same order; rules that need the
whole dataset run after the partitions, or are refused with the reason."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import clusterkit
from clusterkit.distributed import PartitionError, evaluate_partitioned, whole_dataset_rules
from clusterkit.model import Dataset, Observation, Record
from clusterkit.model.common import Extra
from clusterkit.model.dataset import Records
from clusterkit.money import Money
from clusterkit.partitions import split_dataset

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from registry import make_registry  # noqa: E402

distributed = pytest.importorskip("dask.distributed")

EXAMPLE = ROOT / "examples" / "kazakhstan-2021"
SHIPPED = ["registry-entry.ckr", "tcp-cofinancing.ckr", "monitoring.ckr"]


class Inline:
    """A client that runs each task at once, here: the merging without Dask."""

    def scatter(self, data: Any, *, broadcast: bool = False, hash: bool = True) -> Any:
        return data

    def submit(self, func: Callable[..., Any], *args: Any, pure: bool = True) -> Any:
        return func(*args)

    def gather(self, futures: Any) -> Any:
        return futures


@pytest.fixture(scope="module")
def every_rulebook() -> clusterkit.Program:
    return clusterkit.load_rules(sorted((ROOT / "rules").glob("*.ckr")))


@pytest.fixture(scope="module")
def shipped() -> clusterkit.Program:
    return clusterkit.load_rules([ROOT / "rules" / name for name in SHIPPED])


@pytest.fixture(scope="module")
def example() -> Dataset:
    return clusterkit.load_dataset(EXAMPLE)


@pytest.fixture(scope="module")
def registry(shipped: clusterkit.Program) -> Dataset:
    """A generated registry with corrections among its observations, financing plans
    (records belonging to projects) and commitments (of projects, and of all)."""
    base = make_registry(clusters=14, participants_per_cluster=12, years=3)
    observations = list(base.observations)
    for number, observation in enumerate(base.observations[::3], start=0):
        # a later report of the same year corrects the first (positions count from 1)
        observations.append(
            attrs.evolve(
                observation,
                value=observation.value + 300,
                reported_on=dt.date(2025, 3, 1),
                supersedes=3 * number + 1,
                reason="corrected",
            )
        )
    plans, commitments = [], []
    for index, (_programme, project) in enumerate(base.projects()):
        for year in (2023, 2024, 2025)[: 1 + index % 3]:
            plans.append(
                Record(
                    "financing_year",
                    extra=Extra(
                        {
                            "project": project.id,
                            "year": Decimal(year),
                            "state_amount": Money(Decimal(index % 2 * 10**6), "KZT"),
                            "cluster_amount": Money(Decimal(2 * 10**6), "KZT"),
                            "other_amount": Money(Decimal(0), "KZT"),
                            "basis": "illustrative",
                        }
                    ),
                )
            )
        commitments.append(
            Record(
                "commitment",
                f"k-{project.id}",
                extra=Extra(
                    {
                        "indicator": "new_products",
                        "scope": "project",
                        "project": project.id,
                        "quantity": Decimal(2),
                        "status": "set",
                        "basis": "illustrative",
                    }
                ),
            )
        )
    total = Record(
        "commitment",
        "k-all",
        extra=Extra(
            {
                "indicator": "new_products",
                "scope": "pilot_projects",
                "quantity": Decimal(2 * len(commitments)),
                "status": "stated",
                "basis": "illustrative",
            }
        ),
    )
    return attrs.evolve(
        base,
        observations=tuple(observations),
        records=Records({"financing_years": tuple(plans), "commitments": (*commitments, total)}),
        schema=shipped.schema,
    )


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as made,
    ):
        yield made


@pytest.mark.parametrize("as_of", [dt.date(2021, 6, 30), dt.date(2025, 6, 30)])
def test_the_example_by_partitions_equals_one_process(
    every_rulebook: clusterkit.Program, example: Dataset, client: Any, as_of: dt.date
) -> None:
    one = clusterkit.evaluate(every_rulebook, example, as_of)
    many = evaluate_partitioned(every_rulebook, example, as_of, client, partitions=4)
    assert list(many.verdicts()) == list(one.verdicts())
    assert many == one


def test_a_generated_registry_by_partitions_equals_one_process(
    shipped: clusterkit.Program, registry: Dataset, client: Any
) -> None:
    as_of = dt.date(2025, 6, 30)
    one = clusterkit.evaluate(shipped, registry, as_of)
    rules = {r.rule for r in one}
    assert {"financing_plan", "financing_after_commissioning", "commitment_split"} <= rules
    many = evaluate_partitioned(shipped, registry, as_of, client, partitions=5)
    assert many == one


def test_worker_processes_give_the_same_verdicts(
    shipped: clusterkit.Program, registry: Dataset
) -> None:
    as_of = dt.date(2025, 6, 30)
    one = clusterkit.evaluate(shipped, registry, as_of)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        many = evaluate_partitioned(shipped, registry, as_of, client)
    assert many == one


@pytest.mark.parametrize("partitions", [1, 2, 3, 7, 100])
def test_any_number_of_partitions_gives_the_same_result_set(
    shipped: clusterkit.Program, registry: Dataset, partitions: int
) -> None:
    as_of = dt.date(2025, 6, 30)
    one = clusterkit.evaluate(shipped, registry, as_of, data_sha256="-")
    many = evaluate_partitioned(
        shipped, registry, as_of, Inline(), partitions=partitions, data_sha256="-"
    )
    assert many == one


def test_parts_hold_whole_clusters_with_what_belongs_to_them(registry: Dataset) -> None:
    split = split_dataset(registry, 4)
    assert len(split.parts) == 4
    assert [c.id for part in split.parts for c in part.clusters] == [
        c.id for c in registry.clusters
    ]
    for part in split.parts:
        mine = {c.id for c in part.clusters}
        assert {p.cluster for p in part.programmes} <= mine
        assert {o.cluster for o in part.observations} <= mine
        projects = {p.id for programme in part.programmes for p in programme.projects}
        assert {r.extra["project"] for r in part.records_of("financing_years")} <= projects
        # the commitment of all projects is reference data, in every part
        assert "k-all" in {r.id for r in part.records_of("commitments")}
        # a correction names the observation it corrects within the part
        for observation in part.observations:
            if observation.supersedes is not None:
                target = part.observations[observation.supersedes - 1]
                assert (target.cluster, target.year) == (observation.cluster, observation.year)
    assert split.homed >= {"financing_years"}
    assert "commitments" not in split.homed  # one commitment belongs to no cluster


def test_refusing_names_each_rule_that_needs_the_whole_dataset_and_why(
    every_rulebook: clusterkit.Program, example: Dataset
) -> None:
    as_of = dt.date(2021, 6, 30)
    with pytest.raises(PartitionError) as refused:
        evaluate_partitioned(every_rulebook, example, as_of, Inline(), whole="refuse")
    message = str(refused.value)
    assert "kz.selection/selection: a score ranks every entity against the others" in message
    assert "kz.published.figures/budget_total: it runs once for the dataset" in message
    assert "kz.tcp.monitoring/commitment_split: it goes through commitments" in message
    assert "kz.registry.entry/has_enterprises" not in message
    named = {(book, rule) for book, rule, _ in whole_dataset_rules(every_rulebook, example, as_of)}
    assert ("kz.tcp.cofinancing", "cluster_share") not in named
    assert ("kz.status", "status_held") in named


def test_a_rule_reading_another_collection_runs_on_the_whole_dataset(
    example: Dataset,
) -> None:
    program = clusterkit.compile_rules(
        "rulebook test.whole\n"
        "rule busy for each c in clusters\n"
        "  require count(p in projects where p.programme.cluster = c) * 6 >= count(projects)\n",
        name="whole.ckr",
    )
    as_of = dt.date(2021, 6, 30)
    (reason,) = whole_dataset_rules(program, example, as_of)
    assert reason == ("test.whole", "busy", "it reads projects as a whole")
    one = clusterkit.evaluate(program, example, as_of)
    assert {r.outcome for r in one} == {clusterkit.Outcome.PASS}
    assert evaluate_partitioned(program, example, as_of, Inline(), partitions=6) == one


def test_a_correction_of_another_clusters_observation_is_refused(registry: Dataset) -> None:
    wrong = attrs.evolve(
        registry.observations[13], reported_on=dt.date(2025, 3, 2), supersedes=1, reason="x"
    )  # observation 1 is of the first cluster, this one of the last
    data = attrs.evolve(registry, observations=(*registry.observations, wrong))
    assert isinstance(wrong, Observation)
    with pytest.raises(PartitionError, match="evaluate in one process"):
        split_dataset(data, 2)


def test_an_unknown_way_for_whole_dataset_rules_is_refused(
    shipped: clusterkit.Program, example: Dataset
) -> None:
    with pytest.raises(ValueError, match="whole must be"):
        evaluate_partitioned(shipped, example, dt.date(2021, 6, 30), Inline(), whole="never")
