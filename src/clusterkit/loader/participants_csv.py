"""Participants CSV files, in the column layout agencies keep (see :data:`CSV_COLUMNS`).

A dataset directory may hold ``participants/<cluster-id>.csv`` files; each adds
participants to that cluster. Problems in them are reported with line and column:

- ``D108``: a problem in a participants CSV file.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from cattrs.errors import BaseValidationError

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Span
from clusterkit.loader.files import data_error, read_text
from clusterkit.model import InvalidFieldsError, Participant
from clusterkit.serde import DataError, structure, structure_errors

__all__ = ["CSV_COLUMNS", "read_participants_csv", "read_participants_folder"]

#: Columns of a participants CSV file; ``name_*`` columns fill the localized name.
CSV_COLUMNS = (
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
_CSV_REQUIRED = ("id", "bin", "role", "region", "oked", "member_from")


def read_participants_csv(
    path: str | os.PathLike[str],
    *,
    shown: str | None = None,
    problems: list[Diagnostic] | None = None,
) -> tuple[Participant, ...]:
    """Read a participants CSV file (columns :data:`CSV_COLUMNS`, header row first).

    With ``problems`` given, problems are appended to it and the valid rows returned;
    without, a :class:`DiagnosticError` is raised if there is any problem.
    """
    name = shown or str(path)
    sink: list[Diagnostic] = [] if problems is None else problems
    start = len(sink)
    text = read_text(Path(path), name, sink)
    rows: list[Participant] = []
    if text is not None:
        rows = _parse_csv(text, name, sink)
    if problems is None and len(sink) > start:
        raise DiagnosticError(sink)
    return tuple(rows)


def read_participants_folder(
    root: Path, problems: list[Diagnostic]
) -> dict[str, tuple[str, tuple[Participant, ...]]]:
    """Participants from ``participants/<cluster-id>.csv``, by cluster id, with each file's name."""
    folder = root / "participants"
    if not folder.is_dir():
        return {}
    found: dict[str, tuple[str, tuple[Participant, ...]]] = {}
    for csv_file in sorted(folder.glob("*.csv")):
        shown = str(csv_file)
        found[csv_file.stem] = (
            shown,
            read_participants_csv(csv_file, shown=shown, problems=problems),
        )
    return found


def _parse_csv(text: str, shown: str, problems: list[Diagnostic]) -> list[Participant]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.append(data_error(codes.DATA_CSV, shown, "empty file: expected a header row"))
        return []
    bad = False
    for column, name in enumerate(header, start=1):
        if name not in CSV_COLUMNS:
            problems.append(
                data_error(
                    codes.DATA_CSV,
                    shown,
                    f"unknown column {name!r}",
                    span=Span.point(shown, 1, column),
                    hint="columns: " + ", ".join(CSV_COLUMNS),
                )
            )
            bad = True
    for name in _CSV_REQUIRED:
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
        return []
    out: list[Participant] = []
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
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        record: dict[str, Any] = {
            key: cells[key] for key in ("id", "bin", "role", "region", "oked", "member_from")
        }
        if cells.get("member_until"):
            record["member_until"] = cells["member_until"]
        record["name"] = {
            lang: cells[f"name_{lang}"] for lang in ("ru", "kk", "en") if cells.get(f"name_{lang}")
        }
        if cells.get("sample"):
            record["sample"] = cells["sample"].lower() in ("1", "true", "yes", "y")
        try:
            out.append(structure(record, Participant))
        except (BaseValidationError, InvalidFieldsError, DataError, ValueError) as exc:
            for where, message in structure_errors(exc, ""):
                column_name = where.split(".")[0]
                column = header.index(column_name) + 1 if column_name in header else 1
                problems.append(
                    data_error(
                        codes.DATA_CSV,
                        shown,
                        message,
                        path=f"rows[{number}].{where}",
                        span=Span.point(shown, line, column),
                    )
                )
    return out
