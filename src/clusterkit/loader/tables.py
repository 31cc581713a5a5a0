"""Tables in a dataset, from CSV files and spreadsheet sheets: one row per item.

A table's columns are its items' fields, as the schema says (:func:`shape`): the
participants of a cluster, the records of a kind a schema declares, and the built-in
collections whose items are flat (``regions``, ``sectors``, ``observations``,
``rates``, ``obligations``, ``figures``, ``benchmarks``). A localized field fills the
columns ``<field>_ru``, ``<field>_kk`` and ``<field>_en``; a list is written in one
cell with ``|`` between its items.

Cells are converted by the column's type before the items are built, in
:mod:`clusterkit.loader.cells`.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from decimal import Decimal
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Severity, Span
from clusterkit.messages import join, msg
from clusterkit.model import KINDS, Dataset, Participant
from clusterkit.model.common import LocalizedText
from clusterkit.model.dataset import COLLECTIONS
from clusterkit.money import Money
from clusterkit.schema import FieldType, KindDecl, Schema
from clusterkit.units import Measure, Unit

__all__ = [
    "BUILTIN_TYPES",
    "PARTICIPANTS",
    "PARTICIPANT_COLUMNS",
    "Cell",
    "Column",
    "NumberCell",
    "Row",
    "Shape",
    "Table",
    "cell_name",
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
    _columns: tuple[int, dict[str, int]] | None = attrs.field(
        default=None, init=False, eq=False, repr=False
    )

    def column_number(self, column: str | None) -> int:
        """The 1-based number of the (first) column of that name, or 1 if there is none;
        looked up in a table of the header, so that a wide table's many problems stay
        cheap."""
        if self._columns is None or self._columns[0] != len(self.header):
            numbers: dict[str, int] = {}
            for number, name in enumerate(self.header, start=1):
                numbers.setdefault(name, number)
            self._columns = (len(self.header), numbers)
        if column is None:
            return 1
        return self._columns[1].get(column, 1)

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
        index = self.column_number(column)
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
