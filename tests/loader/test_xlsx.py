"""Spreadsheets in a dataset: real .xlsx files written with openpyxl and read back."""

from __future__ import annotations

import builtins
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from clusterkit.diagnostics import Diagnostic
from clusterkit.loader import read_participants_csv
from clusterkit.loader.xlsx import exact_number
from clusterkit.money import parse_money
from tests.loader.helpers import PARTICIPANT, PARTICIPANT_HEADER, load_errors, loaded, write_dataset

COSTS = ["id", "project", "amount", "incurred", "share", "fte", "listed", "tags"]


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Workbook:
    """A workbook with a sheet of these rows for each name, saved to ``path``."""
    book = Workbook()
    default = book.active  # the empty sheet every new workbook starts with
    assert default is not None
    book.remove(default)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return book


def sheet_of(path: Path, name: str, rows: list[list[Any]]) -> tuple[Workbook, Worksheet]:
    book = workbook(path, {name: rows})
    return book, book[name]


# -- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fmt", "expected", "text"),
    [
        (30.5, "General", "30.5", "30.5"),
        (0.1, "General", "0.1", "0.1"),
        (30.0, "General", "30", "30"),
        (7, "General", "7", "7"),
        (1e20, "General", "100000000000000000000", "100000000000000000000"),
        (0.1 + 0.2, "General", "0.3", "0.3"),
        (3896.4999999999995, "General", "3896.5", "3896.5"),
        (112.1, "#,##0.00", "112.10", "112.10"),
        (112.123, "0.0", "112.123", "112.123"),
        (0.305, "0.0%", "30.5", "30.5 %"),
        (60240113698, "000000000000", "60240113698", "060240113698"),
    ],
)
def test_numbers_are_the_decimals_the_spreadsheet_shows(
    value: float, fmt: str, expected: str, text: str
) -> None:
    cell = exact_number(value, fmt)
    assert (str(cell.value), cell.text, cell.error) == (expected, text, None)
    assert isinstance(cell.value, Decimal)


def test_a_number_no_decimal_is_meant_by_is_refused() -> None:
    cell = exact_number(1 / 3)
    assert cell.value is None
    assert cell.error is not None
    assert "0.3333333333333333, which is not an exact decimal" in cell.error
    assert exact_number(float("nan")).value is None


# -- participants ---------------------------------------------------------------------------


def test_a_participants_workbook_is_read(tmp_path: Path) -> None:
    row: list[Any] = [*PARTICIPANT]
    row[1] = 60240113698  # a BIN typed as a number, shown with its leading zero
    row[5] = dt.datetime(2017, 3, 1)
    row[7] = 12.5
    path = tmp_path / "participants" / "c1.xlsx"
    book, sheet = sheet_of(path, "Лист1", [PARTICIPANT_HEADER, row])
    sheet["B2"].number_format = "000000000000"
    book.save(path)
    dataset, warnings = loaded(write_dataset(tmp_path, {}))
    assert warnings == []
    (participant,) = dataset.clusters[0].participants
    assert participant.bin == "060240113698"
    assert participant.member_from == dt.date(2017, 3, 1)
    assert participant.extra["staff"] == Decimal("12.5")


def test_problems_name_the_sheet_and_the_cell(tmp_path: Path) -> None:
    bad_bin = [*PARTICIPANT[:1], "060240113699", *PARTICIPANT[2:]]
    with_time: list[object] = [*PARTICIPANT]
    with_time[5] = dt.datetime(2017, 3, 1, 9, 30)
    third: list[object] = [*PARTICIPANT]
    third[7] = 1 / 3
    path = tmp_path / "participants" / "c1.xlsx"
    sheet_of(path, "members list", [[], PARTICIPANT_HEADER, bad_bin, with_time, third])
    root = write_dataset(tmp_path, {})
    assert load_errors(root) == [
        f"{path}:3:2: error[D108]: 'members list'!B3: bin: check digit does not match",
        f"{path}:4:6: error[D108]: 'members list'!F4: member_from: expected a date, got a date "
        "and time (2017-03-01 09:30:00)",
        f"{path}:5:8: error[D108]: 'members list'!H5: staff: the cell holds 0.3333333333333333, "
        "which is not an exact decimal (a formula's result?): round it in the sheet, e.g. "
        "=ROUND(…; 4), or type the value",
    ]


