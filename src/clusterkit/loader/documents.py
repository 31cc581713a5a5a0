"""Datasets from JSON and TOML documents, and back to JSON.

A dataset is a directory (or a single file). Each JSON or TOML file at its top
level holds any of the dataset's collections under their names (``clusters``,
``programmes``, ``series``, ...) and one of them the ``dataset`` table describing
it. ``participants/<cluster-id>.csv`` files add participants to a cluster (see
:mod:`clusterkit.loader.participants_csv`).

Every problem is collected, not just the first, and reported as a
:class:`~clusterkit.diagnostics.Diagnostic` naming the file and data path; the
functions raise :class:`~clusterkit.diagnostics.DiagnosticError` with all of them.
Codes (documented in docs/diagnostics.md): ``D102`` syntax, ``D103`` an invalid
value, ``D104`` an unknown key, ``D105`` a missing field, ``D106`` a broken
reference, ``D107`` no dataset information; ``D101`` comes from
:mod:`~clusterkit.loader.files` and ``D108`` from the CSV reader.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Span
from clusterkit.loader.collect import BUILTIN_TYPES, Collector, finish, read_record_files
from clusterkit.loader.files import atomic_write, data_error, data_files, read_text
from clusterkit.loader.participants_csv import read_participants_folder
from clusterkit.model import Dataset
from clusterkit.schema import DEFAULT_SCHEMA, Schema, SchemaConflictError
from clusterkit.serde import DataError, unstructure

__all__ = [
    "dataset_from_document",
    "dump_dataset",
    "load_dataset",
    "parse_document",
    "save_dataset",
]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DataError(f"key {key!r} appears twice in one object")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise DataError(f"{name} is not a number clusterkit accepts")


def parse_document(text: str, shown: str, problems: list[Diagnostic]) -> Any:
    """Parse JSON or TOML text (by the file's suffix) with every number exact.

    A byte-order mark (Windows editors write one) is ignored; a document nested
    deeper than the parser can go is refused rather than crashing it.
    """
    try:
        return _parse(text.removeprefix("\ufeff"), shown, problems)
    except RecursionError:
        problems.append(
            data_error(codes.DATA_SYNTAX, shown, "nested too deeply to be a dataset file")
        )
        return None


def _parse(text: str, shown: str, problems: list[Diagnostic]) -> Any:
    if shown.endswith(".toml"):
        try:
            return tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            span = Span.point(shown, int(match[1]), int(match[2])) if match else None
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            problems.append(
                data_error(codes.DATA_SYNTAX, shown, f"not valid TOML: {message}", span=span)
            )
            return None
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except json.JSONDecodeError as exc:
        span = Span.point(shown, exc.lineno, exc.colno)
        problems.append(
            data_error(codes.DATA_SYNTAX, shown, f"not valid JSON: {exc.msg}", span=span)
        )
    except DataError as exc:
        problems.append(data_error(codes.DATA_SYNTAX, shown, str(exc)))
    return None


def load_dataset(path: str | os.PathLike[str], *, schema: Schema | None = None) -> Dataset:
    """Load a dataset directory or file; raise :class:`DiagnosticError` listing every problem.

    The data is checked against ``schema`` (the declarations of the rules that will
    read it) together with the schema files the dataset names itself
    (``dataset.schema``); with neither, against the built-in model.
    """
    root = Path(path)
    files = data_files(root)
    problems: list[Diagnostic] = []
    documents = []
    for file in files:
        shown = str(file)
        text = read_text(file, shown, problems)
        document = None if text is None else parse_document(text, shown, problems)
        if document is not None:
            documents.append((document, shown))
    schema = _dataset_schema(documents, root if root.is_dir() else root.parent, schema, problems)
    extra = read_participants_folder(root, problems, schema) if root.is_dir() else {}
    # Clusters whose CSV file has errors would report every missing participant again.
    quiet = {cid for cid, (shown, _) in extra.items() if any(d.file == shown for d in problems)}
    collector = Collector(schema, problems, extra, quiet)
    if root.is_dir():
        read_record_files(root, collector)
    for document, shown in documents:
        collector.read_document(document, shown)
    collector.orphan_csv_files()
    return finish(collector, str(root))


def _dataset_schema(
    documents: list[tuple[Any, str]],
    folder: Path,
    given: Schema | None,
    problems: list[Diagnostic],
) -> Schema:
    """The schema the data is checked against: the given one and the dataset's own."""
    schema = given or DEFAULT_SCHEMA
    for document, shown in documents:
        info = document.get("dataset") if isinstance(document, dict) else None
        named = info.get("schema") if isinstance(info, dict) else None
        if not named:
            continue
        if not isinstance(named, list) or not all(isinstance(n, str) for n in named):
            problems.append(
                data_error(
                    codes.DATA_INVALID,
                    shown,
                    "schema is a list of rule files (*.ckr)",
                    path="dataset.schema",
                )
            )
            continue
        own = schema_from_files(
            [Path(os.path.normpath(folder / n)) for n in named], shown, problems
        )
        try:
            schema = schema.merged(own)
        except SchemaConflictError as exc:
            problems.extend(
                data_error(codes.DATA_INVALID, shown, message, path="dataset.schema")
                for message in exc.problems
            )
    return schema


def dataset_from_document(
    document: Any,
    shown: str,
    base: Dataset | None = None,
    *,
    append: bool = False,
    schema: Schema | None = None,
) -> Dataset:
    """A dataset from already-parsed data (as a JSON or TOML file would hold it).

    With ``base``, the collections ``document`` gives replace the base's (or, with
    ``append``, are added after them) and the rest are kept; this is how rule tests
    state just the data a case is about. Problems are reported against ``shown`` and
    raise :class:`DiagnosticError`. The data is checked against ``schema`` (default:
    ``base``'s, else the built-in model).
    """
    chosen = schema or (base.schema if base is not None else DEFAULT_SCHEMA)
    collector = Collector(chosen)
    collector.read_document(document, shown)
    return finish(collector, shown, base, append)


def schema_from_files(paths: list[Path], shown: str, problems: list[Diagnostic]) -> Schema:
    """The schema rule files declare (their ``kind``, ``extend`` and ``unit`` items)."""
    # The rules language reads the loader's files; it is imported only when a dataset
    # names schema files.
    program = importlib.import_module("clusterkit.lang.program")
    schema, found = program.declared_schema(paths)
    for diagnostic in found:
        problems.append(diagnostic if diagnostic.file else attrs.evolve(diagnostic, file=shown))
    result: Schema = schema
    return result


def dump_dataset(dataset: Dataset) -> str:
    """The dataset as JSON text, numbers as exact strings, empty collections left out."""
    data: dict[str, Any] = {"dataset": unstructure(dataset.info)}
    for name in BUILTIN_TYPES:
        items = getattr(dataset, name)
        if items:
            data[name] = unstructure(items)
    for name in dataset.records:
        if dataset.records_of(name):
            data[name] = unstructure(list(dataset.records_of(name)))
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def save_dataset(dataset: Dataset, path: str | os.PathLike[str]) -> None:
    """Write the dataset as one JSON file, atomically: a crash leaves the old file intact."""
    target = Path(path)
    atomic_write(target, dump_dataset(dataset))
