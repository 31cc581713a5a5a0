"""Tables in a dataset, from CSV files and spreadsheet sheets: one row per item.

A table's columns are its items' fields, as the schema says (:func:`shape`): the
participants of a cluster, the records of a kind a schema declares, and the built-in
collections whose items are flat (``regions``, ``sectors``, ``observations``,
``rates``, ``obligations``, ``figures``, ``benchmarks``). A localized field fills the
columns ``<field>_ru``, ``<field>_kk`` and ``<field>_en``; a list is written in one
cell with ``|`` between its items.

Cells are converted by the column's type before the items are built
(:func:`row_record`): spreadsheets' numbers, dates and yes/no values are taken as they
are, text as people write it in a spreadsheet (``01.03.2017``, ``ИСТИНА``, a decimal
comma where the table uses one). Every problem names the file and the row and column
(CSV: ``file:line:column``; spreadsheet: the sheet and the cell, ``participants!B4``),
and the column's name.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Severity, Span
from clusterkit.messages import join, msg, text_of
from clusterkit.model import KINDS, Dataset, Participant
from clusterkit.model.common import LocalizedText
from clusterkit.model.dataset import COLLECTIONS
from clusterkit.money import Money
from clusterkit.numbers import NumberFormatError, from_decimal_comma, parse_decimal
from clusterkit.schema import FieldType, KindDecl, Schema
from clusterkit.units import Measure, Unit

__all__ = [
    "BUILTIN_TYPES",
    "PARTICIPANTS",
    "PARTICIPANT_COLUMNS",
    "Cell",
    "CellError",
    "Column",
    "NumberCell",
    "Row",
    "Shape",
    "Table",
    "cell_name",
    "check_header",
    "column_of",
    "convert",
    "item_problem",
    "row_record",
    "shape",
    "why_not_a_table",
]

#: The name of the participants table (a sheet, or the files in ``participants/``).
PARTICIPANTS = "participants"
#: The languages of localized text, in the order their columns are listed.
LANGS = ("ru", "kk", "en")
#: Each built-in collection and the model class of its items.
BUILTIN_TYPES: dict[str, type] = {
    name: typing.get_args(hint)[0]
    for name, hint in typing.get_type_hints(Dataset).items()
    if name in COLLECTIONS
}


@attrs.frozen
class NumberCell:
    """A spreadsheet's number, already exact.

    Attributes:
        value: the number (None when the cell's value is not an exact decimal).
        text: the number as the cell shows it where text is expected (an integer
            formatted ``000000000000`` keeps its leading zeros).
        error: why the value is not exact, when it is not.
    """

    value: Decimal | None
    text: str
    error: str | None = None


#: A cell's value: text (every CSV cell), or a spreadsheet's number, date, date and
#: time, time, duration or yes/no. Empty cells are left out of a row.
Cell = str | bool | NumberCell | dt.date | dt.datetime | dt.time | dt.timedelta


@attrs.frozen
class Column:
    """A column of a table: the field it fills and how its cells are read.

    Attributes:
        name: the column's header.
        field: the item's field (for a localized field, the language is ``lang``).
        kind: ``text``, ``number``, ``integer``, ``date``, ``bool`` or ``amount`` (a
            number with a unit or a currency, ``112.1 mln KZT``).
        lang: the language of a localized field's column.
        many: a list, its items separated by ``|``.
    """

    name: str
    field: str
    kind: str
    lang: str | None = None
    many: bool = False


@attrs.frozen
class Shape:
    """What a table holds.

    Attributes:
        name: ``participants`` or the collection's name.
        columns: the columns it may have.
        required: groups of columns of which the header must have at least one.
        cls: the built-in model class of its items (None for a declared kind).
        kind: the declared kind of its items (None for a built-in collection).
        owner: a column naming each item's owner rather than a field of it (the
            ``cluster`` of a participant in a spreadsheet's participants sheet).
    """

    name: str
    columns: tuple[Column, ...]
    required: tuple[tuple[str, ...], ...]
    cls: type | None = None
    kind: KindDecl | None = None
    owner: str | None = None

    _by_name: dict[str, Column] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})

    def column(self, name: str) -> Column | None:
        return self._by_name.get(name)

    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@attrs.frozen
class Row:
    """One data row: its number (1 = the first after the header), the line (CSV) or the
    sheet row (spreadsheet) it starts on, and its non-empty cells by column name."""

    number: int
    line: int
    cells: dict[str, Cell]


def cell_name(column: int, row: int) -> str:
    """A spreadsheet's name for a cell: ``cell_name(2, 4) == "B4"``."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def _sheet_ref(sheet: str) -> str:
    return sheet if re.fullmatch(r"\w+", sheet) else "'" + sheet.replace("'", "''") + "'"


@attrs.define
class Table:
    """A table read from a file: a CSV file, or one sheet of a spreadsheet.

    Attributes:
        shown: the file's name as the user sees it.
        header: the column names, in order (the first is column 1, or A).
        rows: the data rows.
        sheet: the sheet's name, for a spreadsheet.
        header_line: the line or sheet row of the header.
        decimal_comma: whether numbers in text cells are written with a decimal comma.
    """

    shown: str
    header: list[str]
    rows: list[Row]
    sheet: str | None = None
    header_line: int = 1
    decimal_comma: bool = False

    def problem(
        self,
        message: str,
        row: Row | None = None,
        column: str | None = None,
        *,
        code: str = codes.DATA_CSV,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Diagnostic:
        """A problem at a row's cell (or at the header, or with the whole table): the
        span is the line (CSV) or the sheet row, and the column's number; the path is
        ``rows[N].column`` in a CSV file and ``sheet!B4`` in a spreadsheet, which the
        message starts with."""
        line = self.header_line if row is None else row.line
        index = self.header.index(column) + 1 if column in self.header else 1
        span = Span.point(self.shown, line, index)
        if self.sheet is None:
            path = None if row is None else f"rows[{row.number}]"
            if path is not None and column is not None:
                path += f".{column}"
            return Diagnostic(code, severity, message, self.shown, path, span, hint)
        if row is None and column is None:
            path = _sheet_ref(self.sheet)
            message = msg("sheet {sheet!r}: {message}", sheet=self.sheet, message=message)
            return Diagnostic(code, severity, message, self.shown, path, span, hint)
        path = f"{_sheet_ref(self.sheet)}!{cell_name(index, line)}"
        message = join([path, message], ": ")
        return Diagnostic(code, severity, message, self.shown, path, span, hint)


# -- shapes -------------------------------------------------------------------------------

#: The columns of a participants table, in the order hints list them.
PARTICIPANT_COLUMNS = (
    "id",
    "bin",
    "role",
    "region",
    "oked",
    "member_from",
    "member_until",
    "name_ru",
    "name_kk",
    "name_en",
    "sample",
)
_PARTICIPANT_REQUIRED = ("id", "role", "region", "member_from")
_NESTED = msg("its items have nested parts, so it is read from JSON or TOML files only")


def _unwrap(hint: Any) -> Any:
    """``X`` for ``X | None``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _scalar_kind(hint: Any) -> str | None:
    if hint is bool:
        return "bool"
    if hint is int:
        return "integer"
    if hint is Decimal:
        return "number"
    if hint in (Money, Measure):
        return "amount"
    if hint is dt.date:
        return "date"
    if hint is str or (isinstance(hint, type) and issubclass(hint, enum.Enum)):
        return "text"
    if hint is Unit:
        return "text"
    return None


def _builtin_columns(cls: type) -> list[Column] | None:
    """The columns of a built-in class's table, or None if its items are not flat."""
    hints = typing.get_type_hints(cls)
    columns: list[Column] = []
    for attribute in attrs.fields(cls):
        if attribute.name == "extra":
            continue
        hint = _unwrap(hints[attribute.name])
        if hint is LocalizedText:
            columns.extend(
                Column(f"{attribute.name}_{lang}", attribute.name, "text", lang) for lang in LANGS
            )
            continue
        many = typing.get_origin(hint) is tuple
        kind = _scalar_kind(typing.get_args(hint)[0] if many else hint)
        if kind is None:
            return None
        columns.append(Column(attribute.name, attribute.name, kind, many=many))
    return columns


def _declared_kind(field: FieldType) -> tuple[str, bool]:
    """A declared type's column kind, and whether it is a list."""
    if field.kind == "list" and field.item is not None:
        return _declared_kind(field.item)[0], True
    kinds = {"money": "amount", "number": "number", "percent": "number", "date": "date"}
    return kinds.get(field.kind, "bool" if field.kind == "bool" else "text"), False


def _with_declared(columns: list[Column], schema: Schema, kind: str) -> list[Column]:
    """Built-in columns, retyped and added to by the fields a schema declares."""
    out = list(columns)
    for name, field in schema.extension_fields(kind).items():
        column_kind, many = _declared_kind(field.type)
        column = Column(name, name, column_kind, many=many)
        existing = [i for i, c in enumerate(out) if c.name == name]
        if existing:
            out[existing[0]] = column
        else:
            out.append(column)
    return out


def shape(name: str, schema: Schema, *, owner: str | None = None) -> Shape | None:
    """The shape of the table ``name`` (``participants`` or a collection), or None if
    no table holds it (see :func:`why_not_a_table`). ``owner`` adds a column naming each
    item's owner (``cluster``, for a participants sheet)."""
    if name == PARTICIPANTS:
        columns = _builtin_columns(Participant) or []
        columns = _with_declared(columns, schema, "participant")
        order = {n: i for i, n in enumerate(PARTICIPANT_COLUMNS)}
        columns.sort(key=lambda c: order.get(c.name, len(order)))
        declared = schema.extension_fields("participant")
        required = [
            *_PARTICIPANT_REQUIRED,
            *(n for n, f in declared.items() if f.required and n not in _PARTICIPANT_REQUIRED),
        ]
        if owner is not None:
            columns.insert(0, Column(owner, owner, "text"))
            required.insert(0, owner)
        return Shape(name, tuple(columns), tuple((r,) for r in required), Participant, None, owner)
    declared_kind = schema.kind_of_collection(name)
    if declared_kind is not None:
        return _declared_shape(declared_kind)
    cls = BUILTIN_TYPES.get(name)
    if cls is None:
        return None
    found = _builtin_columns(cls)
    if found is None:
        return None
    kind = next((k for k, c in KINDS.items() if c is cls), None)
    columns = _with_declared(found, schema, kind) if kind else found
    return Shape(name, tuple(columns), _required(cls, columns, schema, kind), cls)


def _required(
    cls: type, columns: list[Column], schema: Schema, kind: str | None
) -> tuple[tuple[str, ...], ...]:
    required: list[tuple[str, ...]] = []
    for attribute in attrs.fields(cls):
        if attribute.name == "extra" or attribute.default is not attrs.NOTHING:
            continue
        names = tuple(c.name for c in columns if c.field == attribute.name)
        if names:
            required.append(names)
    if kind is not None:
        required.extend(
            (n,)
            for n, f in schema.extension_fields(kind).items()
            if f.required and (n,) not in required
        )
    return tuple(required)


def _declared_shape(kind: KindDecl) -> Shape:
    columns: list[Column] = []
    required: list[tuple[str, ...]] = []
    if kind.id_scheme is not None or kind.id_required:
        columns.append(Column("id", "id", "text"))
        if kind.id_required:
            required.append(("id",))
    if kind.parent is not None:
        columns.append(Column(kind.parent, kind.parent, "text"))
        required.append((kind.parent,))
    for field in kind.fields:
        column_kind, many = _declared_kind(field.type)
        columns.append(Column(field.name, field.name, column_kind, many=many))
        if field.required:
            required.append((field.name,))
    return Shape(kind.collection, tuple(columns), tuple(required), None, kind)


def why_not_a_table(name: str, schema: Schema) -> str:
    """Why a table named ``name`` is not read (for the warning)."""
    if name in BUILTIN_TYPES or schema.kind_of_collection(name) is not None:
        return join([repr(name), _NESTED], ": ")
    known = sorted(
        n
        for n in [PARTICIPANTS, *BUILTIN_TYPES, *(k.collection for k in schema.kinds)]
        if n == PARTICIPANTS or shape(n, schema) is not None
    )
    return msg(
        "{name!r} is not a table of this dataset (tables: {tables})",
        name=name,
        tables=", ".join(known),
    )


# -- reading cells ----------------------------------------------------------------------


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


def check_header(table: Table, table_shape: Shape, problems: list[Diagnostic]) -> bool:
    """Whether the table's header fits the shape: every column known, the required ones
    there, no column named twice; problems go to ``problems``."""
    good = True
    seen: set[str] = set()
    names = table_shape.names()
    for name in table.header:
        if name == "":
            continue  # an unnamed column, checked to be empty by the readers
        if table_shape.column(name) is None:
            problems.append(
                table.problem(
                    msg("unknown column {name!r}", name=name),
                    None,
                    name,
                    hint=msg("columns: {names}", names=", ".join(names)),
                )
            )
            good = False
        elif name in seen:
            problems.append(
                table.problem(msg("column {name!r} appears twice", name=name), None, name)
            )
            good = False
        seen.add(name)
    for group in table_shape.required:
        if not any(n in table.header for n in group):
            missing = join([repr(n) for n in group], msg(" or "))
            problems.append(
                table.problem(msg("required column {missing} is missing", missing=missing))
            )
            good = False
    return good
