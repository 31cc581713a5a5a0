"""The participants CSV reader, on its own and as part of a dataset folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkit import DiagnosticError, load_dataset
from clusterkit.diagnostics import Diagnostic
from clusterkit.loader import CSV_COLUMNS, read_participants_csv
from tests.loader.helpers import load_errors

MILK = Path("participants") / "milk-akmola.csv"


def test_a_file_is_read_into_participants(example_dir: Path) -> None:
    rows = read_participants_csv(example_dir / MILK)
    assert len(rows) == 12
    assert rows[0].bin == "060240113698"
    assert all(p.sample for p in rows)


def test_alone_it_raises_every_problem(example_copy: Path) -> None:
    csv_file = example_copy / MILK
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2] + ",extra"
    lines[3] = lines[3].replace("080440114430", "080440114431")
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DiagnosticError) as exc:
        read_participants_csv(csv_file)
    assert [str(d) for d in exc.value.diagnostics] == [
        f"{csv_file}:3:1: error[D108]: row has {len(CSV_COLUMNS) + 1} cells, the header "
        f"{len(CSV_COLUMNS)}",
        f"{csv_file}:4:2: error[D108]: bin: check digit does not match",
    ]


def test_with_a_problem_list_it_keeps_the_good_rows(example_copy: Path) -> None:
    csv_file = example_copy / MILK
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("080440114430", "080440114431")
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems: list[Diagnostic] = []
    rows = read_participants_csv(csv_file, shown="milk.csv", problems=problems)
    assert len(rows) == 11
    assert [str(d) for d in problems] == [
        "milk.csv:4:2: error[D108]: bin: check digit does not match"
    ]


def test_an_empty_file_needs_a_header(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DiagnosticError) as exc:
        read_participants_csv(tmp_path / "empty.csv")
    assert [d.message for d in exc.value.diagnostics] == ["empty file: expected a header row"]


def test_csv_participants_are_merged_and_marked_sample(example_dir: Path) -> None:
    data = load_dataset(example_dir)
    cluster = data.cluster("milk-akmola")
    assert cluster is not None
    assert len(cluster.participants) == 12
    assert all(p.sample for p in cluster.participants)
    assert cluster.coordinator == "s01"


def test_csv_error_names_line_and_column(example_copy: Path) -> None:
    csv_file = example_copy / "participants" / "milk-akmola.csv"
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("080440114430", "080440114431")
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = load_errors(example_copy)
    assert errors == [f"{csv_file}:4:2: error[D108]: bin: check digit does not match"], errors


def test_csv_unknown_column_is_an_error(example_copy: Path) -> None:
    csv_file = example_copy / "participants" / "milk-akmola.csv"
    text = csv_file.read_text(encoding="utf-8").replace("oked,", "okde,", 1)
    csv_file.write_text(text, encoding="utf-8")
    errors = load_errors(example_copy)
    assert any("unknown column 'okde'" in e for e in errors)
    assert any("required column 'oked' is missing" in e for e in errors)


def test_csv_for_an_unknown_cluster_is_an_error(example_copy: Path) -> None:
    source = example_copy / "participants" / "milk-akmola.csv"
    (example_copy / "participants" / "dairy-ghost.csv").write_text(source.read_text("utf-8"))
    errors = load_errors(example_copy)
    assert any("no cluster with id 'dairy-ghost'" in e for e in errors), errors


def test_an_unreadable_file_is_reported_alone(example_copy: Path) -> None:
    csv_file = example_copy / MILK
    csv_file.write_bytes("Müller".encode("latin-1"))
    errors = load_errors(example_copy)
    assert errors == [
        f"{csv_file}: error[D101]: is not UTF-8 text (byte 1), nor Russian text in cp1251 "
        "(hint: save it as UTF-8, or name its encoding: csv_encoding in the dataset table or "
        "--csv-encoding)"
    ], errors


def test_a_cluster_s_problem_with_a_csv_participant_is_reported_at_its_cell(
    example_copy: Path,
) -> None:
    csv_file = example_copy / MILK
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("080440114430", "060240113698")  # the first row's BIN
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = load_errors(example_copy)
    assert errors == [f"{csv_file}:4:2: error[D108]: bin: '060240113698' appears 2 times"], errors