def test_a_participants_file_reads_its_first_sheet_and_names_the_others(tmp_path: Path) -> None:
    path = tmp_path / "participants" / "c1.xlsx"
    workbook(path, {"first": [PARTICIPANT_HEADER, PARTICIPANT], "notes": [["x"]], "empty": []})
    dataset, warnings = loaded(write_dataset(tmp_path, {}))
    assert len(dataset.clusters[0].participants) == 1
    assert warnings == [
        f"{path}: notes: warning[D109]: not read: sheet 'notes': a participants file's first "
        "sheet is read"
    ]


def test_read_participants_csv_reads_a_workbook_too(tmp_path: Path) -> None:
    sheet_of(tmp_path / "p.xlsx", "p", [PARTICIPANT_HEADER[:-1], PARTICIPANT[:-1]])
    (participant,) = read_participants_csv(tmp_path / "p.xlsx")
    assert participant.name.ru == "Организация"
    sheet_of(tmp_path / "empty.xlsx", "p", [])
    problems: list[Diagnostic] = []
    assert read_participants_csv(tmp_path / "empty.xlsx", shown="e.xlsx", problems=problems) == ()
    assert [str(p) for p in problems] == ["e.xlsx: error[D108]: empty sheet: expected a header row"]


# -- a workbook of several tables -------------------------------------------------------------


