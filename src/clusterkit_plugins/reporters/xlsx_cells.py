"""The xlsx reporter's cells: how a value is written into a worksheet so that what a
reader computes with stays a number, and the number formats that show its unit and
the places it is stated to (``#,##0.0 "млн ₸"``, ``0%``, "at least" around a lower
bound). A number beyond what a spreadsheet holds (about 1E+308) is written as text in
exponent form; text from data is written as a text cell, never run as a formula.

openpyxl is imported when a sheet is written, not when this module is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from clusterkit.formatting import bounded, plain_text
from clusterkit.money import Money
from clusterkit.numbers import SCALE_POWERS, scale_word
from clusterkit.units import Unit
from clusterkit_plugins.reporters.common import Labels
from clusterkit_plugins.reporters.common import terminal_text as _clean

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "MAX_EXPONENT",
    "MAX_PLACES",
    "Cell",
    "SheetWriter",
    "amount_cells",
    "bounded_format",
    "date_format_for",
    "new_sheet",
    "percent_format",
    "places_of",
    "sheet_name",
    "spreadsheet_number",
    "unit_format",
]

#: The largest power of ten a spreadsheet cell holds as a number (IEEE double).
MAX_EXPONENT = 300
#: Places shown at most in a number format.
MAX_PLACES = 6
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

Cell = str | int | float | Decimal | dt.date | None


def spreadsheet_number(value: Decimal) -> int | float | str:
    """A number as a spreadsheet holds it: int or float (15 significant digits, as a
    spreadsheet keeps), or text in exponent form beyond its range."""
    value = bounded(value)
    if not value.is_zero() and abs(value.adjusted()) > MAX_EXPONENT:
        return plain_text(value)
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    return float(value)


def places_of(value: Decimal) -> int:
    """The decimal places ``value`` is stated to (``112.1`` → 1), at most :data:`MAX_PLACES`."""
    exponent = bounded(value).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, min(-exponent, MAX_PLACES))


def unit_format(places: int, unit: str = "") -> str:
    """A number format: grouped thousands, ``places`` decimals, the unit as a literal."""
    number = "#,##0" + ("." + "0" * places if places else "")
    unit = unit.replace('"', "")
    return f'{number} "{unit}"' if unit else number


def percent_format(places: int = 0) -> str:
    return "0" + ("." + "0" * places if places else "") + "%"


class SheetWriter:
    """Writes rows into a worksheet: text as text, numbers with their formats."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 0

    def write(
        self,
        cells: Sequence[Cell],
        formats: Sequence[str | None] = (),
        *,
        bold: bool = False,
        header: bool = False,
    ) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415 - optional, imported when used

        self.row += 1
        for index, value in enumerate(cells, start=1):
            cell = self.sheet.cell(row=self.row, column=index)
            number_format = formats[index - 1] if index - 1 < len(formats) else None
            if isinstance(value, Decimal):
                number = spreadsheet_number(value)
                cell.value = number
                if isinstance(number, str):
                    cell.data_type = "s"
                    cell.alignment = Alignment(horizontal="right")
                elif number_format:
                    cell.number_format = number_format
            elif isinstance(value, str):
                cell.value = _clean(value)
                cell.data_type = "s"  # never a formula, whatever it starts with
            elif isinstance(value, dt.date):
                cell.value = value
                cell.number_format = number_format or "yyyy-mm-dd"
            else:
                cell.value = value
                if number_format and value is not None:
                    cell.number_format = number_format
            if bold or header:
                cell.font = Font(bold=True)
            if header:
                cell.fill = PatternFill("solid", fgColor="EEF2F6")
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    def skip(self) -> None:
        self.row += 1

    def widths(self, widths: Sequence[int]) -> None:
        from openpyxl.utils import get_column_letter  # noqa: PLC0415 - optional, imported when used

        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width


def sheet_name(book: Workbook, wanted: str) -> str:
    """A sheet name a spreadsheet accepts (31 characters, none of ``[]:*?/\\``), unique."""
    base = _SHEET_NAME_BAD.sub(" ", _clean(wanted)).strip().strip("'")[:31] or "Sheet"
    name, number = base, 1
    while name in book.sheetnames:
        number += 1
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
    return name


def new_sheet(book: Workbook, title: str) -> SheetWriter:
    return SheetWriter(book.create_sheet(sheet_name(book, title)))


def bounded_format(number_format: str, bound: bool, t: Labels) -> str:
    """``number_format`` with "at least" around the number, in the report's language,
    for a level the source gives only a lower bound of: the cell stays a number."""
    if not bound:
        return number_format
    before, _, after = t._("at least {amount}").replace('"', "").partition("{amount}")
    quoted = (f'"{before}"' if before else "") + number_format
    return quoted + (f' "{after}"' if after else "")


def amount_cells(money: Money | None, t: Labels, bound: bool = False) -> tuple[Cell, str | None]:
    """An amount in its own scale (``766`` formatted ``#,##0 "тыс. GBP"``)."""
    if money is None:
        return None, None
    scaled, word = scale_word(money.amount)
    unit = t.unit(Unit(SCALE_POWERS.get(word, 0), money.currency))
    return scaled, bounded_format(unit_format(places_of(scaled), unit), bound, t)


def date_format_for(t: Labels) -> str:
    return "yyyy-mm-dd" if t.lang == "en" else "dd.mm.yyyy"
