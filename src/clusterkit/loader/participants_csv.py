"""Participants lists as agencies keep them: ``participants/<cluster-id>.csv`` (or
``.xlsx``), or a ``participants`` sheet with a ``cluster`` column in a dataset's
spreadsheet.

Columns: :data:`CSV_COLUMNS` (``name_ru``/``name_kk``/``name_en`` fill the localized
name), plus a column for each participant field the schema declares. Every problem
names the file, line and column (or sheet and cell) and the column's name (``D108``).
"""

from __future__ import annotations

import os
from pathlib import Path

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.loader.cells import (
    check_header,
    item_problem,
    row_record,
)
from clusterkit.loader.csv_tables import DETECT, CsvOptions, read_csv
from clusterkit.loader.files import data_error
from clusterkit.loader.structure import Structurer
from clusterkit.loader.tables import (
    PARTICIPANT_COLUMNS,
    PARTICIPANTS,
    Row,
    Shape,
    Table,
    shape,
)
from clusterkit.messages import msg
from clusterkit.model import Participant
from clusterkit.schema import DEFAULT_SCHEMA, Schema

__all__ = [
    "CSV_COLUMNS",
    "ParticipantRow",
    "participants_of_table",
    "read_participants_csv",
    "read_table_file",
]

#: Columns of a participants CSV file; ``name_*`` columns fill the localized name.
CSV_COLUMNS = PARTICIPANT_COLUMNS

#: A participant read from a table: the row, the cluster the row names (in a sheet
#: with a ``cluster`` column), and the participant.
ParticipantRow = tuple[Row, str | None, Participant]


def read_table_file(
    path: Path, shown: str, problems: list[Diagnostic], options: CsvOptions = DETECT
) -> Table | None:
    """A CSV file, or a spreadsheet's first sheet, as a table."""
    if path.suffix.lower() != ".xlsx":
        return read_csv(path, shown, problems, options)
    from clusterkit.loader.xlsx import open_workbook  # noqa: PLC0415 - openpyxl is optional

    book = open_workbook(path, shown, problems)
    if book is None:
        return None
    before = len(problems)
    try:
        table = book.table(book.sheet_names[0], problems) if book.sheet_names else None
    finally:
        book.close()
    if table is None and len(problems) == before:
        problems.append(
            data_error(codes.DATA_CSV, shown, msg("empty sheet: expected a header row"))
        )
    return table


def participants_of_table(
    table: Table, table_shape: Shape, schema: Schema, problems: list[Diagnostic]
) -> list[ParticipantRow] | None:
    """The participants a table's rows describe (None if its header is wrong); each
    problem goes to ``problems`` and its row is left out."""
    if not check_header(table, table_shape, problems):
        return None
    out: list[ParticipantRow] = []
    structurer = Structurer(schema)
    for row in table.rows:
        raw = row_record(table, row, table_shape, problems)
        if raw is None:
            continue
        owner = None
        if table_shape.owner is not None:
            owner = raw.pop(table_shape.owner, None)
        before = len(structurer.problems)
        participant = structurer.build(raw, Participant, "")
        for problem in structurer.problems[before:]:
            problems.append(item_problem(table, table_shape, row, problem))
        if participant is not None:
            out.append((row, owner if isinstance(owner, str) else None, participant))
    return out


def read_participants_csv(
    path: str | os.PathLike[str],
    *,
    shown: str | None = None,
    problems: list[Diagnostic] | None = None,
    schema: Schema = DEFAULT_SCHEMA,
    options: CsvOptions = DETECT,
) -> tuple[Participant, ...]:
    """Read a participants CSV file (columns :data:`CSV_COLUMNS`, header row first), or
    the first sheet of an ``.xlsx`` file.

    With ``problems`` given, problems are appended to it and the valid rows returned;
    without, a :class:`DiagnosticError` is raised if there is any problem.
    """
    name = shown or str(path)
    sink: list[Diagnostic] = [] if problems is None else problems
    start = len(sink)
    table = read_table_file(Path(path), name, sink, options)
    table_shape = shape(PARTICIPANTS, schema)
    assert table_shape is not None
    rows = participants_of_table(table, table_shape, schema, sink) if table is not None else None
    if problems is None and len(sink) > start:
        raise DiagnosticError(sink)
    return tuple(p for _, _, p in rows or ())
