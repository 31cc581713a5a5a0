"""Reading a table's cells into its items' fields, by the column's type.

Spreadsheets' numbers, dates and yes/no values are taken as they are; text as people
write it in a spreadsheet (``01.03.2017``, ``ИСТИНА``, a decimal comma where the table
uses one). Every problem names the file and the row and column (CSV:
``file:line:column``; spreadsheet: the sheet and the cell, ``participants!B4``), and
the column's name. What the columns are is :mod:`clusterkit.loader.tables`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic
from clusterkit.loader.tables import (
    Cell,
    Column,
    NumberCell,
    Row,
    Shape,
    Table,
)
from clusterkit.messages import join, msg, text_of
from clusterkit.numbers import NumberFormatError, from_decimal_comma, parse_decimal

__all__ = [
    "CellError",
    "check_header",
    "column_of",
    "convert",
    "item_problem",
    "row_record",
]


class CellError(ValueError):
    """A cell's value does not fit its column; the message is shown to the user."""


_BOOL_WORDS = {
    "true": True,
    "yes": True,
    "y": True,
    "1": True,
    "да": True,
    "истина": True,
    "ақиқат": True,
    "false": False,
    "no": False,
    "n": False,
    "0": False,
    "нет": False,
    "ложь": False,
    "жалған": False,
}
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def _describe(cell: Cell) -> str:
    if isinstance(cell, bool):
        return msg("a yes/no value")
    if isinstance(cell, NumberCell):
        return msg("the number {number}", number=cell.text)
    if isinstance(cell, dt.datetime):
        return msg("a date and time")
    if isinstance(cell, dt.date):
        return msg("a date")
    if isinstance(cell, dt.time):
        return msg("a time of day")
    if isinstance(cell, dt.timedelta):
        return msg("a duration")
    return repr(cell)


def _number(cell: Cell, decimal_comma: bool) -> Decimal | str:
    if isinstance(cell, NumberCell):
        if cell.value is None:
            raise CellError(cell.error or msg("{text} is not an exact number", text=cell.text))
        return cell.value
    if isinstance(cell, str):
        return _comma(cell) if decimal_comma else cell
    raise CellError(msg("expected a number, got {got}", got=_describe(cell)))


def _comma(text: str) -> str:
    try:
        return from_decimal_comma(text)
    except NumberFormatError as exc:
        raise CellError(text_of(exc)) from None


def _date(cell: Cell) -> dt.date | str:
    if isinstance(cell, dt.datetime):
        if cell.time() != dt.time():
            raise CellError(
                msg("expected a date, got a date and time ({value})", value=cell.isoformat(" "))
            )
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, str):
        match = _DOTTED_DATE.match(cell)
        if match is None:
            return cell
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise CellError(
                msg("{cell!r} is not a date that exists (DD.MM.YYYY)", cell=cell)
            ) from None
    raise CellError(
        msg("expected a date (YYYY-MM-DD or DD.MM.YYYY), got {got}", got=_describe(cell))
    )


def _bool(cell: Cell) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, NumberCell) and cell.value in (0, 1):
        return cell.value == 1
    if isinstance(cell, str) and cell.strip().lower() in _BOOL_WORDS:
        return _BOOL_WORDS[cell.strip().lower()]
    raise CellError(
        msg("expected yes or no (true/false, 1/0, да/нет), got {got}", got=_describe(cell))
    )


def _text(cell: Cell) -> str:
    if isinstance(cell, str):
        return cell
    if isinstance(cell, NumberCell):
        return cell.text
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, dt.datetime) and cell.time() == dt.time():
        return cell.date().isoformat()
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    raise CellError(msg("expected text, got {got}", got=_describe(cell)))


def convert(cell: Cell, column: Column, decimal_comma: bool) -> Any:
    """A cell's value as its column's field takes it; :class:`CellError` if it does not fit."""
    if column.many:
        items: Iterable[Cell] = (
            [part.strip() for part in cell.split("|")] if isinstance(cell, str) else [cell]
        )
        return [_one(item, column.kind, decimal_comma) for item in items]
    return _one(cell, column.kind, decimal_comma)


