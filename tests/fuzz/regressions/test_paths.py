"""Paths the system refuses (a NUL character, a name too long) are diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkit import DiagnosticError, check_rules, read_participants_csv
from tests.cli.runner import run

LONG = "y" * 300  # longer than any file system's name limit (255 bytes)


def _problems(paths: list[str]) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in check_rules(paths)]


def test_a_rule_path_with_a_nul_character() -> None:
    # Was: ValueError: embedded null byte.
    assert _problems(["a\x00b.ckr"]) == [("R100", "is not a path: it holds a NUL character")]


def test_a_rule_path_too_long_for_the_system() -> None:
    # Was: OSError ENAMETOOLONG from Path.is_dir.
    assert _problems([LONG + ".ckr"]) == [("R100", "cannot be read: File name too long")]
    assert _problems([LONG]) == [("R100", "cannot be read: File name too long")]


def test_a_participants_path_with_a_nul_character() -> None:
    with pytest.raises(DiagnosticError) as exc:
        read_participants_csv("a\x00.csv")
    assert [d.message for d in exc.value.diagnostics] == ["is not a path: it holds a NUL character"]


def test_an_import_with_a_name_too_long_is_not_found(tmp_path: Path) -> None:
    # Was: OSError ENAMETOOLONG from Path.is_file, an internal error of `clusterkit lint`.
    rules = tmp_path / "a.ckr"
    rules.write_text(f'rulebook a\nimport "{LONG}.ckr"\n', encoding="utf-8")
    code, _, err = run("lint", str(rules))
    assert code == 2
    assert f"{rules}:2:1: error[R503]: imported file '{LONG}.ckr' not found" in err
