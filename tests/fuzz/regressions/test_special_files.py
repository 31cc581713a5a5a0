"""Files that are not regular files: a named pipe would make clusterkit wait forever for
a writer, and /dev/zero would be read without end. Each is refused with a diagnostic."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from clusterkit import Diagnostic, DiagnosticError, check_rules, load_dataset, read_participants_csv
from clusterkit.model import Dataset
from tests.cli.runner import run
from tests.conftest import ROOT

T = TypeVar("T")
NOT_A_FILE = "is not a regular file (a pipe, a device or a socket)"


def finishes(call: Callable[[], T], seconds: float = 30) -> T:
    """``call()``, which must return (or raise) within ``seconds`` rather than hang."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, "hangs"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    result: T = outcome[0]  # type: ignore[assignment]
    return result


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "examples" / "selection-2017-sample", target)
    return target


def _warnings(folder: Path) -> list[str]:
    warnings: list[Diagnostic] = []
    dataset = finishes(lambda: load_dataset(folder, warnings=warnings))
    assert isinstance(dataset, Dataset)
    return [str(w) for w in warnings]


def test_a_named_pipe_in_a_dataset_folder_is_not_read(dataset_copy: Path) -> None:
    pipe = dataset_copy / "extra.json"
    os.mkfifo(pipe)
    assert f"{pipe}: warning[D109]: not read: {NOT_A_FILE}" in _warnings(dataset_copy)


def test_a_link_to_dev_zero_in_a_dataset_folder_is_refused(dataset_copy: Path) -> None:
    endless = dataset_copy / "endless.json"
    endless.symlink_to("/dev/zero")
    with pytest.raises(DiagnosticError) as exc:
        finishes(lambda: load_dataset(dataset_copy))
    assert [d.code for d in exc.value.diagnostics if d.file == str(endless)] == ["D101"]


@pytest.mark.parametrize("kind", ["pipe", "device"])
def test_a_named_dataset_file_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "data.json"
    if kind == "pipe":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    with pytest.raises(DiagnosticError) as exc:
        finishes(lambda: load_dataset(path))
    assert [str(d) for d in exc.value.diagnostics] == [f"{path}: error[D101]: {NOT_A_FILE}"]


def test_a_participants_file_that_is_a_pipe(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    os.mkfifo(path)
    with pytest.raises(DiagnosticError) as exc:
        finishes(lambda: read_participants_csv(path))
    assert [d.message for d in exc.value.diagnostics] == [NOT_A_FILE]


def test_a_rule_file_that_is_a_pipe(tmp_path: Path) -> None:
    path = tmp_path / "pipe.ckr"
    os.mkfifo(path)
    problems = finishes(lambda: check_rules([path]))
    assert [(d.code, d.message) for d in problems] == [("R100", NOT_A_FILE)]


def test_a_backup_that_is_a_device_is_refused(tmp_path: Path) -> None:
    # Was: registry import-backup /dev/zero read one endless line into memory.
    store = tmp_path / "s.sqlite3"
    code, _, err = finishes(
        lambda: run("registry", "import-backup", "/dev/zero", "--store", f"sqlite://{store}")
    )
    assert (code, err) == (2, "error: /dev/zero: not a backup file (a device)\n")
    assert not store.exists()
