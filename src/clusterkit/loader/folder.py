"""The tables in a dataset's folder, and a warning for everything in it that is not read.

Read, besides the JSON and TOML documents:

- ``participants/<cluster-id>.csv`` or ``.xlsx``: a cluster's participants;
- ``<collection>.csv`` at the top: a flat collection's items (``regions.csv``,
  ``observations.csv``, a declared kind's ``cost_items.csv``); ``participants.csv``
  there holds participants of any cluster, with a ``cluster`` column;
- ``*.xlsx`` at the top: each sheet named like a table (``participants`` with a
  ``cluster`` column, or a flat collection); in ``<collection>.xlsx`` the first sheet,
  whatever its name, holds that collection unless it is named like another table.

Everything else in the folder (and in ``participants/``) is named in a ``D109``
warning saying why it is not read; names starting with ``.`` are hidden and skipped.
"""

from __future__ import annotations

from pathlib import Path

from clusterkit.diagnostics import Diagnostic
from clusterkit.loader.collect import Collector
from clusterkit.loader.csv_tables import CsvOptions, read_csv
from clusterkit.loader.files import RULE_SUFFIX, Listing, entry_problem, not_read, outside
from clusterkit.loader.participants_csv import participants_of_table, read_table_file
from clusterkit.loader.tables import PARTICIPANTS, Shape, Table, shape, why_not_a_table
from clusterkit.messages import msg

__all__ = ["read_tables"]

#: The folder of participants files, and the column naming a participant's cluster.
PARTICIPANTS_FOLDER = "participants"
OWNER = "cluster"
_READ = msg(".json, .toml, .csv and .xlsx files")
_OTHER_SPREADSHEETS = (".xls", ".xlsm", ".xlsb", ".ods", ".numbers")


def read_tables(
    listing: Listing, collector: Collector, options: CsvOptions, schema_files: list[Path]
) -> None:
    """Read the tables of a dataset folder into ``collector``; warn of every other entry."""
    schema_files = [r for r in map(_resolved, schema_files) if r is not None]
    for entry in listing.others:
        shown = str(entry)
        if entry.name == PARTICIPANTS_FOLDER and entry.is_dir():
            _participants_folder(entry, collector, options)
            continue
        why = _skipped(entry, schema_files)
        if why is not None:
            if why:
                collector.problems.append(not_read(shown, why))
            continue
        suffix = entry.suffix.lower()
        if suffix == ".csv":
            _csv_file(entry, collector, options)
        elif suffix == ".xlsx":
            _workbook(entry, collector)


