"""Reading back what the xlsx reporter wrote, with the cell types checked."""

from __future__ import annotations

import datetime as dt

from openpyxl.cell.cell import Cell, MergedCell


def date_in(cell: Cell | MergedCell) -> dt.date:
    """The date an xlsx cell holds: a cell with a date format, whose value openpyxl
    reads back as a datetime (a spreadsheet has no dates without a time)."""
    assert isinstance(cell, Cell)
    assert cell.is_date
    assert isinstance(cell.value, dt.datetime)
    return cell.value.date()


def text_in(cell: Cell | MergedCell) -> str:
    """The text an xlsx cell holds."""
    assert isinstance(cell.value, str), cell.value
    return cell.value
