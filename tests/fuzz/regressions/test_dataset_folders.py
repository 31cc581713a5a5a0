"""Dataset folders the fuzzers broke: each now loads with a warning or is refused with a
diagnostic, where it raised before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clusterkit import Diagnostic, DiagnosticError, load_dataset
from tests.conftest import ROOT


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "examples" / "selection-2017-sample", target)
    return target


@pytest.mark.parametrize("name", ["x.ckr", "notes.txt", "cost_items"])
def test_a_link_loop_of_any_name_is_named_not_read(folder: Path, name: str) -> None:
    # Was: RuntimeError "Symlink loop" from Path.resolve, for any entry not named *.json
    # or *.toml.
    (folder / name).symlink_to(folder / name)
    warnings: list[Diagnostic] = []
    load_dataset(folder, warnings=warnings)
    assert [str(w) for w in warnings] == [
        f"{folder / name}: warning[D109]: not read: is a symbolic link loop"
    ]


def test_a_schema_path_with_a_nul_character(folder: Path) -> None:
    # Was: ValueError "embedded null byte" from Path.resolve.
    toml = folder / "dataset.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("[dataset]\n", '[dataset]\nschema = ["a\\u0000b.ckr"]\n'), "utf-8")
    with pytest.raises(DiagnosticError) as exc:
        load_dataset(folder)
    assert [str(d) for d in exc.value.diagnostics] == [
        f"{toml}: dataset.schema: error[D103]: 'a\\x00b.ckr' is not a path: it holds a NUL "
        "character"
    ]


def test_a_schema_file_that_is_a_link_loop(folder: Path) -> None:
    toml = folder / "dataset.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("[dataset]\n", '[dataset]\nschema = ["loop.ckr"]\n'), "utf-8")
    (folder / "loop.ckr").symlink_to(folder / "loop.ckr")
    with pytest.raises(DiagnosticError) as exc:
        load_dataset(folder)
    assert [(d.code, d.message) for d in exc.value.diagnostics if d.is_error] == [
        ("R100", "is a symbolic link loop")
    ]