def _one(cell: Cell, kind: str, decimal_comma: bool) -> Any:
    if kind in ("number", "amount"):
        if kind == "amount" and isinstance(cell, str):
            return _comma(cell) if decimal_comma else cell
        return _number(cell, decimal_comma)
    if kind == "integer":
        value = _number(cell, decimal_comma)
        if isinstance(value, str):
            try:
                value = parse_decimal(value)
            except NumberFormatError as exc:
                raise CellError(text_of(exc)) from None
        return value
    if kind == "date":
        return _date(cell)
    if kind == "bool":
        return _bool(cell)
    return _text(cell)


def row_record(
    table: Table, row: Row, table_shape: Shape, problems: list[Diagnostic]
) -> dict[str, Any] | None:
    """The raw item a row describes (as a JSON object would), or None if a cell does not
    fit its column (the problems added to ``problems``)."""
    raw: dict[str, Any] = {}
    good = True
    for localized in table_shape.columns:
        if (
            localized.lang is not None
            and localized.name in table.header
            and _localized_required(table_shape, localized.field)
        ):
            raw.setdefault(localized.field, {})
    for name, cell in row.cells.items():
        column = table_shape.column(name)
        if column is None:
            continue
        try:
            value = convert(cell, column, table.decimal_comma)
        except CellError as exc:
            problems.append(table.problem(join([name, text_of(exc)], ": "), row, name))
            good = False
            continue
        if column.lang is not None:
            raw.setdefault(column.field, {})[column.lang] = value
        else:
            raw[column.field] = value
    return raw if good else None


def _localized_required(table_shape: Shape, field: str) -> bool:
    """Whether a localized field must be given (then its value is built even when each
    of its cells is empty, so that the model says what it needs)."""
    if table_shape.cls is None:
        return False
    attribute = attrs.fields_dict(table_shape.cls).get(field)
    return attribute is not None and attribute.default is attrs.NOTHING


def column_of(table: Table, table_shape: Shape, where: str) -> str | None:
    """The column a problem at the item path ``where`` (``name.ru``, ``bin``) is in."""
    first, _, rest = where.partition(".")
    field = first.split("[", maxsplit=1)[0]
    candidates = [c for c in table_shape.columns if c.field == field and c.name in table.header]
    if not candidates:
        return None
    if candidates[0].lang is not None:
        lang = rest.split(".", maxsplit=1)[0]
        for column in candidates:
            if column.lang == lang:
                return column.name
    return candidates[0].name


def item_problem(
    table: Table, table_shape: Shape, row: Row, problem: tuple[str, str, str]
) -> Diagnostic:
    """A problem ``(where, message, code)`` found building a row's item, at its cell,
    the message saying which column it is."""
    where, message, code = problem
    column = column_of(table, table_shape, where)
    if column is not None and not message.startswith(column):
        message = join([column, message], ": ")
    return table.problem(
        message, row, column, code=codes.DATA_CSV if code == codes.DATA_INVALID else code
    )


#: How many unknown columns of one header are named one by one; the rest are counted.
MAX_UNKNOWN_COLUMNS = 20


def check_header(table: Table, table_shape: Shape, problems: list[Diagnostic]) -> bool:
    """Whether the table's header fits the shape: every column known, the required ones
    there, no column named twice; problems go to ``problems``."""
    good = True
    seen: set[str] = set()
    twice: set[str] = set()
    unknown = 0
    names = table_shape.names()
    for name in table.header:
        if name == "":
            continue  # an unnamed column, checked to be empty by the readers
        if name in seen:
            # Each name once: a header of a million copies of one name is one problem.
            if table_shape.column(name) is not None and name not in twice:
                problems.append(
                    table.problem(msg("column {name!r} appears twice", name=name), None, name)
                )
            twice.add(name)
            good = False
            continue
        seen.add(name)
        if table_shape.column(name) is None:
            unknown += 1
            good = False
            if unknown > MAX_UNKNOWN_COLUMNS:
                continue
            problems.append(
                table.problem(
                    msg("unknown column {name!r}", name=name),
                    None,
                    name,
                    hint=msg("columns: {names}", names=", ".join(names)),
                )
            )
    if unknown > MAX_UNKNOWN_COLUMNS:
        more = unknown - MAX_UNKNOWN_COLUMNS
        problems.append(table.problem(msg("{count} more unknown columns", count=more)))
    for group in table_shape.required:
        if not any(n in table.header for n in group):
            missing = join([repr(n) for n in group], msg(" or "))
            problems.append(
                table.problem(msg("required column {missing} is missing", missing=missing))
            )
            good = False
    return good
