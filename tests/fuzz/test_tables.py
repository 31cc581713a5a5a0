"""Fuzzing tables: participants CSV files, CSV tables of flat collections and declared
kinds, and .xlsx workbooks written with openpyxl.

Each table starts from a real one (the examples' CSV files, and every flat collection of
the Kazakh example as a table), is edited (cells, columns, rows), written in one of
the dialects spreadsheets write (delimiter, encoding, decimal comma, line ends) or as a
workbook with typed cells, and read in its dataset folder. It either loads (and the
shipped rules evaluate on it, and it is reported) or is refused with diagnostics.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from clusterkit import load_dataset, read_participants_csv
from clusterkit.loader.tables import LANGS, shape
from tests.fuzz.common import (
    HOSTILE_NUMBERS,
    HOSTILE_TEXTS,
    Shown,
    diagnosed,
    fuzz_settings,
    mutated_bytes,
    short,
)
from tests.fuzz.conftest import in_copy
from tests.fuzz.corpus import EXAMPLES, KZ_DATA
from tests.fuzz.data import kz_dataset, kz_document, report_everything

Table = tuple[list[str], list[list[str]]]
#: A table written as CSV, and the loader options (``csv_encoding``, ``decimal_comma``)
#: to read it with.
CsvFile = tuple[bytes, dict[str, str | bool | None]]

# -- seeds ---------------------------------------------------------------------------------

#: The examples' own CSV files, by folder (relative paths).
CSV_SEEDS = (
    *((KZ_DATA, p.relative_to(KZ_DATA)) for p in sorted((KZ_DATA / "participants").glob("*.csv"))),
    *(
        (EXAMPLES / "ru-industrial-clusters" / "data", Path(p))
        for p in (
            "contracts.csv",
            "cost_items.csv",
            "participants/sample-ural-machinery.csv",
        )
    ),
    (EXAMPLES / "eu-cluster-labels" / "data", Path("label_assessments.csv")),
    (EXAMPLES / "pl-key-clusters" / "data", Path("participants.csv")),
)


def _read_table(path: Path) -> Table:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return rows[0], rows[1:]


def _cell_text(value: Any, many: bool) -> str:
    if value is None:
        return ""
    if many and isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@cache
def collection_tables() -> dict[str, Table]:
    """Each flat collection of the Kazakh example that a table can hold, as a table."""
    schema = kz_dataset().schema
    tables = {}
    for name, items in kz_document().items():
        table_shape = shape(name, schema) if isinstance(items, list) else None
        if table_shape is None or not items:
            continue
        header = [c.name for c in table_shape.columns]
        rows = []
        for item in items:
            row = []
            for column in table_shape.columns:
                value = item.get(column.field)
                if column.lang is not None:
                    value = value.get(column.lang) if isinstance(value, dict) else None
                row.append(_cell_text(value, column.many))
            rows.append(row)
        tables[name] = (header, rows)
    return tables


# -- edits ---------------------------------------------------------------------------------

cell_values = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.sampled_from(HOSTILE_NUMBERS),
    st.sampled_from(HOSTILE_NUMBERS).map(lambda n: f"{n} mln KZT"),
    st.sampled_from(
        ["01.06.2021", "2021-06-01T10:00", "31.02.2021", "ИСТИНА", "ЛОЖЬ", "yes", "1|2||", "|"]
    ),
    st.text(max_size=10),
)


_EDITS = (
    *("cell", "cell", "cell", "drop_col", "dup_col", "rename"),
    *("drop_row", "dup_row", "ragged", "blank_row", "extra_col"),
)


@st.composite
def edited_table(draw: st.DrawFn, table: Table) -> Shown[Table]:
    """The table (a :class:`Shown` of it) after a few edits of cells, columns and rows."""
    header, rows = list(table[0]), [list(r) for r in table[1]]
    edits = []
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(_EDITS))
        edits.append(op)
        width = len(header)
        if op == "cell" and rows and width:
            i = draw(st.integers(0, len(rows) - 1))
            if rows[i]:
                j = draw(st.integers(0, len(rows[i]) - 1))
                rows[i][j] = draw(cell_values)
                edits[-1] = f"row {i + 1} cell {j + 1} = {short(rows[i][j])}"
        elif op in ("drop_col", "dup_col", "rename") and width:
            col = draw(st.integers(0, width - 1))
            if op == "drop_col":
                del header[col]
                for row in rows:
                    del row[col : col + 1]
            elif op == "dup_col":
                header.append(header[col])
                for row in rows:
                    row.append(row[col] if col < len(row) else "")
            else:
                header[col] = draw(
                    st.sampled_from(
                        [
                            *header,
                            "",
                            " " + header[col],
                            header[col].upper(),
                            "\ufeff" + header[col],
                        ]
                    )
                )
        elif op in ("drop_row", "dup_row", "ragged") and rows:
            i = draw(st.integers(0, len(rows) - 1))
            if op == "drop_row":
                del rows[i]
            elif op == "dup_row":
                rows.insert(i, list(rows[i]))
            elif len(rows[i]) > 0 and draw(st.booleans()):
                rows[i].pop()
            else:
                rows[i].append(draw(cell_values))
        elif op == "blank_row":
            rows.insert(draw(st.integers(0, len(rows))), [])
        elif op == "extra_col":
            header.append(draw(st.sampled_from(["extra", "id", "name_xx", "Цена"])))
    return Shown((header, rows), f"table with {edits}")


ENCODINGS = ("utf-8", "utf-8-sig", "cp1251", "utf-16")
#: How the writer quotes cells (typed as the literals typeshed gives ``csv.writer``).
QUOTINGS: list[Literal[0, 1]] = [csv.QUOTE_MINIMAL, csv.QUOTE_ALL]


@st.composite
def csv_bytes(draw: st.DrawFn, table: Table) -> Shown[CsvFile]:
    """A table written as a spreadsheet program might write it, with the options given
    to the loader (``csv_encoding``, ``decimal_comma``)."""
    header, rows = table
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quoting = draw(st.sampled_from(QUOTINGS))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=quoting)
    writer.writerow(header)
    comma = delimiter == ";" and draw(st.booleans())
    for row in rows:
        writer.writerow([c.replace(".", ",") if comma and _numeric(c) else c for c in row])
    encoding = draw(st.sampled_from(ENCODINGS))
    data = out.getvalue().encode(encoding, errors="replace")
    mangled = draw(st.integers(0, 3)) == 0
    if mangled:
        data = draw(mutated_bytes(data, max_steps=2))
    options: dict[str, str | bool | None] = {
        "csv_encoding": draw(st.sampled_from([None, None, "utf-8", "cp1251", "utf-16", "latin-1"])),
        "decimal_comma": draw(st.sampled_from([None, True, False])),
    }
    description = (
        f"csv delimiter={delimiter!r} ending={ending!r} quoting={quoting} comma={comma} "
        f"encoding={encoding} bytes_mutated={mangled} {options}"
    )
    return Shown((data, options), description)


def _numeric(cell: str) -> bool:
    head = cell.split(" ", 1)[0]
    try:
        Decimal(head)
    except ArithmeticError:
        return False
    return True


def _typed(cell: str, number_format: str) -> Any:
    """A spreadsheet cell's value for a text cell: numbers as numbers, dates as dates."""
    try:
        return dt.date.fromisoformat(cell)
    except ValueError:
        pass
    if _numeric(cell) and " " not in cell:
        number = Decimal(cell)
        if not number.is_finite() or abs(number.adjusted()) > 300:
            return cell  # a workbook cannot hold it as a number
        if number == number.to_integral_value() and abs(number) < 10**20:
            return int(number)
        return float(number) if "0" not in number_format else number
    return cell


