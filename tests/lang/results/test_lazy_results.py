"""Results kept as columns until read: the same verdicts, values and texts as results
made at once, an entity that lacks data never stops the others, and evaluation leaves
nothing changed behind it."""

from __future__ import annotations

import datetime as dt
import decimal
import gc
import pickle
from collections import Counter
from decimal import Decimal
from typing import Any

import attrs
import pytest

import clusterkit
from clusterkit import Outcome, ResultSet

AS_OF = dt.date(2021, 6, 30)

RULES = """\
rulebook test.lazy
  currency KZT

rule share for each p in projects
  require p.cluster_amount >= 30 % * p.budget

rule ratio for each p in projects
  let r = p.budget / p.cluster_amount
  require r <= 4

rule big_ratio for each p in projects where p.budget / p.cluster_amount > 3.5
  require p.budget > 0 KZT

monitor band for each p in projects
  let s = p.cluster_amount / p.budget
  breach when s < 25 %
  warning when 25 % <= s < 30 %
  ok when s >= 30 %

rule members for each c in clusters
  require count(x in c.participants where x.is_enterprise) >= 1

rule programme_years for each p in projects
  require p.programme.duration >= 3 year
"""


def project(pid: str, budget: str, share: str) -> dict[str, Any]:
    return {
        "id": pid,
        "title": {"en": pid},
        "budget": budget,
        "financing": [{"source": "cluster", "amount": share}],
    }


def dataset(*projects: dict[str, Any]) -> clusterkit.Dataset:
    return clusterkit.dataset_from_dict(
        {
            "dataset": {"id": "lazy", "title": {"en": "lazy"}},
            "regions": [{"code": "KZ-AKM", "name": {"en": "Akmola"}}],
            "sectors": [{"code": "10.51", "name": {"en": "milk"}}],
            "clusters": [
                {
                    "id": "c1",
                    "name": {"en": "c1"},
                    "regions": ["KZ-AKM"],
                    "sector": "10.51",
                    "participants": [
                        {
                            "id": "f1",
                            "name": {"en": "farm"},
                            "bin": "210540000000",
                            "role": "small_enterprise",
                            "region": "KZ-AKM",
                            "oked": "10.51",
                            "member_from": "2020-01-01",
                        }
                    ],
                }
            ],
            "programmes": [
                {
                    "id": "tcp-1",
                    "cluster": "c1",
                    "title": {"en": "tcp"},
                    "start": "2021-01-01",
                    "end": "2025-12-31",
                    "projects": list(projects),
                }
            ],
        }
    )


@pytest.fixture(scope="module")
def program() -> clusterkit.Program:
    return clusterkit.compile_rules(RULES, name="lazy.ckr")


@pytest.fixture(scope="module")
def data() -> clusterkit.Dataset:
    return dataset(
        project("p1", "100 mln KZT", "30 mln KZT"),
        project("p2", "100 mln KZT", "0 KZT"),  # no share: the ratio cannot be computed
        project("p3", "100 mln KZT", "26 mln KZT"),
        project("p4", "100 mln KZT", "20 mln KZT"),
    )


def test_counting_and_reading_verdicts_makes_no_result(
    program: clusterkit.Program, data: clusterkit.Dataset
) -> None:
    results = clusterkit.evaluate(program, data, AS_OF)
    counts = results.by_outcome()
    verdicts = list(results.verdicts())
    assert len(results) == len(verdicts) == sum(counts.values())
    assert "results" not in vars(results)  # nothing made yet
    made = results.results
    assert "results" in vars(results)
    assert verdicts == [(r.rulebook, r.rule, r.entity, r.outcome) for r in made]
    assert counts == {o: Counter(r.outcome for r in made)[o] for o in Outcome}


def test_results_made_on_read_equal_results_made_at_once(
    program: clusterkit.Program, data: clusterkit.Dataset
) -> None:
    lazy = clusterkit.evaluate(program, data, AS_OF)
    failed, found = lazy.failed, lazy.find("ratio", "p3")  # made one by one
    eager = ResultSet(clusterkit.evaluate(program, data, AS_OF).results, lazy.provenance)
    assert lazy == eager
    assert failed == tuple(r for r in eager if r.outcome.is_failure)
    assert found == tuple(r for r in eager if r.rule == "ratio" and r.entity == "p3")
    assert [r.explain("ru") for r in lazy] == [r.explain("ru") for r in eager]
    assert lazy.to_json() == eager.to_json()


def test_a_failed_verdict_made_later_has_its_trace_and_comparison(
    program: clusterkit.Program, data: clusterkit.Dataset
) -> None:
    results = clusterkit.evaluate(program, data, AS_OF)
    (share,) = results.find("share", "p4")
    assert share.outcome is Outcome.FAIL
    assert share.failure is not None
    assert (share.failure.left, share.failure.right) == (Decimal(20_000_000), Decimal(30_000_000))
    assert [(e.label, e.exact) for e in share.trace] == [
        ("p.cluster_amount", Decimal(20_000_000)),
        ("30 % * p.budget", Decimal(30_000_000)),
    ]
    (band,) = results.find("band", "p3")
    assert band.outcome is Outcome.WARNING
    assert [e.exact for e in band.trace] == [Decimal("0.26")]


