"""Spreadsheets (``.xlsx``) in a dataset: each sheet a table (see
:mod:`clusterkit.loader.tables`), read with openpyxl (the optional extra ``xlsx``).

A sheet's first non-empty row is its header. Cells are taken as the spreadsheet
stores them:

- **Numbers** become exact decimals: the shortest decimal that the stored binary
  number rounds back to (what the spreadsheet shows at full precision; ``30.5``, not
  ``30.499999999999998``). A spreadsheet keeps 15 significant digits, so a number
  that needs more is a formula's result carrying binary rounding error
  (``=0.1+0.2`` stores ``0.30000000000000004``): it is rounded to 15 significant
  digits, and if what remains is shorter (``0.3``) that is its value; if not
  (``=1/3``), no decimal is meant and the cell is refused: round it in the sheet.
  Trailing zeros the cell's format shows are kept (``112.10`` in a ``0.00`` cell),
  a cell formatted as a percentage is read as the percentage it shows (``0.3`` shown
  as ``30%`` is 30), and an integer formatted with leading zeros (``000000000000``)
  keeps them where text is expected (a BIN).
- **Dates** are dates; a date with a time of day is refused where a date is expected.
- **Formulas** are read by the value the spreadsheet saved with them; a formula with
  no saved value (a file written by a program that does not calculate) is refused.
- **Errors** (``#DIV/0!``, ``#N/A``) are refused.

Problems name the file, the sheet and the cell (``participants!B4``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import math
import re
from collections.abc import Iterator
from decimal import Context, Decimal
from pathlib import Path
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic
from clusterkit.loader.files import data_error, read_bytes
from clusterkit.loader.tables import Cell, NumberCell, Row, Table, cell_name
from clusterkit.messages import join, msg
from clusterkit.numbers import EXACT, format_plain, shift

__all__ = ["EXCEL_DIGITS", "Workbook", "exact_number", "open_workbook"]

#: The significant digits a spreadsheet keeps.
EXCEL_DIGITS = 15
_ROUND_15 = Context(prec=EXCEL_DIGITS)
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def exact_number(value: float | int, number_format: str = "General") -> NumberCell:
    """A spreadsheet's stored number as an exact decimal (see the module's documentation)."""
    if isinstance(value, int):
        number = Decimal(value)
    else:
        if not math.isfinite(value):
            return NumberCell(None, repr(value), msg("{value!r} is not a number", value=value))
        number = Decimal(repr(value))
        if len(number.as_tuple().digits) > EXCEL_DIGITS:
            rounded = _normal(_ROUND_15.plus(number))
            if len(rounded.as_tuple().digits) >= EXCEL_DIGITS:
                return NumberCell(
                    None,
                    repr(value),
                    msg(
                        "the cell holds {value!r}, which is not an exact decimal (a formula's "
                        "result?): round it in the sheet, e.g. =ROUND(…; 4), or type the value",
                        value=value,
                    ),
                )
            number = rounded
        number = _normal(number)
    fmt = _QUOTED.sub("", number_format.split(";", maxsplit=1)[0])
    if "%" in fmt:
        number = shift(number, 2)
    places = _format_places(fmt)
    exponent = number.as_tuple().exponent
    if places is not None and isinstance(exponent, int) and -exponent < places:
        number = number.quantize(Decimal(1).scaleb(-places), context=EXACT)
    text = format_plain(number)
    if "%" in fmt:
        text += " %"
    elif re.fullmatch(r"0+", fmt) and isinstance(value, int) and value >= 0:
        text = text.zfill(len(fmt))
    return NumberCell(number, text)


def _normal(number: Decimal) -> Decimal:
    """Without trailing zeros, and an integer with exponent 0 (``30`` for ``30.0``)."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1), context=EXACT)
    return number.normalize(EXACT)


def _format_places(fmt: str) -> int | None:
    """The decimal places a number format shows (``#,##0.00`` → 2), or None."""
    match = re.search(r"0\.(0+)(?![0#?])", fmt)
    return len(match[1]) if match else None


