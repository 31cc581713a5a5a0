"""A share of a count, and a strict comparison lost on equal sides, as people read them.

Both came up writing ``examples/pl-key-clusters`` ("the majority of members are
enterprises": ``enterprises > 50 % * members``): the product was shown as "2,700 %"
for 27 members, and a tie as "0 short of".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import clusterkit

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "examples" / "kazakhstan-2021"

RULES = """rulebook t
const majority = 50 %
rule share_of_members for each c in clusters where c.id = "milk-akmola"
  let members = count(c.participants)
  let half = majority * members
  let doubled = 2 * majority
  let of_share = majority * 30 %
  require members > half
rule tie_more for each c in clusters where c.id = "milk-akmola"
  let members = count(c.participants)
  require members > 12
rule tie_less for each c in clusters where c.id = "milk-akmola"
  let members = count(c.participants)
  require members < 12
rule tie_dates for each c in clusters where c.id = "milk-akmola"
  require as_of > 2021-06-01
"""


def _results(lang: str = "en") -> dict[str, dict[str, Any]]:
    program = clusterkit.compile_rules(RULES, name="t.ckr")
    results = clusterkit.evaluate(program, clusterkit.load_dataset(DATA), dt.date(2021, 6, 1))
    document = results.to_dict(lang=lang)
    return {r["rule"]: r for r in document["results"]}


def _trace(result: dict[str, Any]) -> dict[str, str]:
    return {step["label"]: step["value"] for step in result["trace"]}


def test_a_share_of_a_count_is_a_count_and_a_scaled_share_a_share() -> None:
    trace = _trace(_results()["share_of_members"])
    assert trace["members"] == "12"
    assert trace["half"] == "6"  # was "600 %"
    assert trace["doubled"] == "100 %"  # a percentage times a written number
    assert trace["of_share"] == "15 %"  # a percentage of a percentage


def test_a_strict_comparison_lost_on_a_tie_says_so() -> None:
    results = _results()
    assert results["tie_more"]["outcome"] == "fail"
    assert results["tie_more"]["gap"] == "members equals 12, and must be more"
    assert results["tie_less"]["gap"] == "members equals 12, and must be less"
    assert results["tie_dates"]["gap"] == "as_of equals 2021-06-01, and must be more"
    russian = _results("ru")
    assert russian["tie_more"]["gap"] == "members равно 12, а должно быть больше"
    kazakh = _results("kk")
    assert kazakh["tie_less"]["gap"] == "members 12 мәніне тең, ал одан аз болуы керек"


def test_a_distance_that_is_not_a_tie_is_still_measured() -> None:
    program = clusterkit.compile_rules(
        'rulebook t\nrule r for each c in clusters where c.id = "milk-akmola"\n'
        "  let members = count(c.participants)\n  require members > 13\n",
        name="t.ckr",
    )
    results = clusterkit.evaluate(program, clusterkit.load_dataset(DATA), dt.date(2021, 6, 1))
    (result,) = results.to_dict()["results"]
    assert result["gap"] == "members is 1 short of 13"
