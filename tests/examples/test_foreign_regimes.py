"""The three regimes outside Kazakhstan in ``examples/``, run as a policy author would.

``examples/eu-cluster-labels`` (ESCA labels and ECCP profiles),
``examples/ru-industrial-clusters`` (Russian Decrees No. 779 and No. 41) and
``examples/pl-key-clusters`` (Poland's National Key Clusters status) are written
in the rules language only. Each test runs the command-line tool on them (lint,
validate, check, test) and asserts the verdicts that show a language feature at
work: a label valid on one date and expired the next, a cut-off chosen by each
record's own date, a subsidy capped, a rulebook version chosen by a project's date,
a grandfathered decision, outcome names in three languages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.runner import run

ROOT = Path(__file__).resolve().parents[2]
EU = ROOT / "examples" / "eu-cluster-labels"
RU = ROOT / "examples" / "ru-industrial-clusters"
PL = ROOT / "examples" / "pl-key-clusters"
REGIMES = [
    pytest.param(EU, id="eu-cluster-labels"),
    pytest.param(RU, id="ru-industrial-clusters"),
    pytest.param(PL, id="pl-key-clusters"),
]


def check(regime: Path, *options: str) -> tuple[int, dict[tuple[str, str], dict[str, Any]]]:
    """Exit status and results of ``clusterkit check --format json``, by (rule, entity)."""
    code, out, err = run(
        "check", str(regime), "--data", str(regime / "data"), "--format", "json", *options
    )
    assert code in (0, 1), err
    document = json.loads(out)
    assert document["diagnostics"] == []
    results = {(r["rule"], r["entity"]): r for r in document["results"]}
    assert len(results) == len(document["results"]), "one verdict per rule and entity"
    return code, results


def trace(result: dict[str, Any]) -> dict[str, str]:
    return {step["label"]: step["value"] for step in result["trace"]}


# -- the four commands ------------------------------------------------------------------


@pytest.mark.parametrize("regime", REGIMES)
def test_lint_finds_no_problem(regime: Path) -> None:
    code, out, err = run("lint", str(regime))
    assert code == 0, out + err
    assert "no problems found" in (out + err).lower()


@pytest.mark.parametrize(
    ("regime", "counts"),
    [
        pytest.param(EU, {"clusters": 6, "participants": 0}, id="eu-cluster-labels"),
        pytest.param(RU, {"clusters": 2, "participants": 15}, id="ru-industrial-clusters"),
        pytest.param(PL, {"clusters": 5, "participants": 269}, id="pl-key-clusters"),
    ],
)
def test_validate_loads_the_declared_schema(regime: Path, counts: dict[str, int]) -> None:
    code, out, err = run("validate", str(regime / "data"))
    assert code == 0, out + err
    for name, number in counts.items():
        assert f"{name}:" in out
        line = next(line for line in out.splitlines() if line.strip().startswith(f"{name}:"))
        assert line.split(":", 1)[1].split()[0] == str(number)


@pytest.mark.parametrize("regime", REGIMES)
def test_check_fails_on_purpose_and_says_so(regime: Path) -> None:
    # The sample data holds records built to fail; the README explains it.
    code, results = check(regime)
    assert code == 1
    assert any(r["outcome"] == "fail" for r in results.values())
    code, _ = check(regime, "--exit-zero")
    assert code == 0


@pytest.mark.parametrize("regime", REGIMES)
def test_rule_tests_pass(regime: Path) -> None:
    code, out, err = run("test", str(regime))
    assert code == 0, out + err
    assert out.strip().splitlines()[-1].endswith(" failed")
    assert " 0 failed" in out.strip().splitlines()[-1]
    code, out, err = run("test", str(regime), "--format", "json")
    assert code == 0, out + err
    report = json.loads(out)
    assert report["totals"]["files"] == len(list(regime.glob("*.tests.toml")))
    assert report["totals"]["broken_files"] == 0
    assert report["totals"]["failed"] == 0
    assert report["totals"]["passed"] == report["totals"]["cases"] >= 10


@pytest.mark.parametrize("regime", REGIMES)
def test_every_rulebook_has_tests_beside_it(regime: Path) -> None:
    rulebooks = {p.stem for p in regime.glob("*.ckr") if p.name != "schema.ckr"}
    tested = {p.name.removesuffix(".tests.toml") for p in regime.glob("*.tests.toml")}
    assert rulebooks == tested


# -- ESCA labels and ECCP profiles ------------------------------------------------------------


def test_label_valid_on_its_last_day_and_expired_the_next() -> None:
    _, on_last_day = check(EU, "--as-of", "2024-01-31")
    _, next_day = check(EU, "--as-of", "2024-02-01")
    last = on_last_day[("label_valid", "a-1")]
    assert (last["outcome"], last["label"]) == ("pass", "valid")
    assert trace(last)["valid_until"] == "2024-01-31"
    after = next_day[("label_valid", "a-1")]
    assert (after["outcome"], after["label"]) == ("fail", "expired")
    # Interviewed one day later (1 February 2022): valid to the end of February 2024.
    assert next_day[("stated_expiry", "b-1")]["outcome"] == "fail"
    assert trace(next_day[("stated_expiry", "b-1")])["computed"] == "2024-02-29"


def test_outcome_names_in_russian_and_kazakh() -> None:
    _, ru = check(EU, "--as-of", "2024-02-01", "--lang", "ru")
    _, kk = check(EU, "--as-of", "2024-02-01", "--lang", "kk")
    assert ru[("label_valid", "a-1")]["label"] == "истёк"
    assert kk[("label_valid", "a-1")]["label"] == "мерзімі өткен"
    assert ru[("label_valid", "b-1")]["label"] == "действует"
    assert kk[("label_valid", "b-1")]["label"] == "жарамды"


def test_renewal_window_and_three_year_extension() -> None:
    _, results = check(EU, "--as-of", "2025-06-30")
    on_time = results[("renewal_in_time", "a-2")]
    assert on_time["outcome"] == "pass"
    assert trace(on_time)["deadline"] == "2025-01-31"  # exactly 12 months after expiry
    late = results[("renewal_in_time", "b-2")]
    assert (late["outcome"], late["label"]) == ("fail", "too late")
    assert "1 day over deadline" in late["gap"]
    assert trace(results[("label_valid", "a-2")])["valid_until"] == "2027-01-31"
    # The Silver renewal's extension is not in the sources: no guess.
    silver = results[("label_valid", "c-3")]
    assert silver["outcome"] == "undetermined"
    assert "renewal_extension" in silver["needs"]


def test_eligibility_cut_off_is_read_as_of_each_assessment_date() -> None:
    for as_of in ("2019-11-14", "2025-06-30"):
        _, results = check(EU, "--as-of", as_of)
        assert results[("eligibility_criteria", "d-1")]["outcome"] == "not_applicable"
        assert results[("eligibility_criteria", "e-1")]["outcome"] == "fail"


def test_eccp_profile_and_fees_in_euro() -> None:
    _, results = check(EU)
    outcomes = {
        entity: r["outcome"]
        for (rule, entity), r in results.items()
        if rule == "profile_publishable"
    }
    assert outcomes == {
        "sample-a": "pass",
        "sample-b": "fail",
        "sample-c": "not_applicable",
        "sample-d": "fail",
        "sample-e": "pass",
        "basque-energy-cluster": "undetermined",
    }
    assert results[("profile_publishable", "sample-a")]["label"] == "publishable"
    fee = results[("fee_within_price_list", "b-1")]
    assert fee["outcome"] == "fail"
    assert "600 EUR" in fee["gap"]
    assert fee["basis"]["kind"] == "illustrative"
    # A constant read through a function is listed with the verdict it decides.
    label = results[("label_valid", "bec-gold-2017")]
    expiry = {p["name"]: p["basis"] for p in label["parameters"]}
    assert expiry["gold_validity"] == "inferred"
    gold = results[("gold_score", "bec-gold-2017")]
    assert gold["outcome"] == "pass"
    assert [p["name"] for p in gold["parameters"]] == ["gold_min_score"]
    assert gold["parameters"][0]["basis"] == "inferred"


# -- Russian industrial clusters ----------------------------------------------------------------


def test_subsidy_capped_at_150_mln_rub() -> None:
    _, results = check(RU)
    starter = results[("subsidy_within_limit", "jp-2023-starter")]
    assert starter["outcome"] == "pass"
    assert starter["version"] == "2023-01"
    assert trace(starter)["eligible_costs"] == "340 mln RUB"
    assert trace(starter)["limit"] == "150 mln RUB"
    over = results[("subsidy_within_limit", "jp-2024-hydraulics")]
    assert over["outcome"] == "fail"
    assert "10 mln RUB" in over["gap"]


def test_costs_dated_before_2023_or_bought_outside_the_cluster_are_not_reimbursed() -> None:
    _, results = check(RU)
    labels = {
        entity: (r["outcome"], r["label"])
        for (rule, entity), r in results.items()
        if rule == "cost_eligible" and entity.startswith("c2023")
    }
    assert labels == {
        "c2023-1": ("pass", "eligible"),  # incurred 2023-01-01
        "c2023-2": ("pass", "eligible"),
        "c2023-3": ("fail", "not eligible"),  # incurred 2022-12-30
        "c2023-4": ("fail", "not eligible"),  # supplier in another cluster
        "c2023-5": ("fail", "not eligible"),  # bought from the applicant itself
        "c2023-6": ("fail", "not eligible"),  # equipment, not a starter batch
    }
    assert "2 days short" in results[("cost_eligible", "c2023-3")]["gap"]


def test_each_project_is_judged_by_the_version_in_force_on_its_agreement_date() -> None:
    _, results = check(RU, "--as-of", "2024-03-01")
    old = results[("subsidy_within_limit", "jp-2022-press-line")]
    assert (old["rulebook"], old["version"]) == ("ru.decree41.subsidy", "2021-04")
    assert trace(old)["limit"] == "150 mln RUB"  # 30 % of 500 mln RUB
    assert old["basis"]["kind"] == "inferred"
    assert results[("cost_eligible", "c2022-1")]["version"] == "2021-04"


def test_grandfathered_decision_valid_five_years() -> None:
    _, on_last_day = check(RU, "--as-of", "2024-06-14")
    _, next_day = check(RU, "--as-of", "2024-06-15", "--lang", "ru")
    valid = on_last_day[("decision_still_valid", "sample-ural-machinery")]
    assert (valid["outcome"], valid["label"]) == ("pass", "valid")
    assert trace(valid)["decision_valid_until"] == "2024-06-14"
    expired = next_day[("decision_still_valid", "sample-ural-machinery")]
    assert (expired["outcome"], expired["label"]) == ("fail", "истёк")
    later = on_last_day[("decision_still_valid", "sample-volga-composites")]
    assert later["outcome"] == "not_applicable"  # decided after the amendment


def test_functional_dependence_threshold_lowered_for_special_territories() -> None:
    _, results = check(RU)
    ural = trace(results[("functional_dependence", "sample-ural-machinery")])
    assert (ural["dependence"], ural["threshold"]) == ("18 %", "10 %")
    volga = trace(results[("functional_dependence", "sample-volga-composites")])
    assert (volga["dependence"], volga["threshold"]) == ("20 %", "20 %")
    assert results[("enough_participants", "sample-volga-composites")]["outcome"] == "fail"
    # The specialised organisation (an added participant role) is not judged as one.
    assert ("each_participant_has_a_contract", "u11") not in results


def test_inn_is_checked_with_its_check_digits(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "participants").mkdir(parents=True)
    for file in (RU / "data").iterdir():
        if file.is_file():
            (data / file.name).write_bytes(file.read_bytes())
    for file in (RU / "data" / "participants").iterdir():
        (data / "participants" / file.name).write_bytes(file.read_bytes())
    (tmp_path / "schema.ckr").write_bytes((RU / "schema.ckr").read_bytes())
    csv = data / "participants" / "sample-volga-composites.csv"
    text = csv.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("v01,"))
    inn = line.split(",")[1]
    broken = inn[:-1] + str((int(inn[-1]) + 1) % 10)
    csv.write_text(text.replace(inn, broken), encoding="utf-8")
    code, out, err = run("validate", str(data))
    assert code == 2
    assert "check digit" in out + err


# -- Poland's National Key Clusters ------------------------------------------------------------


def test_status_held_three_years_from_the_document() -> None:
    _, on_last_day = check(PL, "--as-of", "2024-12-31")
    _, next_day = check(PL, "--as-of", "2025-01-01", "--lang", "kk")
    active = on_last_day[("status_active", "sample-aero")]
    assert (active["outcome"], active["label"]) == ("pass", "active")
    assert trace(active)["valid_until"] == "2024-12-31"
    expired = next_day[("status_active", "sample-aero")]
    assert (expired["outcome"], expired["label"]) == ("fail", "мерзімі өткен")
    assert "1" in expired["gap"]
    # The term's last day is a reading of "3 years from the document": it says so.
    assert [p["name"] for p in expired["parameters"]] == ["status_term"]
    assert expired["parameters"][0]["basis"] == "inferred"
    # Clusters that never held the status get no verdict on it.
    assert ("status_active", "sample-food") not in on_last_day


def test_a_cluster_that_lost_the_status_holds_it_again_after_reapplying() -> None:
    _, lost = check(PL, "--as-of", "2021-12-30")
    _, again = check(PL, "--as-of", "2021-12-31")
    assert lost[("status_active", "sample-ict")]["outcome"] == "fail"
    assert trace(lost[("status_active", "sample-ict")])["valid_until"] == "2019-10-20"
    assert again[("status_active", "sample-ict")]["outcome"] == "pass"
    assert again[("status_follows_application", "ict-2021")]["outcome"] == "pass"


def test_round_v_conditions_at_their_edges() -> None:
    _, results = check(PL)
    outcomes = {
        (rule, entity): r["outcome"]
        for (rule, entity), r in results.items()
        if entity in ("food-v", "med-v", "energy-v", "ict-v")
    }
    assert outcomes == {
        ("operating_three_years", "food-v"): "pass",  # founded three years to the day
        ("operating_three_years", "med-v"): "fail",
        ("operating_three_years", "energy-v"): "pass",
        ("operating_three_years", "ict-v"): "pass",
        ("enough_members", "food-v"): "pass",  # exactly 51
        ("enough_members", "med-v"): "pass",
        ("enough_members", "energy-v"): "fail",  # 50
        ("enough_members", "ict-v"): "pass",
        ("majority_enterprises", "food-v"): "pass",  # 26 of 51
        ("majority_enterprises", "med-v"): "fail",  # 27 of 54: half is no majority
        ("majority_enterprises", "energy-v"): "pass",
        ("majority_enterprises", "ict-v"): "pass",
        ("enough_points", "food-v"): "fail",  # 99
        ("enough_points", "med-v"): "pass",
        ("enough_points", "energy-v"): "pass",
        ("enough_points", "ict-v"): "pass",  # exactly 100
    }
    points = results[("enough_points", "food-v")]
    assert points["label"] == "below the threshold"
    minimum = results[("enough_members", "energy-v")]
    assert trace(minimum)["minimum"] == "51"
    # Round V's 51 is the regulations' own figure: the basis of the value read.
    assert minimum["parameters"] == [
        {"name": "min_members", "basis": "source", "note": "round V: at least 51 members"}
    ]


def test_the_member_minimum_is_the_one_of_the_applications_round() -> None:
    # Round II (2016): the illustrative 40 of the earlier rounds, read on its own date,
    # with the basis of that value; round V's 51 with the source's.
    _, results = check(PL)
    earlier, round_v = results[("enough_members", "ict-ii")], results[("enough_members", "ict-v")]
    assert trace(earlier)["minimum"] == "40"
    assert trace(round_v)["minimum"] == "51"
    assert [p["basis"] for p in earlier["parameters"]] == ["illustrative"]
    assert [p["basis"] for p in round_v["parameters"]] == ["source"]


def test_two_versions_of_a_rulebook_are_counted_once_each() -> None:
    # Were: the check's totals named ru.decree41.subsidy twice, and the reports' table
    # gave each of its two versions all 12 verdicts of both.
    code, out, _ = run("check", str(RU), "--data", str(RU / "data"), "--exit-zero")
    assert code == 0
    totals = [line for line in out.splitlines() if line.startswith("ru.decree41.subsidy:")]
    assert totals == ["ru.decree41.subsidy: 7 pass, 5 fail"]
    code, out, _ = run(
        "report", "--data", str(RU / "data"), "--rules", str(RU), "--format", "markdown"
    )
    assert code == 0
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in out.splitlines()]
    by_version = {
        row[1]: row[2:4]
        for row in cells
        if row[0] == "ru.decree41.subsidy" and row[1] in ("2021-04", "2023-01")
    }
    assert by_version == {"2021-04": ["3", "0"], "2023-01": ["4", "5"]}
