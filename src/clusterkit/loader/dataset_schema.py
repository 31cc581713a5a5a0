"""The schema a dataset's data is checked against: the one given (the declarations of
the rules that will read it), merged with the dataset's own, either embedded in its
``dataset`` table (``dataset.declarations``, as a saved dataset holds it) or declared in
the rule files its ``schema`` list names. Read before any of the data."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.loader.collect import EMBEDDED_SCHEMA
from clusterkit.loader.files import RULE_SUFFIX, data_error
from clusterkit.messages import msg
from clusterkit.schema import (
    DEFAULT_SCHEMA,
    Schema,
    SchemaConflictError,
    SchemaFormatError,
    schema_from_data,
)

__all__ = ["dataset_schema", "embedded_schema", "merge_schema", "schema_from_files"]


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
            embedded = embedded_schema(document, shown, problems)
            if embedded is not None:
                schema = merge_schema(schema, embedded, shown, EMBEDDED_SCHEMA, problems)
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
            schema = merge_schema(schema, own, shown, "schema", problems)
    return schema


def merge_schema(
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


def embedded_schema(document: Any, shown: str, problems: list[Diagnostic]) -> Schema | None:
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
