"""Datasets from JSON and TOML documents, and back to JSON.

A dataset is a directory (or a single file). Each JSON or TOML file at its top
level holds any of the dataset's collections under their names (``clusters``,
``programmes``, ``series``, ...) and one of them the ``dataset`` table describing
it. Tables in the folder (CSV files and spreadsheets) add participants and the items
of flat collections (see :mod:`clusterkit.loader.folder`); everything else in it is
named in a ``D109`` warning.

Loading goes in stages, each a module: the text of each file parsed
(:mod:`~clusterkit.loader.parse`), the schema the data is checked against
(:mod:`~clusterkit.loader.dataset_schema`), the collections of every file gathered
(:mod:`~clusterkit.loader.collect`), then assembled into one dataset whose references
are checked (:mod:`~clusterkit.loader.assemble`). This module runs them, and writes a
dataset back as JSON.

Every problem is collected, not just the first, and reported as a
:class:`~clusterkit.diagnostics.Diagnostic` naming the file and data path; the
functions raise :class:`~clusterkit.diagnostics.DiagnosticError` with all of them.
Codes (documented in docs/diagnostics.md): ``D102`` syntax, ``D103`` an invalid
value, ``D104`` an unknown key, ``D105`` a missing field, ``D106`` a broken
reference, ``D107`` no dataset information; ``D101`` and ``D109`` come from
:mod:`~clusterkit.loader.files` and :mod:`~clusterkit.loader.folder`, ``D108`` from the
readers of tables.
"""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path
from typing import Any

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.loader.assemble import finish
from clusterkit.loader.collect import BUILTIN_TYPES, EMBEDDED_SCHEMA, Collector
from clusterkit.loader.csv_tables import CsvOptions
from clusterkit.loader.dataset_schema import dataset_schema, embedded_schema, merge_schema
from clusterkit.loader.files import (
    DOCUMENT_SUFFIXES,
    EXPECTED_DATASET,
    RULES_HINT,
    Listing,
    atomic_write,
    data_error,
    list_dataset,
    read_text,
)
from clusterkit.loader.folder import read_tables
from clusterkit.loader.parse import parse_document
from clusterkit.messages import join, msg
from clusterkit.model import Dataset
from clusterkit.model.dataset import require_dataset
from clusterkit.schema import DEFAULT_SCHEMA, Schema, require_schema, schema_to_data
from clusterkit.serde import unstructure

__all__ = [
    "dataset_from_document",
    "dataset_schema",
    "dump_dataset",
    "load_dataset",
    "parse_document",
    "save_dataset",
]


def load_dataset(
    path: str | os.PathLike[str],
    *,
    schema: Schema | None = None,
    csv_encoding: str | None = None,
    decimal_comma: bool | None = None,
    warnings: list[Diagnostic] | None = None,
) -> Dataset:
    """Load a dataset directory or file; raise :class:`DiagnosticError` listing every problem.

    The data is checked against ``schema`` (the declarations of the rules that will
    read it) together with the schema files the dataset names itself
    (``dataset.schema``); with neither, against the built-in model.

    ``csv_encoding`` and ``decimal_comma`` say how CSV files are written, over the
    dataset's own ``csv_encoding`` and ``csv_decimal_comma`` (default: detected; see
    :mod:`clusterkit.loader.csv_tables`). Warnings (a file in the folder that is not
    read) are added to ``warnings`` when the dataset loads, and are among the
    diagnostics of the error when it does not.
    """
    require_schema(schema, "load_dataset")
    if csv_encoding is not None and not _is_codec(csv_encoding):
        raise ValueError(f"{csv_encoding!r} is not an encoding Python knows")
    root = Path(path)
    listing = list_dataset(root)
    problems: list[Diagnostic] = list(listing.problems)
    documents = []
    for file in listing.documents:
        shown = str(file)
        text = read_text(file, shown, problems)
        document = None if text is None else parse_document(text, shown, problems)
        if document is not None:
            documents.append((document, shown))
    _refuse_what_is_not_a_dataset(listing, documents)
    named: list[Path] = []
    schema = dataset_schema(documents, listing.folder, schema, problems, named)
    options = _csv_options(documents, csv_encoding, decimal_comma, problems)
    collector = Collector(schema, problems)
    if listing.folder is listing.root:
        read_tables(listing, collector, options, named)
    for document, shown in documents:
        collector.read_document(document, shown)
    collector.orphan_participants()
    dataset = finish(collector, str(root))
    if warnings is not None:
        warnings.extend(p for p in problems if not p.is_error)
    return dataset


