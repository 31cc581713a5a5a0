"""``clusterkit fmt``: in place, --check, --diff, standard input, refusing broken files."""

from __future__ import annotations

import stat
from pathlib import Path

from click.testing import CliRunner

from clusterkit.cli import cli
from tests.cli.runner import RULES, run

UGLY = "rulebook t\nconst a=1\nrule r   require a>0 # why\n"
PRETTY = "rulebook t\n\nconst a = 1\n\nrule r\n  require a > 0  # why\n"


def test_the_shipped_rulebooks_pass_the_check() -> None:
    code, _out, err = run("fmt", "--check", RULES)
    assert code == 0, err
    assert "0 file(s) would be reformatted" in err


def test_files_are_formatted_in_place_keeping_their_permissions(tmp_path: Path) -> None:
    path = tmp_path / "r.ckr"
    path.write_text(UGLY, encoding="utf-8")
    path.chmod(0o644)
    code, _out, err = run("fmt", str(tmp_path))
    assert code == 0
    assert f"reformatted {path}" in err
    assert path.read_text(encoding="utf-8") == PRETTY
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["r.ckr"]
    code, _out, err = run("fmt", str(path))
    assert (code, err.strip()) == (0, "0 file(s) reformatted, 1 unchanged")


def test_check_names_the_files_that_would_change_and_changes_nothing(tmp_path: Path) -> None:
    ugly, pretty = tmp_path / "ugly.ckr", tmp_path / "pretty.ckr"
    ugly.write_text(UGLY, encoding="utf-8")
    pretty.write_text(PRETTY, encoding="utf-8")
    code, out, err = run("fmt", "--check", str(tmp_path))
    assert code == 1
    assert f"would reformat {ugly}" in err
    assert str(pretty) not in err
    assert "1 file(s) would be reformatted, 1 unchanged" in err
    assert out == ""
    assert ugly.read_text(encoding="utf-8") == UGLY


def test_diff_prints_a_unified_diff_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.ckr"
    path.write_text(UGLY, encoding="utf-8")
    code, out, _err = run("fmt", "--diff", str(path))
    assert code == 0
    assert out.startswith(f"--- {path}\n+++ {path}\n@@")
    assert "-const a=1\n" in out
    assert "+const a = 1\n" in out
    assert "+  require a > 0  # why\n" in out
    assert path.read_text(encoding="utf-8") == UGLY
    code, _out, _err = run("fmt", "--diff", "--check", str(path))
    assert code == 1


def test_standard_input_is_formatted_to_standard_output() -> None:
    result = CliRunner().invoke(cli, ["fmt", "-"], input=UGLY)
    assert result.exit_code == 0
    assert result.stdout == PRETTY


def test_a_file_with_a_syntax_error_is_refused_and_left_alone(tmp_path: Path) -> None:
    broken, fine = tmp_path / "a.ckr", tmp_path / "b.ckr"
    broken.write_text("rulebook t\nrule r\n  require 1 >= >= 2\n", encoding="utf-8")
    fine.write_text(UGLY, encoding="utf-8")
    code, _out, err = run("fmt", str(tmp_path))
    assert code == 2
    assert f"{broken}:3:16: error[R103]: unexpected '>='" in err
    assert broken.read_text(encoding="utf-8").endswith(">= >= 2\n")
    assert fine.read_text(encoding="utf-8") == PRETTY


def test_a_folder_without_rule_files_and_a_missing_file_are_errors(tmp_path: Path) -> None:
    code, _out, err = run("fmt", str(tmp_path), str(tmp_path / "missing.ckr"))
    assert code == 2
    assert "no *.ckr rule files in this folder" in err
    assert "missing.ckr: error[R100]: rule file not found" in err
