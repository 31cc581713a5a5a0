"""Writing a report or a backup to a device, a pipe or a link: what is named is written
to, never replaced. (Was: ``-o /dev/null`` as root replaced the device with a file.)"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from clusterkit.loader import atomic_write
from tests.cli.runner import EXAMPLE, run


def test_a_device_is_written_to_not_replaced(tmp_path: Path) -> None:
    sink = tmp_path / "null"
    try:
        os.mknod(sink, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # /dev/null's numbers
    except PermissionError:
        pytest.skip("making a device needs root")
    code, _, err = run("report", "--data", EXAMPLE, "--format", "text", "-o", str(sink))
    assert (code, err) == (0, f"wrote {sink}\n")
    assert stat.S_ISCHR(sink.stat().st_mode)
    assert os.listdir(tmp_path) == ["null"]


def test_a_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    atomic_write(pipe, "through the pipe")
    reader.join(10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_a_link_has_the_file_it_names_replaced(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "2021.txt"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.txt"
    link.symlink_to(real)
    code, _, _ = run("report", "--data", EXAMPLE, "--format", "text", "-o", str(link))
    assert code == 0
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("Pilot territorial clusters")
    assert sorted(os.listdir(real.parent)) == ["2021.txt"]
