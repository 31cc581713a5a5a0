"""The ``clusterkit`` group and its entry points: every command is there, and starting is cheap."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clusterkit import __version__
from clusterkit.cli import cli, main
from tests.cli.runner import run

COMMANDS = {
    "check",
    "fmt",
    "import-participants",
    "lint",
    "lsp",
    "observe",
    "plugins",
    "registry",
    "report",
    "runs",
    "schema",
    "serve",
    "test",
    "validate",
}


def test_every_command_is_in_the_group() -> None:
    assert set(cli.commands) == COMMANDS
    code, out, _ = run("--help")
    assert code == 0
    listed = {line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == COMMANDS


def test_version() -> None:
    code, out, _ = run("--version")
    assert (code, out) == (0, f"clusterkit, version {__version__}\n")


def test_main_takes_arguments_and_exits_with_the_command_s_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(tmp_path / "missing"), "--format", "json"])
    assert exc.value.code == 2
    (diagnostic,) = json.loads(capsys.readouterr().out)["diagnostics"]
    assert diagnostic["code"] == "D101"


def test_console_script_runs_as_a_module(example_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "clusterkit", "validate", str(example_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "budget total" in result.stdout


HEAVY = ("clusterkit.lang", "clusterkit.plugins", "clusterkit_plugins", "lark", "pint")


@pytest.mark.parametrize(
    "args", [None, ["--help"], ["--version"]], ids=["import", "help", "version"]
)
def test_starting_does_not_load_the_rules_language_or_the_plugins(args: list[str] | None) -> None:
    lines = ["import sys", "import clusterkit.cli"]
    if args is not None:
        lines += ["try:", f"    clusterkit.cli.main({args!r})", "except SystemExit:", "    pass"]
    lines.append(f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))")
    result = subprocess.run(
        [sys.executable, "-c", "\n".join(lines)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
