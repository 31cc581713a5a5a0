"""The ``clusterkit`` group and its entry points: every command is there, and starting is cheap."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from clusterkit import __version__
from clusterkit.cli import COMMAND_MODULES, EXIT_INTERNAL, cli, main
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
    ctx = click.Context(cli)
    assert set(cli.list_commands(ctx)) == COMMANDS
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        assert command.name == name
    # No module defines a command the group does not list.
    for home in set(COMMAND_MODULES.values()):
        module = importlib.import_module(f"clusterkit.cli.{home}")
        assert {c.name for c in module.COMMANDS} <= COMMANDS
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


def _modules_after(code: str) -> list[str]:
    """The modules a new interpreter has imported after running ``code``."""
    script = f"import sys\n{code}\nprint(sorted(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout.splitlines()[-1].replace("'", '"')))


def _wanting(modules: list[str], *roots: str) -> list[str]:
    return [m for m in modules if m.split(".")[0] in roots or m.startswith(roots)]


@pytest.mark.parametrize(
    "code",
    [
        "import clusterkit",
        "import clusterkit.cli",
        "from clusterkit.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass",
    ],
    ids=["import clusterkit", "import clusterkit.cli", "clusterkit --version"],
)
def test_starting_imports_neither_pint_nor_babel_nor_the_commands(code: str) -> None:
    modules = _modules_after(code)
    assert _wanting(modules, "pint", "babel") == []
    assert _wanting(modules, "clusterkit.cli.") == []


def test_lint_imports_no_pint_and_no_other_command(tmp_path: Path) -> None:
    rules = tmp_path / "r.ckr"
    rules.write_text("rulebook t\nconst cap = 112 mln KZT per year\n", encoding="utf-8")
    code = (
        "from clusterkit.cli import main\n"
        f"try:\n    main(['lint', '--no-cache', {str(rules)!r}])\nexcept SystemExit:\n    pass"
    )
    modules = _modules_after(code)
    assert _wanting(modules, "pint", "lark") == []
    assert _wanting(modules, "clusterkit.cli.") == ["clusterkit.cli.common", "clusterkit.cli.rules"]
    assert (
        _wanting(modules, "clusterkit.lang.compile.compiler", "clusterkit.loader.documents") == []
    )


# -- an internal error: one message and exit 3, never a raw traceback -------------------


def _broken_validate(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def boom(**_options: object) -> None:
        raise error

    # The command object the lazy group hands out for "validate".
    monkeypatch.setattr(importlib.import_module("clusterkit.cli.data").validate, "callback", boom)


def test_an_internal_error_is_one_message_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _broken_validate(monkeypatch, KeyError("lost"))
    monkeypatch.delenv("CLUSTERKIT_DEBUG", raising=False)
    code, out, err = run("validate", str(tmp_path))
    assert code == EXIT_INTERNAL == 3
    assert out == ""
    assert err.splitlines() == [
        "internal error in clusterkit (a bug): KeyError: 'lost'; "
        "please report it with the command and input",
        "re-run with CLUSTERKIT_DEBUG=1 to see the traceback",
    ]


def test_clusterkit_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _broken_validate(monkeypatch, ZeroDivisionError("division by zero"))
    code, _, err = run("validate", str(tmp_path), env={"CLUSTERKIT_DEBUG": "1"})
    assert code == 3
    assert "Traceback (most recent call last)" in err
    assert "in boom" in err
    assert err.rstrip().endswith(
        "internal error in clusterkit (a bug): ZeroDivisionError: division by zero; "
        "please report it with the command and input"
    )


def test_the_internal_error_message_is_bounded_and_shows_no_control_characters(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _broken_validate(monkeypatch, ValueError("\x1b]0;owned\x07" + "x" * 5000 + "\nsecond line"))
    monkeypatch.delenv("CLUSTERKIT_DEBUG", raising=False)
    code, _, err = run("validate", str(tmp_path))
    assert code == 3
    first = err.splitlines()[0]
    assert "\x1b" not in err
    assert "\x07" not in err
    assert "second line" not in err
    assert "ValueError: ?]0;owned?xxx" in first
    assert len(first) < 500


def test_the_internal_error_message_is_translated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _broken_validate(monkeypatch, RuntimeError("boom"))
    monkeypatch.delenv("CLUSTERKIT_DEBUG", raising=False)
    code, _, err = run("validate", str(tmp_path), env={"CLUSTERKIT_LANG": "ru"})
    assert code == 3
    assert err.startswith("внутренняя ошибка clusterkit")
    assert "RuntimeError: boom" in err
    assert "CLUSTERKIT_DEBUG=1" in err


def test_the_console_script_exits_3_on_an_internal_error(tmp_path: Path) -> None:
    program = "\n".join(
        [
            "import clusterkit.cli as c",
            "import clusterkit.cli.data as d",
            "def boom(**_):",
            "    raise AttributeError('no such thing')",
            "d.validate.callback = boom",
            f"c.main(['validate', {str(tmp_path)!r}])",
        ]
    )
    env = {k: v for k, v in os.environ.items() if k != "CLUSTERKIT_DEBUG"}
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert "internal error in clusterkit (a bug): AttributeError: no such thing" in result.stderr


def test_errors_click_handles_keep_their_status(tmp_path: Path) -> None:
    # Bad options and bad input are not internal errors.
    assert run("validate")[0] == 2
    assert run("observe", "--year", "x")[0] == 2
    assert run("validate", str(tmp_path / "missing"))[0] == 2
