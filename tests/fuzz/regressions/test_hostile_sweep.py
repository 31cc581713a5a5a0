"""What an outside sweep of hostile inputs found, each with its input stated.

Every command was run as an unprivileged user on files the suite had not seen: old Mac
line ends, lines of megabytes, dates in forms other than YYYY-MM-DD, a JSON ``null``,
a CSV header of a million columns, a spreadsheet that claims a million rows, store
URLs the system refuses, ports that do not exist.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from clusterkit import DiagnosticError, load_dataset, read_participants_csv
from clusterkit.diagnostics import Diagnostic, Severity, Span, render_text, source_lines
from clusterkit.lang.syntax.formatter import format_rules
from clusterkit.loader.cells import MAX_UNKNOWN_COLUMNS
from clusterkit.lsp.server import MAX_MESSAGE_BYTES, MessageError, _Input
from clusterkit.plugins import StoreError, open_store
from clusterkit.serde import iso_date
from tests.cli.runner import run

ROOT = Path(__file__).resolve().parents[3]
PL = ROOT / "examples" / "pl-key-clusters"
RU = ROOT / "examples" / "ru-industrial-clusters"
KZ = ROOT / "examples" / "kazakhstan-2021"


def _copy_pl(tmp_path: Path) -> Path:
    shutil.copy(PL / "schema.ckr", tmp_path / "schema.ckr")
    shutil.copytree(PL / "data", tmp_path / "data")
    return tmp_path / "data"


# -- rule files ---------------------------------------------------------------------------

OLD_MAC = (
    "rulebook cr\r# a comment that once ran to the end of the file\rconst a = 30 %\r"
    "rule r for each p in projects\r  require p.cluster_amont >= a * p.budget\r"
)


def test_a_lone_carriage_return_ends_a_line(tmp_path: Path) -> None:
    # Was: the comment swallowed the rest of the file ("ends too early"), and without
    # a comment every position was on line 1 (1:68), with no excerpt.
    rules = tmp_path / "cr.ckr"
    rules.write_bytes(OLD_MAC.encode())
    code, _, err = run("lint", str(rules))
    assert code == 2
    assert f"{rules}:5:11: error[R202]: a project has no field 'cluster_amont'" in err
    assert "   5 |   require p.cluster_amont >= a * p.budget\n" in err
    assert source_lines("a\rb\r\nc\nd") == ["a", "b", "c", "d"]


def test_fmt_writes_line_feeds_for_old_mac_line_ends() -> None:
    text = OLD_MAC.replace("amont", "amount")
    formatted = format_rules(text)
    assert "\r" not in formatted
    assert "# a comment that once ran to the end of the file\n" in formatted
    assert format_rules(formatted) == formatted


def test_an_excerpt_of_a_huge_line_is_cut_around_the_column(tmp_path: Path) -> None:
    # Was: the whole line (400,000 characters) and a caret line as long.
    rules = tmp_path / "long.ckr"
    rules.write_text("rulebook p\nconst x = " + " + ".join(["1"] * 100_000) + "\n")
    code, _, err = run("lint", str(rules))
    assert code == 2
    assert "error[R105]" in err
    assert max(len(line) for line in err.splitlines()) < 400
    assert "…" in err


def _excerpt(line: str, column: int, width: int) -> list[str]:
    span = Span("f.ckr", 1, column, 1, column + width)
    diagnostic = Diagnostic("R101", Severity.ERROR, "m", "f.ckr", span=span)
    return render_text(diagnostic, [line]).splitlines()[1:]


def test_an_excerpt_keeps_the_caret_under_its_character() -> None:
    # Tabs before the column are kept in the caret line; control characters and marks
    # that reorder a terminal's line are shown as '?'.
    assert _excerpt("\t\trequire\tp.x", 11, 3) == [
        "   1 | \t\trequire\tp.x",
        "       \t\t       \t^^^",
    ]
    assert _excerpt("const \u202ea = 1\x0b", 7, 1) == ["   1 | const ?a = 1?", "             ^"]
    far = "a" * 1000 + "BAD" + "b" * 1000
    shown, caret = _excerpt(far, 1001, 3)
    assert len(shown) < 200
    assert shown[caret.index("^") : caret.index("^") + 3] == "BAD"


# -- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["20210601", "2021-W23-1", "2021W231", "２０２１-０６-０１", " 2021-06-01"]
)
def test_a_date_is_written_yyyy_mm_dd(text: str) -> None:
    # Was: Python's date.fromisoformat read 20210601 and week dates as dates.
    with pytest.raises(ValueError, match="not a YYYY-MM-DD date"):
        iso_date(text)
    assert iso_date("2021-06-01") == dt.date(2021, 6, 1)


def test_dates_in_another_form_are_refused_in_data_and_options(tmp_path: Path) -> None:
    data = _copy_pl(tmp_path)
    clusters = json.loads((data / "clusters.json").read_text(encoding="utf-8"))
    clusters["clusters"][0]["founded"] = "20120315"
    clusters["kkk_applications"][0]["submitted"] = "2019-W21-1"
    (data / "clusters.json").write_text(json.dumps(clusters), encoding="utf-8")
    with pytest.raises(DiagnosticError) as exc:
        load_dataset(data)
    assert sorted(d.path or "" for d in exc.value.diagnostics) == [
        "clusters[0].founded",
        "kkk_applications[0].submitted",
    ]
    for as_of in ("20240630", "2024-W26-7"):
        code, _, err = run("check", str(PL), "--data", str(PL / "data"), "--as-of", as_of)
        assert code == 2
        assert "is not a date (expected YYYY-MM-DD)" in err


# -- data files ---------------------------------------------------------------------------


def test_a_json_file_holding_null_is_refused(tmp_path: Path) -> None:
    # Was: read as an empty file, silently.
    data = _copy_pl(tmp_path)
    (data / "more.json").write_text("null", encoding="utf-8")
    with pytest.raises(DiagnosticError) as exc:
        load_dataset(data)
    (problem,) = exc.value.diagnostics
    assert (problem.code, problem.file) == ("D103", str(data / "more.json"))
    assert problem.message == "the top level must be an object of collections"


def test_a_header_of_a_great_many_columns_is_a_few_problems(tmp_path: Path) -> None:
    # Was: one problem per column, each looked up in the header from its start: a
    # header of a million columns ran for more than ten minutes.
    unknown = [f"c{i}" for i in range(100)]
    header = ["id", "bin", "role", "region", "oked", "member_from", "name_en", *unknown]
    csv = tmp_path / "c1.csv"
    csv.write_text(",".join(header + ["x"] * 50 + ["id"] * 3) + "\n", encoding="utf-8")
    with pytest.raises(DiagnosticError) as exc:
        read_participants_csv(csv)
    messages = [d.message for d in exc.value.diagnostics]
    named = [m for m in messages if m.startswith("unknown column")]
    assert len(named) == MAX_UNKNOWN_COLUMNS
    assert f"{101 - MAX_UNKNOWN_COLUMNS} more unknown columns" in messages
    assert messages.count("column 'id' appears twice") == 1
    assert not any("'x' appears twice" in m for m in messages)


def test_a_sheet_that_claims_a_million_rows_is_read_by_the_rows_it_has(tmp_path: Path) -> None:
    # Was: the sheet's stated dimensions (A1:XFD1048576, from one formatted cell far
    # away) were read cell by cell: billions of empty cells, a hang.
    data = _copy_pl(tmp_path)
    rows = (data / "participants.csv").read_text(encoding="utf-8").splitlines()
    (data / "participants.csv").unlink()
    book = Workbook()
    for blank in book.worksheets:
        book.remove(blank)
    sheet = book.create_sheet("participants")
    for line in rows:
        sheet.append(line.split(","))
    sheet.cell(1_048_576, 16_384).font = Font(bold=True)
    book.save(data / "members.xlsx")
    dataset = load_dataset(data)
    assert sum(len(c.participants) for c in dataset.clusters) == 269


# -- stores -------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["sqlite", "jsondir"])
def test_a_store_path_the_system_refuses_is_bad_input(tmp_path: Path, scheme: str) -> None:
    # Was: OSError ENAMETOOLONG, exit status 3 (a bug).
    url = f"{scheme}://{tmp_path / ('a' * 5000)}"
    code, _, err = run("registry", "list", "--store", url)
    assert code == 2
    assert "the store cannot be opened (File name too long)" in err
    with pytest.raises(StoreError):
        open_store(url, create=True)


def test_sqlite_store_names_are_file_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Was: "file:..." opened as an SQLite URI (sqlite://file:st/x wrote st/x), and
    # ":memory:" kept nothing while the import said it had.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "st").mkdir()
    for name in ("file:st", ":memory:"):
        open_store(f"sqlite://{name}", create=True).close()
        assert (tmp_path / name).is_file()
    assert list((tmp_path / "st").iterdir()) == []


def test_a_json_folder_store_is_not_made_among_other_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: "jsondir://" made the current folder a store, and "jsondir://rules" wrote the
    # store's files among the rule files.
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.ckr").write_text("rulebook a\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for url in ("jsondir://", "jsondir://rules"):
        with pytest.raises(StoreError, match="a new store needs a new or empty folder"):
            open_store(url, create=True)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.ckr", "rules"]
    (tmp_path / "empty").mkdir()
    open_store("jsondir://empty", create=True).close()
    open_store("jsondir://new/store", create=True).close()
    assert (tmp_path / "new" / "store" / "store.json").is_file()


# -- the servers --------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_serve_refuses_a_port_that_does_not_exist(port: str) -> None:
    # Was: the server started, failed to bind with a traceback, exit status 3.
    code, _, err = run("serve", "--port", port)
    assert code == 2
    assert "--port" in err


def test_serve_says_when_it_cannot_listen() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run("serve", "--port", str(port))
    assert code == 2
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in err
    code, _, err = run("serve", "--host", "no-such-host.invalid", "--port", "8765")
    assert code == 2
    assert "cannot listen on no-such-host.invalid:8765" in err


def test_the_language_server_refuses_a_message_larger_than_it_reads() -> None:
    # Was: Content-Length: 99999999999999999999 gave OverflowError, exit status 3.
    source = _Input(io.BytesIO(b"Content-Length: 3\r\n\r\n{}\n"))
    assert source.readline() == b"Content-Length: 3\r\n"
    with pytest.raises(MessageError):
        source.read(MAX_MESSAGE_BYTES + 1)
    result = subprocess.run(
        [sys.executable, "-m", "clusterkit", "lsp"],
        input=b"Content-Length: 99999999999999999999\r\n\r\n{}",
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert b"the editor sent a message the server cannot read" in result.stderr
    assert b"Traceback" not in result.stderr


def test_the_language_server_logs_an_unreadable_message_in_one_line() -> None:
    # Was: the library's traceback for a body that is not JSON.
    result = subprocess.run(
        [sys.executable, "-m", "clusterkit", "lsp"],
        input=b"Content-Length: 5\r\n\r\n{bad}",
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert b"Traceback" not in result.stderr
    assert b"ERROR: Unable to handle message (JSONDecodeError:" in result.stderr


# -- what a foreign regime needed ------------------------------------------------------------


def test_validate_counts_the_records_of_declared_kinds() -> None:
    code, out, _ = run("validate", str(PL / "data"))
    assert code == 0
    assert "  kkk_applications:    7\n" in out
    assert "  kkk_statuses:        5\n" in out
    code, out, _ = run("validate", str(PL / "data"), "--format", "json")
    assert json.loads(out)["summary"]["records"] == {"kkk_applications": 7, "kkk_statuses": 5}


def test_import_participants_reads_a_declared_schema() -> None:
    csv = str(RU / "data" / "participants" / "sample-ural-machinery.csv")
    code, _, err = run("import-participants", csv)
    assert code == 2
    assert "required column 'bin' is missing" in err
    code, out, _ = run("import-participants", csv, "--schema", str(RU / "schema.ckr"))
    assert code == 0
    first = json.loads(out)["participants"][0]
    assert (first["id"], first["inn"], first["bin"]) == ("u01", "7499000131", None)
