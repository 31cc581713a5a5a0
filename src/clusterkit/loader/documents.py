"""Datasets from JSON and TOML documents, and back to JSON.

A dataset is a directory (or a single file). Each JSON or TOML file at its top
level holds any of the dataset's collections under their names (``clusters``,
``programmes``, ``series``, ...) and one of them the ``dataset`` table describing
it. Tables in the folder (CSV files and spreadsheets) add participants and the items
of flat collections (see :mod:`clusterkit.loader.folder`); everything else in it is
named in a ``D109`` warning.

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
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Span
from clusterkit.loader.collect import BUILTIN_TYPES, EMBEDDED_SCHEMA, Collector, finish
from clusterkit.loader.csv_tables import CsvOptions
from clusterkit.loader.files import (
    DOCUMENT_SUFFIXES,
    EXPECTED_DATASET,
    RULE_SUFFIX,
    RULES_HINT,
    Listing,
    atomic_write,
    data_error,
    list_dataset,
    read_text,
)
from clusterkit.loader.folder import read_tables
from clusterkit.messages import join, msg, text_of
from clusterkit.model import Dataset
from clusterkit.schema import (
    DEFAULT_SCHEMA,
    Schema,
    SchemaConflictError,
    SchemaFormatError,
    schema_from_data,
    schema_to_data,
)
from clusterkit.serde import DataError, unstructure

__all__ = [
    "dataset_from_document",
    "dataset_schema",
    "dump_dataset",
    "load_dataset",
    "parse_document",
    "save_dataset",
]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DataError(msg("key {key!r} appears twice in one object", key=key))
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise DataError(msg("{name} is not a number clusterkit accepts", name=name))


def parse_document(text: str, shown: str, problems: list[Diagnostic]) -> Any:
    """Parse JSON or TOML text (by the file's suffix) with every number exact.

    A byte-order mark (Windows editors write one) is ignored; a document nested
    deeper than the parser can go is refused rather than crashing it.
    """
    try:
        return _parse(text.removeprefix("\ufeff"), shown, problems)
    except RecursionError:
        problems.append(
            data_error(codes.DATA_SYNTAX, shown, msg("nested too deeply to be a dataset file"))
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
                data_error(
                    codes.DATA_SYNTAX, shown, msg("not valid TOML: {why}", why=message), span=span
                )
            )
            return None
    try:
        document = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
        if document is None:  # `null`, which would otherwise pass for an unread file
            top = msg("the top level must be an object of collections")
            problems.append(data_error(codes.DATA_INVALID, shown, top))
        return document
    except json.JSONDecodeError as exc:
        span = Span.point(shown, exc.lineno, exc.colno)
        problems.append(
            data_error(
                codes.DATA_SYNTAX, shown, msg("not valid JSON: {why}", why=exc.msg), span=span
            )
        )
    except DataError as exc:
        problems.append(data_error(codes.DATA_SYNTAX, shown, text_of(exc)))
    return None


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


def dataset_schema(
    documents: list[tuple[Any, str]],
    folder: Path,
    given: Schema | None,
    problems: list[Diagnostic],
    files: list[Path] | None = None,
) -> Schema:
    """The schema the data is checked against: the given one and the dataset's own
    (whose files are added to ``files``).

    A document that embeds its declarations (``dataset.declarations``, as
    :func:`save_dataset` writes them) is checked against those; the files its
    ``schema`` lists are where they were declared, and are not read again.
    """
    schema = given or DEFAULT_SCHEMA
    for document, shown in documents:
        info = document.get("dataset") if isinstance(document, dict) else None
        named = info.get("schema") if isinstance(info, dict) else None
        if named and (not isinstance(named, list) or not all(isinstance(n, str) for n in named)):
            problems.append(
                data_error(
                    codes.DATA_INVALID,
                    shown,
                    msg("schema is a list of rule files (*.ckr)"),
                    path="dataset.schema",
                )
            )
            named = None
        # The system takes no path with a NUL character; it is refused here, once.
        problems.extend(
            data_error(
                codes.DATA_INVALID,
                shown,
                msg("{name!r} is not a path: it holds a NUL character", name=n),
                path="dataset.schema",
            )
            for n in named or ()
            if "\x00" in n
        )
        paths = [Path(os.path.normpath(folder / n)) for n in named or () if "\x00" not in n]
        rules = [p for p in paths if p.suffix == RULE_SUFFIX]
        if files is not None:
            files.extend(rules)
        if isinstance(info, dict) and EMBEDDED_SCHEMA in info:
            embedded = _embedded_schema(document, shown, problems)
            if embedded is not None:
                schema = _merge_schema(schema, embedded, shown, EMBEDDED_SCHEMA, problems)
        elif paths:
            # Never opened: an error excerpt would show the lines of a file that is not
            # a rule file. The rule files listed are read all the same.
            problems.extend(
                data_error(
                    codes.DATA_INVALID,
                    shown,
                    msg(
                        "{path!r} is not a rule file (*.ckr): a dataset's schema is declared "
                        "in rule files",
                        path=str(p),
                    ),
                    path="dataset.schema",
                )
                for p in paths
                if p.suffix != RULE_SUFFIX
            )
            own = schema_from_files(rules, shown, problems)
            schema = _merge_schema(schema, own, shown, "schema", problems)
    return schema


def _merge_schema(
    schema: Schema, own: Schema, shown: str, key: str, problems: list[Diagnostic]
) -> Schema:
    try:
        return schema.merged(own)
    except SchemaConflictError as exc:
        problems.extend(
            data_error(codes.DATA_INVALID, shown, message, path=f"dataset.{key}")
            for message in exc.problems
        )
    return schema


def _embedded_schema(document: Any, shown: str, problems: list[Diagnostic]) -> Schema | None:
    """The declarations a document embeds in its ``dataset`` table, if it does. A form
    that cannot be read raises :class:`DiagnosticError` at once, with every problem at
    its data path: data read against a schema it was not written for would only give
    more errors that say nothing."""
    info = document.get("dataset") if isinstance(document, dict) else None
    if not isinstance(info, dict) or EMBEDDED_SCHEMA not in info:
        return None
    try:
        return schema_from_data(info[EMBEDDED_SCHEMA])
    except SchemaFormatError as exc:
        base = f"dataset.{EMBEDDED_SCHEMA}"
        problems.extend(
            data_error(
                codes.DATA_INVALID, shown, message, path=f"{base}.{where}" if where else base
            )
            for where, message in exc.problems
        )
        raise DiagnosticError(problems) from None


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
    embedded = _embedded_schema(document, shown, problems)
    if embedded is not None:
        chosen = _merge_schema(chosen, embedded, shown, EMBEDDED_SCHEMA, problems)
    collector = Collector(chosen, problems)
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
    """The dataset as JSON text, numbers as exact strings, empty collections left out.

    The text stands alone: the declarations of the dataset's schema are embedded in
    its ``dataset`` table (``declarations``, format ``clusterkit.schema/1``), so it is
    read back without the rule files they were declared in.
    """
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