xlsx_values = st.one_of(
    st.sampled_from(
        [
            1.1,
            0.1 + 0.2,
            1e300,
            float("inf"),
            float("nan"),
            -0.0,
            2**63,
            True,
            None,
            "=1/0",
            "=A1",
            "#DIV/0!",
            dt.datetime(2021, 6, 1, 12, 30),
            dt.datetime(1900, 1, 1),
            dt.time(12, 0),
            dt.timedelta(days=3),
            dt.date(9999, 12, 31),
        ]
    ),
    cell_values,
)


@st.composite
def xlsx_bytes(draw: st.DrawFn, sheets: dict[str, Table]) -> Shown[bytes]:
    """The tables as a workbook, one sheet each, with typed cells and number formats."""
    odd = []
    book = openpyxl.Workbook()
    del book[book.sheetnames[0]]
    for name, (header, rows) in sheets.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(header)
        for row in rows:
            number_format = draw(st.sampled_from(["General", "0.00", "000000000000", "0%", "@"]))
            values = [_typed(c, number_format) for c in row]
            if values and draw(st.integers(0, 4)) == 0:
                i = draw(st.integers(0, len(values) - 1))
                values[i] = draw(xlsx_values)
                odd.append(f"row {sheet.max_row + 1} cell {i + 1} = {short(values[i])}")
            sheet.append([_legal(v) for v in values])
            for cell in sheet[sheet.max_row]:
                cell.number_format = number_format
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    mangled = draw(st.integers(0, 5)) == 0
    if mangled:
        data = draw(mutated_bytes(data, max_steps=2))
    return Shown(data, f"xlsx sheets={list(sheets)} cells={odd} bytes_mutated={mangled}")