@attrs.define
class Workbook:
    """An open spreadsheet: its sheets' names, and each sheet as a table."""

    path: Path
    shown: str
    book: Any
    data: bytes

    @property
    def sheet_names(self) -> list[str]:
        names: list[str] = self.book.sheetnames
        return names

    def table(self, sheet: str, problems: list[Diagnostic]) -> Table | None:
        """The sheet as a table, or None if it has no values at all (or cannot be read:
        the problem is added to ``problems``)."""
        try:
            return self._table(sheet, problems)
        except Exception as exc:
            reason = str(exc) or type(exc).__name__
            problems.append(
                data_error(
                    codes.DATA_UNREADABLE,
                    self.shown,
                    msg("sheet {sheet!r} cannot be read ({why})", sheet=sheet, why=reason),
                )
            )
            return None

    def _table(self, sheet: str, problems: list[Diagnostic]) -> Table | None:
        worksheet = self.book[sheet]
        # The rows and cells the sheet holds, not its stated dimensions: a sheet that
        # claims A1:XFD1048576 (a format applied to whole columns) would otherwise be
        # read as billions of empty cells.
        _forget_dimensions(worksheet)
        rows: Iterator[tuple[Any, ...]] = worksheet.iter_rows()
        header: list[str] | None = None
        table: Table | None = None
        blanks: list[tuple[Row, int]] = []
        for line, cells in enumerate(rows, start=1):
            if table is None:
                if any(_value(c) is not None for c in cells):
                    header = _header(cells)
                    table = Table(self.shown, header, [], sheet=sheet, header_line=line)
                continue
            row = self._row(table, line, cells, problems, blanks)
            if row is not None:
                table.rows.append(row)
        if table is not None and blanks:
            self._check_formulas(table, blanks, problems)
        return table

    def _row(
        self,
        table: Table,
        line: int,
        cells: tuple[Any, ...],
        problems: list[Diagnostic],
        blanks: list[tuple[Row, int]],
    ) -> Row | None:
        row = Row(line - table.header_line, line, {})
        good = True
        for index, cell in enumerate(cells, start=1):
            value = _value(cell)
            if value is None:
                if type(cell).__name__ == "ReadOnlyCell" and index <= len(table.header):
                    blanks.append((row, index))  # a formula with no saved value, or a blank
                continue
            name = table.header[index - 1] if index <= len(table.header) else ""
            if not name:
                problems.append(
                    table.problem(
                        msg(
                            "a value in column {column}, which has no name in the header row",
                            column=cell_name(index, 1)[:-1],
                        ),
                        row,
                    )
                )
                good = False
                continue
            if getattr(cell, "data_type", None) == "e":
                problems.append(
                    table.problem(
                        join([name, msg("the cell holds the error {value}", value=value)], ": "),
                        row,
                        name,
                    )
                )
                good = False
                continue
            row.cells[name] = _cell(value, getattr(cell, "number_format", None) or "General")
        if not row.cells:
            return None
        return row if good else None

    def _check_formulas(
        self, table: Table, blanks: list[tuple[Row, int]], problems: list[Diagnostic]
    ) -> None:
        """Refuse formulas whose value was never saved (they read as empty cells)."""
        openpyxl = importlib.import_module("openpyxl")
        wanted = {(row.line, index): row for row, index in blanks}
        first, last = min(line for line, _ in wanted), max(line for line, _ in wanted)
        formulas = openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=False)
        bad: set[int] = set()
        try:
            worksheet = formulas[table.sheet]
            _forget_dimensions(worksheet)
            cells = worksheet.iter_rows(min_row=first, max_row=last, max_col=len(table.header))
            for line, row_cells in enumerate(cells, start=first):
                for index, cell in enumerate(row_cells, start=1):
                    text = getattr(cell, "value", None)
                    row = wanted.get((line, index))
                    if row is None or not (isinstance(text, str) and text.startswith("=")):
                        continue
                    name = table.header[index - 1]
                    problems.append(
                        table.problem(
                            join(
                                [name, msg("the formula {text} has no saved value", text=text)],
                                ": ",
                            ),
                            row,
                            name,
                            hint=msg(
                                "open and save the file in a spreadsheet program, which "
                                "calculates it"
                            ),
                        )
                    )
                    bad.add(line)
        finally:
            formulas.close()
        table.rows = [r for r in table.rows if r.line not in bad]

    def close(self) -> None:
        self.book.close()


def _forget_dimensions(worksheet: Any) -> None:
    reset = getattr(worksheet, "reset_dimensions", None)
    if reset is not None:
        reset()


def _value(cell: Any) -> Any:
    value = getattr(cell, "value", None)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _header(cells: tuple[Any, ...]) -> list[str]:
    names = []
    for cell in cells:
        value = _value(cell)
        if isinstance(value, float | int) and not isinstance(value, bool):
            value = exact_number(value).text
        names.append("" if value is None else str(value))
    while names and not names[-1]:
        names.pop()
    return names


def _cell(value: Any, number_format: str) -> Cell:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return exact_number(value, number_format)
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return value
    return str(value)


def open_workbook(path: Path, shown: str, problems: list[Diagnostic]) -> Workbook | None:
    """The spreadsheet at ``path``, or None with the reason added to ``problems``."""
    try:
        openpyxl = importlib.import_module("openpyxl")
    except ImportError:
        problems.append(
            data_error(
                codes.DATA_UNREADABLE,
                shown,
                msg("cannot read spreadsheets: openpyxl is not installed"),
                hint=msg("pip install 'clusterkit[xlsx]'"),
            )
        )
        return None
    data = read_bytes(path, shown, problems)
    if data is None:
        return None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        reason = str(exc) or type(exc).__name__
        problems.append(
            data_error(
                codes.DATA_UNREADABLE,
                shown,
                msg("is not a spreadsheet clusterkit can read ({why})", why=reason),
                hint=msg("save it as an Excel workbook (.xlsx) without a password"),
            )
        )
        return None
    return Workbook(path, shown, book, data)
