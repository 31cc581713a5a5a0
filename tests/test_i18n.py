"""Catalogs: every message translated, compiled files up to date, shipped in the wheel."""

from __future__ import annotations

import os
import shutil
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from clusterkit.cli import cli
from clusterkit.i18n import LANGUAGES, choose_lang, compile_catalog, translator

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "clusterkit" / "locale"


def source_messages() -> set[str]:
    found = extract_from_dir(
        str(ROOT / "src"),
        method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None, "msg": None},
    )
    messages: set[str] = set()
    for _file, _line, message, _comments, _context in found:
        # Each keyword above takes one argument, so babel yields plain strings; a plural
        # keyword would yield a (singular, plural) tuple, which a catalog keys by its singular.
        messages.add(message if isinstance(message, str) else message[0])
    return messages


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_message_in_the_code_is_translated(lang: str) -> None:
    """Every ``_``, ``N_`` and ``msg`` template, the diagnostics' included."""
    with (LOCALE / lang / "LC_MESSAGES" / "clusterkit.po").open("rb") as handle:
        catalog = read_po(handle)
    found = source_messages()
    assert "unknown name {name!r}" in found  # a diagnostic's template
    missing = [m for m in found if m not in catalog or not catalog[m].string]
    assert missing == []


def placeholders(text: str) -> list[tuple[str, str | None, str | None]]:
    """The ``{name!conversion:spec}`` fields of a ``str.format`` template."""
    return sorted(
        (name, conversion, spec)
        for _literal, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    )


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_translations_keep_every_placeholder_of_their_message(lang: str) -> None:
    with (LOCALE / lang / "LC_MESSAGES" / "clusterkit.po").open("rb") as handle:
        catalog = read_po(handle)
    wrong = [
        (entry.id, entry.string)
        for entry in catalog
        if entry.id and isinstance(entry.id, str) and isinstance(entry.string, str)
        if placeholders(entry.id) != placeholders(entry.string)
    ]
    assert wrong == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogs_match_their_sources(lang: str) -> None:
    folder = LOCALE / lang / "LC_MESSAGES"
    assert (folder / "clusterkit.mo").read_bytes() == compile_catalog(folder / "clusterkit.po"), (
        "run: python -m clusterkit.i18n"
    )


def test_translations_are_used() -> None:
    assert translator("ru")("Total") == "Итого"
    assert translator("kk")("Total") == "Барлығы"
    assert translator("en")("Total") == "Total"
    assert translator("xx")("Total") == "Total"


def test_language_comes_from_the_option_then_the_environment() -> None:
    assert choose_lang("kk", {"LANG": "ru_KZ.UTF-8"}) == "kk"
    assert choose_lang(None, {"LANG": "ru_KZ.UTF-8"}) == "ru"
    assert choose_lang(None, {"LC_ALL": "kk_KZ.UTF-8", "LANG": "ru_RU"}) == "kk"
    assert choose_lang(None, {"LANGUAGE": "de:ru"}) == "ru"
    assert choose_lang(None, {"LANG": "C.UTF-8"}) == "en"
    assert choose_lang(None, {}) == "en"


# Build outputs and caches that may already be in a checkout, and are not the project.
_NOT_THE_PROJECT = {".git", ".venv", ".hypothesis", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


def checkout_state(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder of the checkout (bar caches), with its size and modification time."""
    state = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if d not in _NOT_THE_PROJECT | {"__pycache__"}]
        for name in [*subfolders, *files]:
            path = Path(folder, name)
            stat = path.lstat()
            state[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return state


def test_a_built_wheel_ships_catalogs_grammar_and_types(tmp_path: Path) -> None:
    # setuptools builds in the source tree (build/, *.egg-info), so build a copy of it.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    before = checkout_state(ROOT)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path / "wheels"),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    assert checkout_state(ROOT) == before
    (wheel,) = (tmp_path / "wheels").glob("clusterkit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in LANGUAGES:
        assert f"clusterkit/locale/{lang}/LC_MESSAGES/clusterkit.mo" in names
    assert "clusterkit/lang/grammar.lark" in names
    assert {f"clusterkit/schemas/{n}.schema.json" for n in ("data", "results")} <= names
    assert {"clusterkit/cli/__init__.py", "clusterkit/loader/__init__.py"} <= names
    assert "clusterkit/py.typed" in names
    assert "clusterkit_plugins/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[clusterkit.reporters]" in text
    assert "sqlite = clusterkit_plugins.sqlite_store:plugin" in text


def test_cli_messages_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLUSTERKIT_LANG", "ru")
    result = CliRunner().invoke(cli, ["runs", "list", "--store", f"sqlite://{tmp_path / 'x'}"])
    assert result.exit_code == 2
    assert "ошибка:" in result.stderr
    assert "хранилища здесь нет" in result.stderr
    monkeypatch.setenv("CLUSTERKIT_LANG", "kk")
    result = CliRunner().invoke(
        cli, ["report", "--data", str(ROOT / "examples" / "kazakhstan-2021"), "--format", "pdf"]
    )
    assert result.exit_code == 2
    assert "қате: 'pdf' есеп пішімі жоқ" in result.stderr