def test_a_workbook_holds_several_tables(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    book = workbook(
        path,
        {
            "participants": [["cluster", *PARTICIPANT_HEADER], ["c1", *PARTICIPANT]],
            "cost_items": [
                COSTS,
                ["k1", "j1", "1.5 mln KZT", dt.date(2022, 3, 1), 0.305, 0.8, True, "a|b"],
            ],
            "observations": [
                ["cluster", "indicator", "year", "value", "unit", "reported_on", "reported_by"],
                ["c1", "output", 2021, 3896.5, "mln KZT", dt.date(2022, 2, 1), "akimat"],
            ],
            "regions": [["code", "name_en", "name_kk"], ["KZ-KAR", "Karaganda", "Қарағанды"]],
            "Sheet": [["something", "else"]],
            "clusters": [["id"], ["c2"]],
            "blank": [],
        },
    )
    book["cost_items"]["E2"].number_format = "0.0%"
    book.save(path)
    dataset, warnings = loaded(write_dataset(tmp_path, {}))
    assert warnings == [
        f"{path}: Sheet: warning[D109]: not read: sheet 'Sheet' is not a table of this dataset "
        "(tables: benchmarks, cost_items, figures, obligations, observations, participants, "
        "rates, regions, sectors)",
        f"{path}: clusters: warning[D109]: not read: sheet 'clusters': its items have nested "
        "parts, so it is read from JSON or TOML files only",
    ]
    assert [p.id for p in dataset.clusters[0].participants] == ["p1"]
    (cost,) = dataset.records_of("cost_items")
    assert cost.extra["amount"] == parse_money("1.5 mln KZT")
    assert cost.extra["incurred"] == dt.date(2022, 3, 1)
    assert cost.extra["share"] == Decimal("30.5")
    assert cost.extra["fte"] == Decimal("0.8")
    assert cost.extra["listed"] is True
    assert cost.extra["tags"] == ("a", "b")
    (observation,) = dataset.observations
    assert (observation.year, observation.value) == (2021, Decimal("3896.5"))
    assert {r.code for r in dataset.regions} == {"KZ-AKM", "KZ-KAR"}


def test_a_workbook_named_after_a_collection_holds_it_in_its_first_sheet(tmp_path: Path) -> None:
    path = tmp_path / "cost_items.xlsx"
    workbook(path, {"Лист1": [COSTS[:4], ["k1", "j1", "5 KZT", "2022-01-01"]]})
    dataset, warnings = loaded(write_dataset(tmp_path, {}))
    assert (len(dataset.records_of("cost_items")), warnings) == (1, [])


def test_references_and_headers_in_a_workbook_are_at_their_cells(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    workbook(
        path,
        {
            "participants": [["cluster", *PARTICIPANT_HEADER], ["c9", *PARTICIPANT]],
            "cost_items": [COSTS[:4], ["k1", "j1", "5 KZT", "2022-01-01"]],
        },
    )
    root = write_dataset(tmp_path, {})
    assert load_errors(root) == [
        f"{path}:2:1: error[D106]: participants!A2: cluster: no cluster with id 'c9'"
    ]
    workbook(path, {"cost_items": [COSTS[:4], ["k1", "j9", "5 KZT", "2022-01-01"]]})
    assert load_errors(root) == [
        f"{path}:2:2: error[D106]: cost_items!B2: project: 'j9' is not a known project"
    ]
    workbook(path, {"cost_items": [["id", "colour"], ["k1", "red"]]})
    assert load_errors(root) == [
        f"{path}:1:2: error[D108]: cost_items!B1: unknown column 'colour' (hint: columns: id, "
        "project, amount, incurred, supplier, share, fte, listed, tags)",
        f"{path}:1:1: error[D108]: sheet 'cost_items': required column 'project' is missing",
        f"{path}:1:1: error[D108]: sheet 'cost_items': required column 'amount' is missing",
        f"{path}:1:1: error[D108]: sheet 'cost_items': required column 'incurred' is missing",
    ]


def test_error_values_formulas_without_values_and_unnamed_columns(tmp_path: Path) -> None:
    path = tmp_path / "cost_items.xlsx"
    book, sheet = sheet_of(
        path,
        "cost_items",
        [
            COSTS[:4],
            ["k1", "j1", "#DIV/0!", "2022-01-01"],
            ["k2", "j1", "=2+3", "2022-01-01"],
            ["k3", "j1", "5 KZT", "2022-01-01", "stray"],
        ],
    )
    sheet["C2"].data_type = "e"
    book.save(path)
    root = write_dataset(tmp_path, {})
    assert load_errors(root) == [
        f"{path}:2:3: error[D108]: cost_items!C2: amount: the cell holds the error #DIV/0!",
        f"{path}:4:1: error[D108]: cost_items!A4: a value in column E, which has no name in "
        "the header row",
        f"{path}:3:3: error[D108]: cost_items!C3: amount: the formula =2+3 has no saved value "
        "(hint: open and save the file in a spreadsheet program, which calculates it)",
    ]


def test_a_file_that_is_not_a_workbook_is_reported(tmp_path: Path) -> None:
    root = write_dataset(tmp_path, {"data.xlsx": "not a zip"})
    errors = load_errors(root)
    assert len(errors) == 1
    assert errors[0].startswith(
        f"{root / 'data.xlsx'}: error[D101]: is not a spreadsheet clusterkit can read ("
    )
    assert errors[0].endswith("(hint: save it as an Excel workbook (.xlsx) without a password)")


def test_without_openpyxl_a_workbook_is_an_error_that_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook(tmp_path / "regions.xlsx", {"regions": [["code", "name_en"], ["KZ-KAR", "K"]]})
    root = write_dataset(tmp_path, {})
    real_import = builtins.__import__

    def no_openpyxl(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("openpyxl"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    monkeypatch.delitem(__import__("sys").modules, "openpyxl")
    assert load_errors(root) == [
        f"{root / 'regions.xlsx'}: error[D101]: cannot read spreadsheets: openpyxl is not "
        "installed (hint: pip install 'clusterkit[xlsx]')"
    ]
