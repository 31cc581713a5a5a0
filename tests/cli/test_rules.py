"""``clusterkit check``, ``test`` and ``lint``: exit codes, text and JSON, no tracebacks."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.cli.runner import EXAMPLE, RULES, run


def write(tmp_path: Path, text: str, name: str = "r.ckr") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_check_on_the_example_explains_failures_and_exits_1() -> None:
    code, out, _ = run("check", RULES, "--data", EXAMPLE)
    assert code == 1
    assert "dataset kazakhstan-2021 as of 2021-06-01" in out
    assert "kz.published.figures 2021 / output_effect — furniture-almaty/output: FAIL" in out
    assert "kz.published.figures 2021 / tax_increase_due_to_projects — kazakhstan-2021: FAIL" in out
    assert "kz.np.budget 2021 / programme_gap — kazakhstan-2021: UNDETERMINED" in out
    assert "needs p.financing_plan" in out
    assert "state_cap_per_year" not in out


def test_exit_zero_reports_but_succeeds() -> None:
    code, out, _ = run("check", RULES, "--data", EXAMPLE, "--exit-zero")
    assert code == 0
    assert "FAIL" in out


def test_check_exits_0_when_everything_passes(tmp_path: Path) -> None:
    rules = write(
        tmp_path,
        "rulebook t\nrule r for each c in clusters\n  require count(c.participants) >= 10\n",
    )
    code, out, _ = run("check", rules, "--data", EXAMPLE, "--as-of", "2021-06-30")
    assert code == 0
    assert "6 results: 6 pass" in out


def test_check_json_is_versioned_and_exact() -> None:
    code, out, _ = run(
        "check", RULES, "--data", EXAMPLE, "--format", "json", "--as-of", "2021-06-30"
    )
    assert code == 1
    document = json.loads(out)
    assert document["schema"] == "clusterkit.results/1"
    assert document["provenance"]["as_of"] == "2021-06-30"
    assert document["summary"]["fail"] == 3
    capacity = next(r for r in document["results"] if r["rule"] == "line_capacity")
    assert capacity["outcome"] == "warning"
    assert capacity["basis"]["kind"] == "inferred"
    remainders = next(t for t in capacity["trace"] if t["label"] == "remainders")
    assert remainders["raw"] == "2727600000"


def test_check_in_russian_uses_rulebook_titles_and_local_numbers() -> None:
    code, out, _ = run("check", RULES, "--data", EXAMPLE, "--lang", "ru")
    assert code == 1
    assert "Бюджетные строки и то, что остаётся от бюджетов проектов после участия кластера" in out
    assert "lines_total = 560 млн ₸" in out
    assert "due_to_projects отличается от tax_increase на 3,6892225 млрд ₸" in out
    assert "Основание: выведено из источника" in out


def test_bad_rule_file_exits_2_with_caret_and_no_traceback(tmp_path: Path) -> None:
    rules = write(tmp_path, "rulebook t\nrule r for each p in projects\n  require p.budjet > 0\n")
    code, out, err = run("check", rules, "--data", EXAMPLE)
    assert code == 2
    assert (
        "r.ckr:3:11: error[R202]: a project has no field 'budjet' (hint: did you mean 'budget'?)"
        in err
    )
    assert "^^^^^^^^" in err
    assert "Traceback" not in err + out


def test_bad_data_exits_2(tmp_path: Path) -> None:
    (tmp_path / "d.json").write_text('{"dataset": {"id": "x"}}')
    code, _, err = run("check", RULES, "--data", str(tmp_path / "d.json"))
    assert code == 2
    assert "dataset.title: error[D105]: required field is missing" in err


def test_as_of_must_be_a_date() -> None:
    code, _, err = run("check", RULES, "--data", EXAMPLE, "--as-of", "yesterday")
    assert code == 2
    assert "--as-of 'yesterday' is not a date" in err


def test_missing_rule_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "nope.ckr"), "--data", EXAMPLE)
    assert code == 2
    assert "rule file not found" in err


def test_lint_reports_warnings_without_failing(tmp_path: Path) -> None:
    rules = write(tmp_path, "rulebook t\nconst spare = 5\nrule r\n  require count(clusters) >= 0\n")
    code, _, err = run("lint", rules)
    assert code == 0
    assert "warning[W601]: const 'spare' is never used" in err


def test_lint_json(tmp_path: Path) -> None:
    rules = write(tmp_path, "rulebook t\nrule r\n  require p > 0\n")
    code, out, _ = run("lint", rules, "--format", "json")
    assert code == 2
    (diagnostic,) = json.loads(out)["diagnostics"]
    assert diagnostic["code"] == "R201"
    assert diagnostic["span"]["line"] == 3


def test_rule_tests_of_the_shipped_rulebooks_pass() -> None:
    code, out, _ = run("test", RULES)
    assert code == 0
    assert " 0 failed" in out


def test_a_failing_rule_test_says_which_case_and_why(tmp_path: Path) -> None:
    rules = write(
        tmp_path,
        "rulebook t\nrule many for each c in clusters\n  require count(c.participants) >= 13\n",
        "t.ckr",
    )
    (tmp_path / "t.tests.toml").write_text(
        f'data = "{EXAMPLE}"\nas_of = 2021-06-30\n\n[[cases]]\nname = "wrongly expects a pass"\n'
        '[[cases.expect]]\nrule = "many"\nentity = "milk-akmola"\noutcome = "pass"\n',
        encoding="utf-8",
    )
    code, out, _ = run("test", rules)
    assert code == 1
    assert "FAIL" in out
    assert "wrongly expects a pass" in out
    assert (
        "many on milk-akmola: expected pass, got fail (count(c.participants) is 1 short of 13)"
        in out
    )
    assert "0 passed, 1 failed" in out


def test_a_broken_test_file_exits_2(tmp_path: Path) -> None:
    write(tmp_path, "rulebook t\nrule r\n  require count(clusters) >= 0\n", "t.ckr")
    (tmp_path / "t.tests.toml").write_text("[[cases]]\nname = 1\nbogus = 2\n", encoding="utf-8")
    code, _, err = run("test", str(tmp_path))
    assert code == 2
    assert "unknown key 'bogus'" in err


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


def test_files_the_dataset_does_not_read_are_named_by_check_and_report(
    example_copy: Path,
) -> None:
    (example_copy / "minutes.docx").write_bytes(b"PK\x03\x04")
    data = str(example_copy)
    warning = f"{example_copy / 'minutes.docx'}: warning[D109]: not read: "
    code, out, err = run("check", RULES, "--data", data, "--exit-zero")
    assert code == 0
    assert warning in err
    assert warning not in out
    code, out, _ = run("check", RULES, "--data", data, "--exit-zero", "--format", "json")
    found = json.loads(out)["diagnostics"]
    assert [d["code"] for d in found if d.get("file", "").endswith("minutes.docx")] == ["D109"]
    code, out, err = run("report", "--data", data)
    assert code == 0
    assert warning in err


def test_an_excerpt_quotes_the_line_the_diagnostic_names(tmp_path: Path) -> None:
    # A form feed, a vertical tab and U+2028 do not end a line for the parser, so they
    # must not for the excerpt either.
    text = "rulebook f\n# form\x0c feed\x0b and\u2028 more\nrule r for each p in projects\n"
    path = write(tmp_path, text + "  require p.nope > 0\n")
    code, _, err = run("lint", "--no-cache", path)
    assert code == 2
    assert f"{path}:4:11: error[R202]" in err
    assert "   4 |   require p.nope > 0" in err