def _refuse_what_is_not_a_dataset(listing: Listing, documents: list[tuple[Any, str]]) -> None:
    """Say what was expected rather than report each problem of what is not a dataset:
    a file named alone that is one part of a dataset (its references to the other parts
    would all be broken), or a folder of rules and their tests."""
    if not documents or any(isinstance(d, dict) and "dataset" in d for d, _ in documents):
        return
    root = listing.root
    if listing.holds_rules:
        raise DiagnosticError(
            [
                data_error(
                    codes.DATA_NO_INFO,
                    str(root),
                    msg("holds rule files (*.ckr) and no dataset information: not a dataset"),
                    hint=join([msg("expected {what}", what=EXPECTED_DATASET), RULES_HINT], "; "),
                )
            ]
        )
    if listing.folder is root:
        return
    others = [p for p in _siblings(root) if p.suffix in DOCUMENT_SUFFIXES and p != root]
    if not others:
        return  # a lone file: the usual "no dataset information" says what it lacks
    raise DiagnosticError(
        [
            data_error(
                codes.DATA_NO_INFO,
                str(root),
                msg(
                    "holds no dataset information: it is one file of the dataset in "
                    "{folder}, not a dataset on its own",
                    folder=str(root.parent),
                ),
                hint=msg("give the folder; expected {what}", what=EXPECTED_DATASET),
            )
        ]
    )


def _siblings(root: Path) -> list[Path]:
    try:
        return list(root.parent.iterdir())
    except OSError:
        return []


def _csv_options(
    documents: list[tuple[Any, str]],
    encoding: str | None,
    decimal_comma: bool | None,
    problems: list[Diagnostic],
) -> CsvOptions:
    """How the dataset's CSV files are read: as given, else as its ``dataset`` table says."""
    for document, shown in documents:
        info = document.get("dataset") if isinstance(document, dict) else None
        if not isinstance(info, dict):
            continue
        named = info.get("csv_encoding")
        if named is not None:
            if not isinstance(named, str) or not _is_codec(named):
                problems.append(
                    data_error(
                        codes.DATA_INVALID,
                        shown,
                        msg("{named!r} is not an encoding clusterkit knows", named=named),
                        path="dataset.csv_encoding",
                        hint=msg("for example utf-8, cp1251, kz1048"),
                    )
                )
            elif encoding is None:
                encoding = named
        comma = info.get("csv_decimal_comma")
        if comma is not None:
            if not isinstance(comma, bool):
                problems.append(
                    data_error(
                        codes.DATA_INVALID,
                        shown,
                        msg("expected true or false"),
                        path="dataset.csv_decimal_comma",
                    )
                )
            elif decimal_comma is None:
                decimal_comma = comma
    return CsvOptions(encoding, decimal_comma)


def _is_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


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
    ``base``'s, else the built-in model) together with the declarations the document
    embeds (``dataset.declarations``, as :func:`dump_dataset` writes them).
    """
    chosen = schema or (base.schema if base is not None else DEFAULT_SCHEMA)
    problems: list[Diagnostic] = []
    embedded = embedded_schema(document, shown, problems)
    if embedded is not None:
        chosen = merge_schema(chosen, embedded, shown, EMBEDDED_SCHEMA, problems)
    collector = Collector(chosen, problems)
    collector.read_document(document, shown)
    return finish(collector, shown, base, append)


def dump_dataset(dataset: Dataset) -> str:
    """The dataset as JSON text, numbers as exact strings, empty collections left out.

    The text stands alone: the declarations of the dataset's schema are embedded in
    its ``dataset`` table (``declarations``, format ``clusterkit.schema/1``), so it is
    read back without the rule files they were declared in.
    """
    require_dataset(dataset, "dump_dataset")
    info: dict[str, Any] = unstructure(dataset.info)
    if not dataset.schema.is_default:
        info[EMBEDDED_SCHEMA] = schema_to_data(dataset.schema)
    data: dict[str, Any] = {"dataset": info}
    for name in BUILTIN_TYPES:
        items = getattr(dataset, name)
        if items:
            data[name] = unstructure(items)
    for name in dataset.records:
        if dataset.records_of(name):
            data[name] = unstructure(list(dataset.records_of(name)))
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def save_dataset(dataset: Dataset, path: str | os.PathLike[str]) -> None:
    """Write the dataset as one JSON file (:func:`dump_dataset`), atomically: a crash
    leaves the old file intact. The file loads from any folder: its schema is embedded."""
    target = Path(path)
    atomic_write(target, dump_dataset(dataset))
