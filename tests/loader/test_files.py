"""File IO: reading within a size limit, finding a dataset's files, writing atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

import clusterkit
from clusterkit import DiagnosticError
from clusterkit.diagnostics import Diagnostic
from clusterkit.loader import MAX_FILE_BYTES, atomic_write, read_text
from clusterkit.loader.files import data_files
from tests.loader.helpers import load_errors


def read(
    path: Path,
    *,
    code: str = "D101",
    too_big_code: str = "D101",
    limit: int = MAX_FILE_BYTES,
    noun: str = "file",
) -> tuple[str | None, list[str]]:
    problems: list[Diagnostic] = []
    text = read_text(
        path, "shown.json", problems, code=code, too_big_code=too_big_code, limit=limit, noun=noun
    )
    return text, [str(d) for d in problems]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    errors = load_errors(tmp_path / "nowhere")
    assert errors == [f"{tmp_path / 'nowhere'}: error[D101]: no such file or directory"]


def test_a_folder_without_data_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    assert load_errors(tmp_path) == [
        f"{tmp_path}: error[D101]: no .json or .toml data files in this directory"
    ]


def test_data_files_are_the_top_level_json_and_toml_files_in_order(tmp_path: Path) -> None:
    for name in ("b.toml", "a.json", "c.csv"):
        (tmp_path / name).write_text("")
    (tmp_path / "d.json").mkdir()
    assert [p.name for p in data_files(tmp_path)] == ["a.json", "b.toml"]
    assert data_files(tmp_path / "a.json") == [tmp_path / "a.json"]
    with pytest.raises(DiagnosticError):
        data_files(tmp_path / "none")
    with pytest.raises(DiagnosticError, match="is a table, not a dataset"):
        data_files(tmp_path / "c.csv")


def test_read_text_reads_utf8(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("«ok»", encoding="utf-8")
    assert read(tmp_path / "a.json") == ("«ok»", [])


def test_read_text_reports_instead_of_raising(tmp_path: Path) -> None:
    (tmp_path / "latin1.json").write_bytes(b'{"x": "\xe9"}')
    assert read(tmp_path / "latin1.json") == (
        None,
        ["shown.json: error[D101]: is not UTF-8 text (byte 7)"],
    )
    assert read(tmp_path) == (None, ["shown.json: error[D101]: is a directory, expected a file"])
    assert read(tmp_path / "none", code="R100", noun="rule file") == (
        None,
        ["shown.json: error[R100]: rule file not found"],
    )


def test_read_text_refuses_files_over_the_limit(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_text("12345")
    assert read(tmp_path / "big.json", limit=4, too_big_code="R104") == (
        None,
        ["shown.json: error[R104]: file is 5 bytes, more than the 4 allowed"],
    )
    assert MAX_FILE_BYTES == 256 * 1024 * 1024


def test_atomic_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "d.json"
    target.write_text("old")
    atomic_write(target, "new «text»")
    assert target.read_text(encoding="utf-8") == "new «text»"
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


def test_a_failed_atomic_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "d.json"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        atomic_write(target, "\ud800")  # a lone surrogate cannot be written as UTF-8
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


def test_read_text_drops_a_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}", encoding="utf-8-sig")
    assert read(tmp_path / "a.json") == ("{}", [])


def test_a_rule_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    rules = tmp_path / "r.ckr"
    rules.write_text("rulebook r\nconst x = 1\nrule r\n  require x > 0\n", encoding="utf-8-sig")
    program = clusterkit.load_rules([rules])
    assert [d for d in program.diagnostics if d.is_error] == []


def test_links_out_of_the_dataset_folder_are_refused_unread(
    example_copy: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("id,bin\ntop-secret-line,1\n", encoding="utf-8")
    (example_copy / "participants" / "leak.csv").symlink_to(secret)
    (example_copy / "leak.json").symlink_to(secret)
    (example_copy / "inside.json").symlink_to(example_copy / "applications.json")
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.load_dataset(example_copy)
    shown = [str(d) for d in caught.value.diagnostics]
    assert not any("top-secret-line" in line for line in shown)
    outside = [line for line in shown if "outside the dataset folder" in line]
    assert sorted(outside) == sorted(
        f"{example_copy / name}: error[D101]: is a symbolic link to a file outside the "
        "dataset folder; not read (hint: copy the file into the dataset folder)"
        for name in ("leak.json", "participants/leak.csv")
    )
    assert not any("inside.json" in line and "outside" in line for line in shown)


def test_a_datasets_schema_names_rule_files_only(example_copy: Path) -> None:
    toml = example_copy / "dataset.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('schema = ["../../', 'schema = ["/etc/passwd", "../../'))
    with pytest.raises(DiagnosticError) as caught:
        clusterkit.load_dataset(example_copy)
    shown = [str(d) for d in caught.value.diagnostics]
    assert (
        f"{toml}: dataset.schema: error[D103]: '/etc/passwd' is not a rule file (*.ckr): "
        "a dataset's schema is declared in rule files" in shown
    )
    assert not any("root:" in line for line in shown)
    assert len(shown) == 1  # the schema's rule file is read all the same
