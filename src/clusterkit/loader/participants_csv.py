"""Participants lists as agencies keep them: ``participants/<cluster-id>.csv``.

Columns: :data:`CSV_COLUMNS` (``name_ru``/``name_kk``/``name_en`` fill the localized
name), plus a column for each participant field the schema declares. Every problem
names the file, line, column and the column's name (code ``D108``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.loader.csv_tables import read_table, row_problem
from clusterkit.loader.structure import Structurer
from clusterkit.model import Participant
from clusterkit.schema import DEFAULT_SCHEMA, Schema

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
_ALWAYS_REQUIRED = ("id", "role", "region", "member_from")


def read_participants_csv(
    path: str | os.PathLike[str],
    *,
    shown: str | None = None,
    problems: list[Diagnostic] | None = None,
    schema: Schema = DEFAULT_SCHEMA,
) -> tuple[Participant, ...]:
    """Read a participants CSV file (columns :data:`CSV_COLUMNS`, header row first).

    With ``problems`` given, problems are appended to it and the valid rows returned;
    without, a :class:`DiagnosticError` is raised if there is any problem.
    """
    name = shown or str(path)
    sink: list[Diagnostic] = [] if problems is None else problems
    start = len(sink)
    declared = schema.extension_fields("participant")
    columns = [*CSV_COLUMNS, *(n for n in declared if n not in CSV_COLUMNS)]
    required = (
        *_ALWAYS_REQUIRED,
        *(n for n, f in declared.items() if f.required and n not in _ALWAYS_REQUIRED),
    )
    header, rows = read_table(
        Path(path), name, sink, known=set(columns).__contains__, columns=columns, required=required
    )
    out: list[Participant] = []
    structurer = Structurer(schema)
    for row in rows:
        cells = row.cells
        record: dict[str, Any] = {
            key: value
            for key, value in cells.items()
            if value and not key.startswith("name_") and key != "sample"
        }
        record["name"] = {
            lang: cells[f"name_{lang}"] for lang in ("ru", "kk", "en") if cells.get(f"name_{lang}")
        }
        if cells.get("sample"):
            record["sample"] = cells["sample"].lower() in ("1", "true", "yes", "y")
        before = len(structurer.problems)
        participant = structurer.build(record, Participant, "")
        for where, message, code in structurer.problems[before:]:
            sink.append(row_problem(name, header, row, (where, message, code)))
        if participant is not None:
            out.append(participant)
    if problems is None and len(sink) > start:
        raise DiagnosticError(sink)
    return tuple(out)


def read_participants_folder(
    root: Path, problems: list[Diagnostic], schema: Schema = DEFAULT_SCHEMA
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
            read_participants_csv(csv_file, shown=shown, problems=problems, schema=schema),
        )
    return found
