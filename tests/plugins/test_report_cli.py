"""``clusterkit report`` writing files: binary reports, permissions, what goes to a terminal."""

from __future__ import annotations

import io
import os
import pty
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from clusterkit.cli import cli
from clusterkit.loader import atomic_write
from tests.plugins.conftest import EXAMPLE, ROOT


def run(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_xlsx_report_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    code, out, err = run(
        "report", "--data", str(EXAMPLE), "--rules", str(ROOT / "rules"),
        "--format", "xlsx", "--lang", "kk", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    assert out == b""
    assert f"жазылды: {target}" in err  # --lang kk: clusterkit's own words too
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[0] == "Жиынтық"
    assert "Тұжырымдар" in book.sheetnames


def test_a_binary_report_may_go_to_a_pipe() -> None:
    code, out, _ = run("report", "--data", str(EXAMPLE), "--format", "xlsx")
    assert code == 0
    assert out.startswith(b"PK")  # a zip container, as .xlsx files are
    assert openpyxl.load_workbook(io.BytesIO(out)).sheetnames[0] == "Summary"


def test_a_binary_report_is_not_written_to_a_terminal(tmp_path: Path) -> None:
    # a real terminal: the command's standard output is a pseudo-terminal
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "clusterkit",
                "report",
                "--data",
                str(EXAMPLE),
                "--format",
                "xlsx",
            ],
            stdout=follower,
            stderr=subprocess.PIPE,
            env={**os.environ, "CLUSTERKIT_LANG": "en"},
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert b"the xlsx report is binary: write it to a file with -o FILE.xlsx" in done.stderr


def test_files_written_with_o_get_the_umask_permissions(tmp_path: Path, umask_027: None) -> None:
    for fmt in ("html", "xlsx"):
        target = tmp_path / f"report.{fmt}"
        code, _, err = run("report", "--data", str(EXAMPLE), "--format", fmt, "-o", str(target))
        assert code == 0, err
        assert mode(target) == 0o640  # 0666 less the umask, not a temporary file's 0600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_rewriting_a_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")
    target.chmod(0o600)
    code, _, _ = run("report", "--data", str(EXAMPLE), "--format", "markdown", "-o", str(target))
    assert code == 0
    assert mode(target) == 0o600
    assert target.read_text(encoding="utf-8").startswith("# Pilot territorial clusters")


def test_atomic_write_takes_bytes_and_text(tmp_path: Path, umask_027: None) -> None:
    target = tmp_path / "a.bin"
    atomic_write(target, b"\x00\xff")
    assert target.read_bytes() == b"\x00\xff"
    assert mode(target) == 0o640
    atomic_write(target, "ҚР ₸")
    assert target.read_bytes() == "ҚР ₸".encode()


def test_csv_report_in_russian_has_a_byte_order_mark(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    code, _, _ = run(
        "report", "--data", str(EXAMPLE), "--format", "csv", "--lang", "ru", "-o", str(target)
    )
    assert code == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf\xd0\x92\xd0\xb8\xd0\xb4;")  # BOM, "Вид;"


def test_a_missing_output_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    code, _, err = run(
        "report", "--data", str(EXAMPLE), "--format", "xlsx", "-o", str(tmp_path / "no" / "r.xlsx")
    )
    assert code == 2
    assert "does not exist" in err


def test_a_reporter_that_cannot_report_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if the xlsx extra were missing
    target = tmp_path / "r.xlsx"
    code, _, err = run("report", "--data", str(EXAMPLE), "--format", "xlsx", "-o", str(target))
    assert code == 2
    assert "the xlsx report needs openpyxl: pip install 'clusterkit[xlsx]'" in err
    assert "Traceback" not in err
    assert not target.exists()
