"""``check``, ``report`` and ``test`` take unchanged rules from the cache of compiled
programs: the same output as building them, without importing the parser, the checker
or the compiler; ``--no-cache`` builds them afresh and keeps nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.runner import EXAMPLE, ROOT, RULES, run


def kept(kind: str) -> list[Path]:
    folder = Path(os.environ["CLUSTERKIT_CACHE_DIR"]) / kind
    return sorted(folder.iterdir()) if folder.exists() else []


COMMANDS = {
    "check": ["check", RULES, "--data", EXAMPLE, "--exit-zero", "--all"],
    "check json": ["check", RULES, "--data", EXAMPLE, "--exit-zero", "--format", "json"],
    "check ru": ["check", RULES, "--data", EXAMPLE, "--exit-zero", "--lang", "ru"],
    "report": ["report", "--data", EXAMPLE, "--rules", RULES, "--format", "markdown"],
    "test": ["test", RULES],
}


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_command_prints_the_same_from_the_cache(args: list[str]) -> None:
    afresh = run(*args, "--no-cache")
    assert kept("programs") == []
    assert kept("schemas") == []
    first = run(*args)  # built, and kept (for each test file's rules, for ``test``)
    assert kept("programs")
    from_cache = run(*args)
    assert first == afresh
    assert from_cache == afresh


def test_check_json_from_the_cache_has_the_same_provenance() -> None:
    args = ["check", RULES, "--data", EXAMPLE, "--exit-zero", "--format", "json"]
    run(*args)
    code, out, _ = run(*args)
    assert code == 0
    _, fresh, _ = run(*args, "--no-cache")
    assert json.loads(out)["provenance"] == json.loads(fresh)["provenance"]


def test_the_environment_turns_the_cache_off() -> None:
    code, _, _ = run(
        "check", RULES, "--data", EXAMPLE, "--exit-zero", env={"CLUSTERKIT_NO_CACHE": "1"}
    )
    assert code == 0
    assert kept("programs") == []


def test_a_check_from_the_cache_imports_neither_parser_nor_checker_nor_compiler() -> None:
    args = ["check", RULES, "--data", EXAMPLE, "--exit-zero"]
    script = (
        "import sys\n"
        "from clusterkit.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(sys.modules))"
    )

    def modules() -> list[str]:
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=ROOT
        )
        assert result.returncode == 0, result.stderr
        return list(json.loads(result.stdout.splitlines()[-1].replace("'", '"')))

    heavy = (
        "lark",
        "clusterkit.lang.syntax.parser",
        "clusterkit.lang.syntax.lalr",
        "clusterkit.lang.syntax.builder",
        "clusterkit.lang.ast",
        "clusterkit.lang.check.link",
        "clusterkit.lang.check.declare",
        "clusterkit.lang.compile.compiler",
    )
    built = modules()
    assert "clusterkit.lang.compile.compiler" in built  # a miss builds the program
    from_cache = modules()
    assert [m for m in from_cache if m.startswith(heavy)] == []
