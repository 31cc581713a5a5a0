"""The front door: what ``import clusterkit`` offers an embedding developer."""

from __future__ import annotations

import datetime as dt
import gc
import json
import pickle
import re
import traceback
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import clusterkit
from clusterkit import DiagnosticError, Outcome
from clusterkit.lang.runtime import access

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"
AS_OF = dt.date(2021, 6, 1)

SHARE_RULES = """rulebook demo
  title en "Demo" ru "Демо"
rule share for each p in projects
  title en "The cluster pays 30%" ru "Кластер платит 30%"
  require p.cluster_amount >= 30 % * p.budget
"""


def small_dataset(programme_cluster: str = "c1") -> dict[str, Any]:
    return {
        "dataset": {"id": "small", "title": {"en": "Small"}},
        "regions": [{"code": "KZ-AKM", "name": {"en": "Akmola"}}],
        "sectors": [{"code": "food", "name": {"en": "Food"}}],
        "clusters": [{"id": "c1", "name": {"en": "One"}, "regions": ["KZ-AKM"], "sector": "food"}],
        "programmes": [
            {
                "id": "tcp1",
                "cluster": programme_cluster,
                "title": {"en": "TCP"},
                "start": "2021-01-01",
                "end": "2025-12-31",
                "projects": [
                    {
                        "id": "p1",
                        "title": {"en": "Project"},
                        "budget": "100 mln KZT",
                        "financing": [{"source": "cluster", "amount": "29 mln KZT"}],
                    }
                ],
            }
        ],
    }


def test_the_readme_embedding_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Embedding", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    assert len(code[1].strip().splitlines()) <= 15
    namespace: dict[str, Any] = {}
    exec(compile(code[1], "README.md", "exec"), namespace)
    assert isinstance(namespace["results"], clusterkit.ResultSet)


def test_rules_compile_from_text_under_the_name_given() -> None:
    program = clusterkit.compile_rules(SHARE_RULES, name="demo.ckr")
    assert [book.id for book in program.rulebooks] == ["demo"]
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.compile_rules("rulebook demo\nrule r\n  require x > 1\n", name="bad.ckr")
    (problem,) = caught.value.diagnostics
    assert (problem.file, problem.code, problem.span and problem.span.line) == (
        "bad.ckr",
        "R201",
        3,
    )


def test_rules_load_from_files_and_folders() -> None:
    program = clusterkit.load_rules([ROOT / "rules"])
    assert len(program.rulebooks) == len(list((ROOT / "rules").rglob("*.ckr")))
    one = clusterkit.load_rules(ROOT / "rules" / "monitoring.ckr")
    assert [b.id for b in one.rulebooks] == ["kz.schema", "kz.tcp.monitoring"]


def test_a_dataset_from_python_dicts_is_checked_like_a_loaded_one() -> None:
    data = clusterkit.dataset_from_dict(small_dataset())
    assert data.programmes[0].projects[0].budget.amount == Decimal("1.00E+8")
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.dataset_from_dict(small_dataset("nowhere"), name="mine")
    assert [(d.code, d.file, d.path) for d in caught.value.diagnostics] == [
        ("D106", "mine", "programmes[0].cluster")
    ]
    broken = small_dataset()
    broken["clusters"][0]["regions"] = [1.5]
    with pytest.raises(DiagnosticError):
        clusterkit.dataset_from_dict(broken)


def test_evaluating_a_dataset_built_from_model_objects_checks_its_references() -> None:
    good = clusterkit.dataset_from_dict(small_dataset())
    programme = good.programmes[0]
    orphan = type(good)(
        good.info,
        regions=good.regions,
        sectors=good.sectors,
        clusters=good.clusters,
        programmes=(attrs.evolve(programme, cluster="nowhere"),),
    )
    program = clusterkit.compile_rules(
        'rulebook r\nrule c for each p in projects\n  require p.cluster.id != "x"\n'
    )
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.evaluate(program, orphan, AS_OF)
    assert caught.value.diagnostics[0].path == "programmes[0].cluster"


def test_evaluation_returns_data_and_language_is_chosen_when_shown() -> None:
    program = clusterkit.compile_rules(SHARE_RULES)
    data = clusterkit.dataset_from_dict(small_dataset())
    results = clusterkit.evaluate(program, data, AS_OF)
    (result,) = results
    assert result.outcome is Outcome.FAIL
    failure = result.failure
    assert failure is not None
    assert (failure.left, failure.right) == (Decimal("2.9E+7"), Decimal("3.000E+7"))
    assert result.title("en") == "The cluster pays 30%"
    assert result.title("ru") == "Кластер платит 30%"
    assert "short of" in result.explain("en")
    assert "меньше" in result.explain("ru")
    english, russian = json.loads(results.to_json("en")), json.loads(results.to_json("ru"))
    assert english["results"][0]["outcome"] == russian["results"][0]["outcome"] == "fail"
    assert english["results"][0]["title"] != russian["results"][0]["title"]


def test_scores_are_numbers() -> None:
    program = clusterkit.load_rules([ROOT / "rules" / "selection-873.ckr"])
    data = clusterkit.load_dataset(ROOT / "examples" / "selection-2017-sample")
    results = clusterkit.evaluate(program, data, dt.date(2017, 12, 31))
    scored = [r for r in results if r.score is not None]
    assert scored
    assert all(isinstance(r.score, Decimal) for r in scored)
    assert [r.rank for r in sorted(scored, key=lambda r: r.rank or 0)][:3] == [1, 2, 3]


