"""``clusterkit validate``, ``import-participants`` and ``report``: exit codes and messages,
never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.runner import EXAMPLE, RULES, run


def test_validate_prints_the_summary(example_dir: Path) -> None:
    code, out, _ = run("validate", str(example_dir))
    assert code == 0
    assert "clusters:            6" in out
    assert "6 with 6 projects" in out
    assert "budget total:        3,896.5 mln KZT" in out
    assert "cluster share:       1,168.9 mln KZT" in out


def test_validate_speaks_russian(example_dir: Path) -> None:
    code, out, _ = run("validate", str(example_dir), "--lang", "ru")
    assert code == 0
    assert "бюджет, всего:             3\xa0896,5 млн ₸" in out


def test_validate_json_output_is_exact(example_dir: Path) -> None:
    code, out, _ = run("validate", str(example_dir), "--format", "json")
    assert code == 0
    summary = json.loads(out)["summary"]
    assert summary["budget"] == ["3.8965 bn KZT"]
    assert summary["cluster_share"] == ["1.1689 bn KZT"]


def test_bad_input_exits_2_with_messages_and_no_traceback(example_copy: Path) -> None:
    (example_copy / "clusters.json").write_text("{ not json")
    code, _, err = run("validate", str(example_copy))
    assert code == 2
    assert "clusters.json:1:3: error[D102]: not valid JSON" in err
    assert "Traceback" not in err


def test_missing_directory_exits_2(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "missing"))
    assert code == 2
    assert "no such file or directory" in err


def test_json_diagnostics_for_tools(example_copy: Path) -> None:
    (example_copy / "applications.json").write_text('{"applications": [{"id": "a"}]}')
    code, out, _ = run("validate", str(example_copy), "--format", "json")
    assert code == 2
    diagnostics = json.loads(out)["diagnostics"]
    missing = {d["path"] for d in diagnostics if d["code"] == "D105"}
    assert missing == {
        "applications[0].cluster",
        "applications[0].kind",
        "applications[0].submitted",
    }


def test_import_participants_prints_json(example_dir: Path) -> None:
    code, out, _ = run("import-participants", str(example_dir / "participants" / "milk-akmola.csv"))
    assert code == 0
    rows = json.loads(out)["participants"]
    assert len(rows) == 12
    assert rows[0]["bin"] == "060240113698"


def test_report_to_a_file_and_unwritable_paths(store: str, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, _, err = run(
        "report",
        "--store",
        store,
        "--rules",
        RULES,
        "--format",
        "html",
        "--lang",
        "ru",
        "-o",
        str(target),
    )
    assert code == 0, err
    assert "112,1 млн ₸" in target.read_text(encoding="utf-8")
    code, _, err = run("report", "--store", store, "-o", str(tmp_path / "missing" / "r.html"))
    assert code == 2
    assert "does not exist" in err
    occupied = tmp_path / "a-folder"
    occupied.mkdir()
    code, _, err = run("report", "--store", store, "-o", str(occupied))
    assert code == 2
    assert "cannot be written" in err
    assert occupied.is_dir()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_unknown_reporter() -> None:
    code, _, err = run("report", "--data", EXAMPLE, "--format", "pdf")
    assert code == 2
    assert "no reporter named 'pdf'" in err