def test_an_entity_lacking_data_is_undetermined_and_the_others_are_judged_in_order(
    program: clusterkit.Program, data: clusterkit.Dataset
) -> None:
    results = clusterkit.evaluate(program, data, AS_OF)
    ratio = results.find("ratio")
    assert [(r.entity, r.outcome) for r in ratio] == [
        ("p1", Outcome.PASS),
        ("p2", Outcome.UNDETERMINED),
        ("p3", Outcome.PASS),
        ("p4", Outcome.FAIL),
    ]
    assert ratio[1].needs is not None
    assert ratio[1].needs.text() == "p.cluster_amount to be non-zero"
    # A 'where' that cannot be decided keeps the entity, undetermined; the others are
    # in scope only where it holds.
    scoped = results.find("big_ratio")
    assert [(r.entity, r.outcome) for r in scoped] == [
        ("p2", Outcome.UNDETERMINED),
        ("p3", Outcome.PASS),
        ("p4", Outcome.PASS),
    ]


def test_result_sets_pickle_and_evolve_with_their_results(
    program: clusterkit.Program, data: clusterkit.Dataset
) -> None:
    results = clusterkit.evaluate(program, data, AS_OF)
    copied = pickle.loads(pickle.dumps(results))
    assert copied == results
    assert copied.by_outcome() == results.by_outcome()
    other = attrs.evolve(results, provenance=attrs.evolve(results.provenance, data_sha256="x"))
    assert other.results == results.results
    assert other.provenance.data_sha256 == "x"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        results.provenance = other.provenance  # type: ignore[misc]


def test_results_read_later_ignore_the_callers_decimal_context(
    program: clusterkit.Program, data: clusterkit.Dataset
) -> None:
    expected = [r.values for r in clusterkit.evaluate(program, data, AS_OF).results]
    results = clusterkit.evaluate(program, data, AS_OF)
    with decimal.localcontext(decimal.Context(prec=2, rounding=decimal.ROUND_DOWN)):
        assert [r.values for r in results.results] == expected


def test_evaluation_leaves_the_collector_and_the_decimal_context_as_they_were(
    program: clusterkit.Program, data: clusterkit.Dataset
) -> None:
    before = decimal.getcontext().copy()
    assert gc.isenabled()
    results = clusterkit.evaluate(program, data, AS_OF)
    _ = results.results
    assert gc.isenabled()
    after = decimal.getcontext()
    assert (after.prec, after.rounding, after.Emax) == (before.prec, before.rounding, before.Emax)
    gc.disable()
    try:
        clusterkit.evaluate(program, data, AS_OF)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_share_in_another_currency_is_undetermined_on_every_read(
    program: clusterkit.Program,
) -> None:
    usd = dataset(
        {
            "id": "pu",
            "title": {"en": "pu"},
            "budget": "100 mln USD",
            "financing": [{"source": "cluster", "amount": "30 mln USD"}],
        }
    )
    results = clusterkit.evaluate(program, usd, AS_OF)
    reading = [r for r in results if r.rule in ("share", "ratio", "band")]
    assert [r.outcome for r in reading] == [Outcome.UNDETERMINED] * 3
    # share and band read the cluster's share first (summed once, refused on each read)
    assert [r.needs.text() for r in reading if r.needs] == [
        "an amount in KZT (found 30 mln USD)",
        "an amount in KZT (found 100 mln USD)",
        "an amount in KZT (found 30 mln USD)",
    ]


def test_parents_are_found_for_each_kind_of_child(
    program: clusterkit.Program, data: clusterkit.Dataset
) -> None:
    results = clusterkit.evaluate(program, data, AS_OF)
    years = results.find("programme_years")
    assert [r.outcome for r in years] == [Outcome.PASS] * 4
    (members,) = results.find("members", "c1")
    assert members.outcome is Outcome.PASS


def test_a_bug_met_in_a_rule_is_raised_at_the_rule_files_line(
    program: clusterkit.Program, data: clusterkit.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clusterkit.lang.runtime import RT  # noqa: PLC0415 - only to plant the bug

    def broken(ctx: object, amount: object) -> None:
        raise ValueError("planted")

    monkeypatch.setattr(RT, "money", broken)
    with pytest.raises(ValueError, match="planted") as caught:
        clusterkit.evaluate(program, data, AS_OF)
    assert any("in the rules at lazy.ckr:5:3 " in note for note in caught.value.__notes__)
    frames = [(tb.name, str(tb.path)) for tb in caught.traceback]
    assert ("rule share", "lazy.ckr") in frames