def test_evaluation_leaves_the_garbage_collector_as_it_found_it() -> None:
    program = clusterkit.compile_rules(SHARE_RULES)
    data = clusterkit.dataset_from_dict(small_dataset())
    seen: list[bool] = []

    def watch(_phase: str, _info: dict[str, Any]) -> None:
        seen.append(gc.isenabled())

    gc.callbacks.append(watch)
    try:
        assert gc.isenabled()
        clusterkit.evaluate(
            program, data, AS_OF, progress=lambda _rule: seen.append(gc.isenabled())
        )
        assert gc.isenabled()
    finally:
        gc.callbacks.remove(watch)
    assert all(seen)


def test_a_program_pickles_and_gives_the_same_verdicts() -> None:
    program = clusterkit.load_rules([ROOT / "rules"])
    copy = pickle.loads(pickle.dumps(program))
    data = clusterkit.load_dataset(EXAMPLE)
    before = clusterkit.evaluate(program, data, AS_OF, data_sha256="-")
    after = clusterkit.evaluate(copy, data, AS_OF, data_sha256="-")
    assert before.to_json() == after.to_json()


def test_a_program_from_text_with_imports_pickles(tmp_path: Path) -> None:
    (tmp_path / "shared.ckr").write_text("rulebook shared\nconst share = 30 %\n", "utf-8")
    text = 'rulebook main\nimport "shared.ckr"\nrule r for each p in projects\n'
    text += "  require p.cluster_amount >= share * p.budget\n"
    program = clusterkit.compile_rules(text, name="main.ckr", root=tmp_path)
    copy = pickle.loads(pickle.dumps(program))
    assert [b.id for b in copy.rulebooks] == [b.id for b in program.rulebooks]


def test_an_error_inside_generated_code_points_at_the_rule_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(access, "funding", broken)
    monkeypatch.setattr(clusterkit.lang.runtime.RT, "funding", broken)
    program = clusterkit.compile_rules(SHARE_RULES, name="demo.ckr")
    data = clusterkit.dataset_from_dict(small_dataset())
    with pytest.raises(RuntimeError) as caught:
        clusterkit.evaluate(program, data, AS_OF)
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert any(f.filename == "demo.ckr" and f.lineno == 5 for f in frames)
    assert any(f.name == "rule share" for f in frames)
    assert any("demo.ckr:5" in note for note in caught.value.__notes__)
    assert all("<clusterkit rules" not in f.filename for f in frames)


def test_the_public_surface_is_what_all_names() -> None:
    for name in clusterkit.__all__:
        assert getattr(clusterkit, name) is not None
    with pytest.raises(AttributeError):
        _ = clusterkit.no_such_thing


STATE_RULES = """rulebook state
rule state_pays_some for each p in projects
  require p.state_amount > 0 KZT
"""


def test_an_unrecorded_funding_source_is_undetermined_not_zero() -> None:
    program = clusterkit.compile_rules(STATE_RULES, name="state.ckr")
    document = small_dataset()
    results = clusterkit.evaluate(program, clusterkit.dataset_from_dict(document), AS_OF)
    (only,) = results.results
    assert only.outcome is Outcome.UNDETERMINED
    assert "p.state_amount" in (only.needs.text("en") if only.needs else "")
    # once a state line is recorded the amount is read, and a recorded 0 is a 0
    lines = document["programmes"][0]["projects"][0]["financing"]
    for amount, outcome in (("10 mln KZT", Outcome.PASS), ("0 KZT", Outcome.FAIL)):
        lines[1:] = [{"source": "state", "amount": amount}]
        again = clusterkit.evaluate(program, clusterkit.dataset_from_dict(document), AS_OF)
        assert [r.outcome for r in again] == [outcome]


def test_undetermined_verdicts_lacking_the_same_data_are_one_paragraph() -> None:
    program = clusterkit.compile_rules(STATE_RULES, name="state.ckr")
    document = small_dataset()
    projects = document["programmes"][0]["projects"]
    projects.extend(dict(projects[0], id=f"p{n}") for n in range(2, 10))
    results = clusterkit.evaluate(program, clusterkit.dataset_from_dict(document), AS_OF)
    assert len(results) == 9
    text = results.render("en")
    assert (
        "state / state_pays_some — 9 entities (p1, p2, p3, p4, p5, p6 and 3 more): "
        "UNDETERMINED; needs p.state_amount"
    ) in text.splitlines()
    assert text.count("needs p.state_amount") == 1
    # --all explains each alone; Russian summarises in Russian
    assert results.render("en", show_all=True).count("needs p.state_amount") == 9
    assert "объектов: 9 (p1, p2, p3, p4, p5, p6 и ещё 3)" in results.render("ru")


def test_a_run_with_no_results_says_so() -> None:
    program = clusterkit.compile_rules(
        "rulebook none\nrule r for each o in obligations\n  require o.base_value > 0\n",
        name="none.ckr",
    )
    results = clusterkit.evaluate(program, clusterkit.dataset_from_dict(small_dataset()), AS_OF)
    assert len(results) == 0
    text = results.render("en")
    assert text.splitlines()[-1] == (
        "no results: no rule in force applies to anything in the dataset"
    )
    assert "none: no results" in text