def _legal(value: Any) -> Any:
    # openpyxl refuses control characters in a cell; a workbook cannot hold them.
    return ILLEGAL_CHARACTERS_RE.sub("?", value) if isinstance(value, str) else value


# -- folders -----------------------------------------------------------------------------


@pytest.fixture
def folders(project: Path) -> dict[str, Path]:
    """In the copy of the project: each example with CSV files (by its path), and for
    each flat collection of the Kazakh example, a dataset of the rest of it as one
    document beside the example (by the collection's name)."""
    copies = {str(folder): in_copy(project, folder) for folder, _ in CSV_SEEDS}
    for name in collection_tables():
        target = in_copy(project, KZ_DATA).with_name(f"kz-{name}")
        if not target.exists():
            target.mkdir()
            rest = {k: v for k, v in kz_document().items() if k != name}
            (target / "data.json").write_text(json.dumps(rest, default=str), encoding="utf-8")
        copies[name] = target
    return copies


@contextmanager
def written(
    folder: Path, files: dict[Path, bytes], hidden: tuple[Path, ...] = ()
) -> Iterator[None]:
    """``files`` written into ``folder`` and ``hidden`` moved away, for one example."""
    saved = {p: (folder / p).read_bytes() for p in (*files, *hidden) if (folder / p).exists()}
    for relative in hidden:
        (folder / relative).unlink()
    for relative, content in files.items():
        (folder / relative).write_bytes(content)
    try:
        yield
    finally:
        for relative in files:
            (folder / relative).unlink(missing_ok=True)
        for relative, content in saved.items():
            (folder / relative).write_bytes(content)


def load_and_report(folder: Path, **options: Any) -> None:
    dataset = diagnosed(lambda: load_dataset(folder, **options))
    if dataset is not None and folder.name.startswith("kz"):
        report_everything(dataset, dt.date(2021, 6, 1), ("text", "csv"))


# -- targets -------------------------------------------------------------------------------


@fuzz_settings()
@given(data=st.data())
def test_csv_files_of_the_examples(folders: dict[str, Path], data: st.DataObject) -> None:
    original, relative = data.draw(st.sampled_from(CSV_SEEDS))
    table = data.draw(edited_table(_read_table(original / relative)))
    content, options = data.draw(csv_bytes(table.value)).value
    folder = folders[str(original)]
    with written(folder, {relative: content}):
        load_and_report(folder, **options)
        if relative.parts[0] == "participants":
            diagnosed(lambda: read_participants_csv(folder / relative))


@fuzz_settings()
@given(data=st.data())
def test_csv_tables_of_flat_collections(folders: dict[str, Path], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(collection_tables())))
    table = data.draw(edited_table(collection_tables()[name]))
    content, options = data.draw(csv_bytes(table.value)).value
    with written(folders[name], {Path(f"{name}.csv"): content}):
        load_and_report(folders[name], **options)


@fuzz_settings(0.5)
@given(data=st.data())
def test_xlsx_workbooks(folders: dict[str, Path], data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        name = data.draw(st.sampled_from(sorted(collection_tables())))
        table = data.draw(edited_table(collection_tables()[name]))
        sheet = data.draw(st.sampled_from([name, "Sheet1", "participants", ""]))
        content = data.draw(xlsx_bytes({sheet or name: table.value})).value
        with written(folders[name], {Path(f"{name}.xlsx"): content}):
            load_and_report(folders[name])
    else:
        original, relative = data.draw(
            st.sampled_from([s for s in CSV_SEEDS if s[1].parts[0] == "participants"])
        )
        table = data.draw(edited_table(_read_table(original / relative)))
        content = data.draw(xlsx_bytes({"participants": table.value})).value
        folder = folders[str(original)]
        with written(folder, {relative.with_suffix(".xlsx"): content}, hidden=(relative,)):
            load_and_report(folder)


def test_localized_columns_are_in_the_seeds() -> None:
    # The seeds must reach the loader's localized and list columns, or the edits miss them.
    headers = {c for header, _ in collection_tables().values() for c in header}
    assert any(c.endswith(f"_{LANGS[0]}") for c in headers)
    assert {"rates", "figures", "regions"} <= set(collection_tables())