def _resolved(path: Path) -> Path | None:
    """The path with its links followed, or None for a loop of links (which the entry's
    own problem then names)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def _skipped(entry: Path, schema_files: list[Path]) -> str | None:
    """Why an entry is not read ("" to skip it without a word), or None to read it."""
    suffix = entry.suffix.lower()
    if entry.name.startswith("~$"):
        return msg("a spreadsheet program's lock file (the workbook is open)")
    resolved = _resolved(entry)
    if resolved is not None and (
        resolved in schema_files
        or (entry.is_dir() and any(p.is_relative_to(resolved) for p in schema_files))
    ):
        return ""  # read as the dataset's schema
    problem = entry_problem(entry)
    if suffix in (".csv", ".xlsx"):
        return problem
    if problem == "is a directory":
        if entry.name.lower() == PARTICIPANTS_FOLDER:
            return msg(
                "a folder; participants are read from {folder}/ (lower case)",
                folder=PARTICIPANTS_FOLDER,
            )
        return msg("a folder; clusterkit reads the files at the top of a dataset folder")
    if problem is not None:
        return problem
    if suffix == RULE_SUFFIX:
        return msg(
            "a rule file; a dataset reads the declarations of the rule files its 'schema' lists"
        )
    if entry.name == PARTICIPANTS_FOLDER:
        return msg(
            "a file; participants are read from the folder {folder}/", folder=PARTICIPANTS_FOLDER
        )
    if suffix in _OTHER_SPREADSHEETS:
        return msg("clusterkit reads spreadsheets saved as .xlsx; save it as .xlsx or .csv")
    return msg("clusterkit reads {files}", files=_READ)


def _csv_file(path: Path, collector: Collector, options: CsvOptions) -> None:
    name = path.stem
    if name == PARTICIPANTS:
        table_shape = shape(PARTICIPANTS, collector.schema, owner=OWNER)
    else:
        table_shape = shape(name, collector.schema)
    if table_shape is None:
        collector.problems.append(not_read(str(path), why_not_a_table(name, collector.schema)))
        return
    before = len(collector.problems)
    table = read_csv(path, str(path), collector.problems, options)
    if table is not None:
        _read(table, table_shape, collector, before)


def _read(
    table: Table, table_shape: Shape, collector: Collector, before: int, cluster: str | None = None
) -> None:
    """Read a table into the collector; ``before`` is how many problems there were before
    its file was read (a participants file with problems quiets its cluster's)."""
    if table_shape.name != PARTICIPANTS:
        collector.read_table(table, table_shape)
        return
    rows = participants_of_table(table, table_shape, collector.schema, collector.problems)
    collector.add_participants(table, table_shape, rows, cluster, before)


def _participants_folder(folder: Path, collector: Collector, options: CsvOptions) -> None:
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        reason = msg("permission denied") if isinstance(exc, PermissionError) else exc.strerror
        collector.problems.append(not_read(str(folder), msg("cannot be listed: {why}", why=reason)))
        return
    table_shape = shape(PARTICIPANTS, collector.schema)
    assert table_shape is not None
    for entry in entries:
        shown = str(entry)
        if entry.name.startswith("."):
            continue
        escapes = outside(entry, folder.parent)
        if escapes is not None:
            collector.problems.append(escapes)
            continue
        suffix = entry.suffix.lower()
        if entry.name.startswith("~$"):
            collector.problems.append(not_read(shown, _skipped(entry, []) or ""))
            continue
        if suffix not in (".csv", ".xlsx"):
            why = entry_problem(entry) or msg("a participants file is <cluster-id>.csv or .xlsx")
            if why == "is a directory":
                why = msg("a folder; participants files are at the top of participants/")
            collector.problems.append(not_read(shown, why))
            continue
        problem = entry_problem(entry)
        if problem is not None:
            collector.problems.append(not_read(shown, problem))
            continue
        if suffix == ".xlsx":
            _warn_other_sheets(entry, collector)
        before = len(collector.problems)
        table = read_table_file(entry, shown, collector.problems, options)
        if table is None:  # unreadable: its cluster is named all the same
            collector.add_participants(Table(shown, [], []), table_shape, None, entry.stem, before)
        else:
            _read(table, table_shape, collector, before, entry.stem)


def _warn_other_sheets(path: Path, collector: Collector) -> None:
    from clusterkit.loader.xlsx import open_workbook  # noqa: PLC0415 - openpyxl is optional

    problems: list[Diagnostic] = []
    book = open_workbook(path, str(path), problems)
    if book is None:
        return  # reported when the first sheet is read
    try:
        for sheet in book.sheet_names[1:]:
            if book.table(sheet, problems) is not None:
                collector.problems.append(
                    not_read(
                        str(path),
                        msg(
                            "sheet {sheet!r}: a participants file's first sheet is read",
                            sheet=sheet,
                        ),
                        path=sheet,
                    )
                )
    finally:
        book.close()


def _workbook(path: Path, collector: Collector) -> None:
    from clusterkit.loader.xlsx import open_workbook  # noqa: PLC0415 - openpyxl is optional

    shown = str(path)
    book = open_workbook(path, shown, collector.problems)
    if book is None:
        return
    schema = collector.schema
    try:
        for index, sheet in enumerate(book.sheet_names):
            table_shape = _sheet_shape(sheet, collector)
            if table_shape is None and index == 0:
                table_shape = _sheet_shape(path.stem, collector)
            before = len(collector.problems)
            table = book.table(sheet, collector.problems)
            if table is None:
                continue  # an empty sheet
            if table_shape is None:
                why = why_not_a_table(sheet, schema)
                collector.problems.append(not_read(shown, msg("sheet {why}", why=why), path=sheet))
                continue
            _read(table, table_shape, collector, before)
    finally:
        book.close()


def _sheet_shape(name: str, collector: Collector) -> Shape | None:
    if name == PARTICIPANTS:
        return shape(PARTICIPANTS, collector.schema, owner=OWNER)
    return shape(name, collector.schema)
