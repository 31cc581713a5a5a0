"""The store and report commands, end to end; bad input gets one message and exit 2."""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterkit.cli import cli
from clusterkit_plugins import sqlite_store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "kazakhstan-2021")
RULES = str(ROOT / "rules")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite://{tmp_path / 'registry.sqlite3'}"
    code, out, _ = run("registry", "import", EXAMPLE, "--store", url)
    assert code == 0
    assert "imported 6 clusters, 6 applications, 6 programmes" in out
    return url


def test_registry_list_and_show(store: str) -> None:
    code, out, _ = run("registry", "list", "--store", store)
    assert code == 0
    assert out.splitlines()[0].startswith("construction-karaganda")
    code, out, _ = run("registry", "show", "milk-akmola", "--store", store)
    assert code == 0
    shown = json.loads(out)
    assert shown["cluster"]["id"] == "milk-akmola"
    assert len(shown["programmes"]) == 1
    code, _, err = run("registry", "show", "milk-akmol", "--store", store)
    assert code == 2
    assert "no cluster 'milk-akmol' in the registry; did you mean 'milk-akmola'?" in err


def test_apply_then_decide(store: str) -> None:
    code, out, _ = run(
        "registry",
        "apply",
        "--id",
        "reg-2022-01",
        "--cluster",
        "milk-akmola",
        "--kind",
        "registry_entry",
        "--submitted",
        "2022-08-01",
        "--store",
        store,
    )
    assert (code, out.strip()) == (0, "reg-2022-01: submitted")
    code, _, err = run(
        "registry",
        "decide",
        "reg-2022-01",
        "--status",
        "rejected",
        "--on",
        "2022-09-01",
        "--store",
        store,
    )
    assert code == 2
    assert "reason: a rejection must give its reason" in err
    code, out, _ = run(
        "registry",
        "decide",
        "reg-2022-01",
        "--status",
        "rejected",
        "--on",
        "2022-09-01",
        "--reason",
        "too few research partners",
        "--store",
        store,
    )
    assert (code, out.strip()) == (0, "reg-2022-01: rejected")


def test_observe_check_save_and_show_again(store: str) -> None:
    code, out, _ = run(
        "observe",
        "--cluster",
        "milk-akmola",
        "--indicator",
        "labour_productivity",
        "--year",
        "2024",
        "--value",
        "30",
        "--unit",
        "mln KZT/person",
        "--reported-on",
        "2025-02-01",
        "--by",
        "QazIndustry",
        "--store",
        store,
    )
    assert (code, out.strip()) == (0, "observation 1 recorded")
    code, out, err = run(
        "check", RULES, "--store", store, "--as-of", "2025-03-01", "--save", "--format", "json"
    )
    assert code == 1
    assert "saved as run 1" in err
    milk = next(
        r
        for r in json.loads(out)["results"]
        if r["rule"] == "counter_obligation"
        and r["entity"] == "milk-akmola-labour_productivity-2024"
    )
    assert milk["outcome"] == "warning"
    code, listing, _ = run("runs", "list", "--store", store)
    assert code == 0
    assert "as of 2025-03-01  kazakhstan-2021" in listing
    code, shown, _ = run("runs", "show", "1", "--store", store)
    assert code == 0
    assert shown.strip() == out.strip()


def test_observe_with_a_bad_value_names_the_option(store: str) -> None:
    code, _, err = run(
        "observe",
        "--cluster",
        "milk-akmola",
        "--indicator",
        "x",
        "--year",
        "2024",
        "--value",
        "3,5",
        "--unit",
        "mln KZZ",
        "--reported-on",
        "2025-02-30",
        "--by",
        "me",
        "--store",
        store,
    )
    assert code == 2
    assert "--value: '3,5': use '.' as the decimal separator" in err
    assert "--unit: " in err
    assert "--reported-on: '2025-02-30' is not a date that exists" in err


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


def test_unknown_reporter_and_store_problems(tmp_path: Path) -> None:
    code, _, err = run("report", "--data", EXAMPLE, "--format", "pdf")
    assert code == 2
    assert "no reporter named 'pdf'" in err
    code, _, err = run("registry", "list", "--store", f"sqlite://{tmp_path / 'none.sqlite3'}")
    assert code == 2
    assert "no store here" in err
    assert not (tmp_path / "none.sqlite3").exists()
    newer = tmp_path / "newer.sqlite3"
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {sqlite_store.SCHEMA_VERSION + 5}")
    db.close()
    code, _, err = run("registry", "list", "--store", f"sqlite://{newer}")
    assert code == 2
    assert "newer than this clusterkit understands" in err
    code, _, err = run("registry", "list", "--store", f"mongodb://{tmp_path}")
    assert code == 2
    assert "no storage back-end named 'mongodb' (available: jsondir, postgresql, sqlite)" in err


def test_default_store_comes_from_the_environment(tmp_path: Path) -> None:
    url = f"jsondir://{tmp_path / 'store'}"
    code, _, _ = run("registry", "import", EXAMPLE, env={"CLUSTERKIT_STORE": url})
    assert code == 0
    assert (tmp_path / "store" / "dataset.json").exists()


def test_progress_bar_on_a_terminal_and_none_when_piped(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "clusterkit", "check", RULES, "--data", EXAMPLE, "--exit-zero"]
    piped = subprocess.run(args, capture_output=True, text=True, check=False)
    assert piped.returncode == 0
    assert "evaluating" not in piped.stderr
    leader, follower = pty.openpty()
    with subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=follower) as child:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        child.wait()
    os.close(leader)
    assert b"evaluating" in seen


def test_every_evaluation_of_the_registry_is_kept(store: str) -> None:
    run("check", RULES, "--store", store, "--exit-zero")
    run("check", RULES, "--store", store, "--exit-zero", "--no-save")
    run("check", RULES, "--data", EXAMPLE, "--store", store, "--exit-zero")
    code, listing, _ = run("runs", "list", "--store", store)
    assert code == 0
    assert len(listing.splitlines()) == 1
