"""CSV tables in a dataset: a header row of column names, then one row per record.

``participants/<cluster-id>.csv`` adds participants to a cluster (see
:mod:`clusterkit.loader.participants_csv`); ``<collection>.csv`` at the top of a
dataset's folder holds the records of a kind a schema declares (``cost_items.csv``),
its columns the kind's fields. Every problem names the file, line and column and the
column's name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Span
from clusterkit.loader.files import data_error, read_text

__all__ = ["Row", "read_table", "row_problem"]


@attrs.frozen
class Row:
    """One data row: its number (1 = first after the header), its line, its cells."""

    number: int
    line: int
    cells: dict[str, str]


def read_table(
    path: Path,
    shown: str,
    problems: list[Diagnostic],
    *,
    known: Callable[[str], bool] = lambda _name: True,
    columns: list[str] | None = None,
    required: tuple[str, ...] = (),
) -> tuple[list[str], Iterator[Row]]:
    """The header and the rows of a CSV file; problems with the file or its header go
    to ``problems`` (and then there are no rows). ``known`` says whether a column
    name is one the table may have; ``columns`` lists them for the hint."""
    text = read_text(path, shown, problems)
    if text is None:
        return [], iter(())
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.append(data_error(codes.DATA_CSV, shown, "empty file: expected a header row"))
        return [], iter(())
    bad = False
    for column, name in enumerate(header, start=1):
        if not known(name):
            problems.append(
                data_error(
                    codes.DATA_CSV,
                    shown,
                    f"unknown column {name!r}",
                    span=Span.point(shown, 1, column),
                    hint=("columns: " + ", ".join(columns)) if columns else None,
                )
            )
            bad = True
    for name in required:
        if name not in header:
            problems.append(
                data_error(
                    codes.DATA_CSV,
                    shown,
                    f"required column {name!r} is missing",
                    span=Span.point(shown, 1, 1),
                )
            )
            bad = True
    if bad:
        return header, iter(())
    return header, _rows(reader, header, shown, problems)


def _rows(reader: Any, header: list[str], shown: str, problems: list[Diagnostic]) -> Iterator[Row]:
    for number, row in enumerate(reader, start=1):
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                data_error(
                    codes.DATA_CSV,
                    shown,
                    f"row has {len(row)} cells, the header {len(header)}",
                    path=f"rows[{number}]",
                    span=Span.point(shown, line, 1),
                )
            )
            continue
        yield Row(number, line, dict(zip(header, (c.strip() for c in row), strict=True)))


def row_problem(
    shown: str, header: list[str], row: Row, problem: tuple[str, str, str]
) -> Diagnostic:
    """A problem ``(where, message, code)`` in a row's cell: the path ``rows[N].column``
    and the cell's line and column, the message saying which column it is."""
    where, message, code = problem
    column_name = where.split(".", maxsplit=1)[0].split("[", maxsplit=1)[0]
    column = header.index(column_name) + 1 if column_name in header else 1
    if column_name in header and not message.startswith(column_name):
        message = f"{column_name}: {message}"
    return data_error(
        codes.DATA_CSV if code == codes.DATA_INVALID else code,
        shown,
        message,
        path=f"rows[{row.number}].{where}",
        span=Span.point(shown, row.line, column),
    )
