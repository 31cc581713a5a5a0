"""``clusterkit registry``, ``observe``, ``runs``: end to end; bad input gets one message and
exit 2."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from clusterkit_plugins import sqlite_store
from tests.cli.runner import EXAMPLE, RULES, run


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
    # The example sets no counter-obligation (the source sets none): the observation is
    # kept, and the published figures' failures make the run exit 1.
    tax = next(r for r in json.loads(out)["results"] if r["rule"] == "tax_increase_due_to_projects")
    assert tax["outcome"] == "fail"
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


def test_store_problems(tmp_path: Path) -> None:
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


def test_a_bad_date_names_its_option_and_records_nothing(store: str) -> None:
    code, _, err = run(
        "registry",
        "apply",
        "--id",
        "reg-2022-02",
        "--cluster",
        "milk-akmola",
        "--kind",
        "registry_entry",
        "--submitted",
        "2022-02-30",
        "--store",
        store,
    )
    assert code == 2
    assert err == "error: --submitted '2022-02-30' is not a date (expected YYYY-MM-DD)\n"
    code, _, err = run(
        "registry",
        "decide",
        "reg-2022-02",
        "--status",
        "rejected",
        "--on",
        "soon",
        "--store",
        store,
    )
    assert code == 2
    assert err == "error: --on 'soon' is not a date (expected YYYY-MM-DD)\n"


def test_plugins_lists_the_built_in_back_ends_and_reporters() -> None:
    code, out, _ = run("plugins")
    assert code == 0
    assert "storage (clusterkit.storage):" in out
    assert "reporters (clusterkit.reporters):" in out
    assert "  sqlite " in out
    assert "  html " in out


def test_export_then_import_a_backup_into_another_back_end(store: str, tmp_path: Path) -> None:
    observed = ["observe", "--cluster", "milk-akmola", "--indicator", "labour_productivity"]
    observed += ["--year", "2024", "--unit", "mln KZT/person", "--by", "QazIndustry"]
    first = [*observed, "--value", "30", "--reported-on", "2025-02-01", "--store", store]
    assert run(*first)[0] == 0
    code, _, err = run(
        *observed,
        *("--value", "31", "--reported-on", "2025-03-01", "--supersedes", "1"),
        *("--store", store),
    )
    assert code == 2
    assert "--reason" in err
    correction = [*observed, "--value", "31", "--reported-on", "2025-03-01"]
    correction += ["--supersedes", "1", "--reason", "typo", "--store", store]
    assert run(*correction)[0] == 0
    backup = tmp_path / "backup.jsonl"
    code, _, err = run("registry", "export", str(backup), "--store", store)
    assert code == 0, err
    lines = backup.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "clusterkit.backup/2"
    other = f"jsondir://{tmp_path / 'restored'}"
    code, _, err = run("registry", "import-backup", str(backup), "--store", other)
    assert code == 0, err
    again = tmp_path / "again.jsonl"
    assert run("registry", "export", str(again), "--store", other)[0] == 0
    # Line for line, but for the header's time of export.
    exported = again.read_text(encoding="utf-8").splitlines()
    assert exported[1:] == lines[1:]
    header = json.loads(exported[0])
    first = json.loads(lines[0])
    assert header.pop("exported_at")
    assert header == {k: v for k, v in first.items() if k != "exported_at"}
    # The schema and the records of declared kinds went across too.
    kinds = [json.loads(line)["kind"] for line in exported[1:]]
    assert "schema" in kinds
    assert kinds.count("record") > 0
    # Into a store that is not empty, nothing is written.
    code, _, err = run("registry", "import-backup", str(backup), "--store", other)
    assert code == 2
    assert "empty" in err


def test_a_damaged_backup_leaves_no_store_behind(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text('{"format": "clusterkit.backup/1"}\n{"kind": ', encoding="utf-8")
    target = tmp_path / "new.sqlite3"
    code, _, err = run("registry", "import-backup", str(damaged), "--store", f"sqlite://{target}")
    assert code == 2
    assert err.startswith("error:")
    assert not target.exists()


def test_repair_of_a_store_with_nothing_to_repair(store: str) -> None:
    code, out, _ = run("registry", "repair", "--store", store)
    assert code == 0
    assert out.strip()


def test_export_replaces_only_a_backup_unless_forced(store: str, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    code, _, err = run("registry", "export", str(notes), "--store", store)
    assert code == 2
    assert f"{notes}: exists and is not a clusterkit backup; not replaced" in err
    assert notes.read_text(encoding="utf-8") == "my notes\n"
    backup = tmp_path / "backup.jsonl"
    assert run("registry", "export", str(backup), "--store", store)[0] == 0
    assert run("registry", "export", str(backup), "--store", store)[0] == 0  # a backup: replaced
    assert run("registry", "export", str(notes), "--force", "--store", store)[0] == 0
    forced, replaced = (p.read_text(encoding="utf-8").splitlines() for p in (notes, backup))
    # The same backup, but for the time of export in the first line (a second may pass).
    assert forced[1:] == replaced[1:]
    heads = [json.loads(lines[0]) for lines in (forced, replaced)]
    assert [{k: v for k, v in h.items() if k != "exported_at"} for h in heads] == [
        {"clusterkit": heads[1]["clusterkit"], "format": "clusterkit.backup/2"}
    ] * 2
