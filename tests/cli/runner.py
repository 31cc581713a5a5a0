"""Running ``clusterkit`` in-process, as the command-line tests do."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from clusterkit.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "kazakhstan-2021")
RULES = str(ROOT / "rules")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Exit status, standard output and standard error; never a traceback."""
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr
