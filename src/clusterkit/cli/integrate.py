"""Commands for integrators: ``schema`` and ``serve``; and SARIF output for ``lint``.

The JSON Schemas, the HTTP server and the web framework are imported when a command
runs, not when the CLI starts.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import click

from clusterkit import codes
from clusterkit._version import __version__
from clusterkit.cli.common import EXIT_INPUT, fail, print_diagnostics
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity
from clusterkit.i18n import choose_lang
from clusterkit.i18n import local as _
from clusterkit.messages import msg, render

if TYPE_CHECKING:
    from clusterkit.schema import Schema

__all__ = ["COMMANDS", "print_sarif", "sarif", "schema", "serve"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


@click.command()
@click.argument(
    "name", type=click.Choice(["data", "results", "report", "diagnostics"]), default="data"
)
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=str),
    help="Rule files or folders whose declared kinds and fields the data schema adds "
    "(the other schemas do not depend on them).",
)
@click.option(
    "--data",
    "data_path",
    default=None,
    type=click.Path(path_type=str),
    help="A dataset (folder or file) whose own schema files (its 'dataset.schema') the "
    "data schema adds, as the loader reads them.",
)
def schema(name: str, rules: tuple[str, ...], data_path: str | None) -> None:
    """Print a JSON Schema (2020-12): a data file, results, the JSON report or diagnostics.

    The data schema is the built-in model's, with what --rules declare and what the
    dataset given with --data declares for itself: the schema its files are checked against.
    """
    from clusterkit.jsonschema import build, dumps, shipped

    if name != "data" or (not rules and data_path is None):
        click.echo(dumps(shipped(name)), nl=False)
        return
    declared, problems = _declared(rules, data_path)
    if problems:
        print_diagnostics(problems)
    if declared is None or any(p.is_error for p in problems):
        sys.exit(EXIT_INPUT)
    click.echo(dumps(build(name, declared)), nl=False)


def _declared(
    rules: tuple[str, ...], data_path: str | None
) -> tuple[Schema | None, list[Diagnostic]]:
    """What the rule files declare, merged with the schema files the dataset names."""
    from clusterkit.lang.program import declared_schema
    from clusterkit.schema import DEFAULT_SCHEMA

    schema, problems = declared_schema(rules) if rules else (DEFAULT_SCHEMA, [])
    if data_path is None:
        return schema, problems
    # The loader's own reading of 'dataset.schema' (paths from the dataset's folder,
    # conflicts with the rules' declarations), so the schema is the one it checks against.
    from clusterkit.loader.documents import dataset_schema, parse_document
    from clusterkit.loader.files import list_dataset, read_text

    try:
        listing = list_dataset(Path(data_path))
    except DiagnosticError as exc:
        return None, [*problems, *exc.diagnostics]
    problems.extend(listing.problems)
    documents = []
    for file in listing.documents:
        text = read_text(file, str(file), problems)
        document = None if text is None else parse_document(text, str(file), problems)
        if document is not None:
            documents.append((document, str(file)))
    if not any(isinstance(d, dict) and "dataset" in d for d, _ in documents):
        problems.append(
            Diagnostic(
                codes.DATA_NO_INFO,
                Severity.ERROR,
                msg(
                    "no file holds the dataset information (the 'dataset' table, whose "
                    "'schema' names the files that declare what the data may hold)"
                ),
                file=data_path,
            )
        )
        return None, problems
    return dataset_schema(documents, listing.folder, schema, problems), problems


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="The port to listen on.",
)
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=str),
    help="Rule files or folders to load at start (named in requests by their ids).",
)
@click.option(
    "--store",
    "store_url",
    default=None,
    help="The store to read runs from (sqlite://PATH, jsondir://PATH); default "
    "$CLUSTERKIT_STORE, else none.",
)
def serve(host: str, port: int, rules: tuple[str, ...], store_url: str | None) -> None:
    """Serve the HTTP API: POST /evaluate, GET /rulebooks, GET /runs/ID, GET /openapi.json.

    Needs the 'server' extra (pip install 'clusterkit[server]').
    """
    try:
        import starlette  # noqa: F401 - the extra's web framework
        import uvicorn
    except ImportError:
        fail(_("the server needs the 'server' extra: pip install 'clusterkit[server]'"))
    from clusterkit.server import Service, create_app

    try:
        service = Service(rules, store_url or os.environ.get("CLUSTERKIT_STORE"))
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics)
        sys.exit(EXIT_INPUT)
    if service.store_url is not None:
        # A store that cannot be opened is said now, not at the first request for runs.
        from clusterkit.plugins import StoreError, open_store

        try:
            open_store(service.store_url).close()
        except StoreError as exc:
            service.close()
            fail(str(exc))
    refused = _cannot_listen(host, port)
    if refused is not None:
        service.close()
        fail(
            _("cannot listen on {host}:{port}: {reason}").format(
                host=host, port=port, reason=refused
            )
        )
    click.echo(
        _("serving on http://{host}:{port} (OpenAPI: /openapi.json)").format(
            host=f"[{host}]" if ":" in host else host, port=port
        ),
        err=True,
    )
    try:
        uvicorn.run(create_app(service), host=host, port=port, log_level="warning")
    finally:
        service.close()


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (an address that does not
    resolve, a port in use or not allowed), or None if it can: said before the server
    starts, which would otherwise stop with a traceback and the status of a bug."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind(address)
    except (OSError, UnicodeError) as exc:
        return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return None


# -- SARIF -------------------------------------------------------------------------------


def _uri(file: str) -> dict[str, str]:
    path = Path(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": "%SRCROOT%"}


def _result(diagnostic: Diagnostic, index: dict[str, int], lang: str) -> dict[str, Any]:
    shown = diagnostic.localized(lang)
    text = shown.message
    if shown.hint:
        text += render(msg(" (hint: {hint})", hint=shown.hint), lang)
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "level": _LEVELS[diagnostic.severity],
        "message": {"text": text},
    }
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    span = diagnostic.span
    file = span.file if span is not None else diagnostic.file
    if file:
        location: dict[str, Any] = {"artifactLocation": _uri(file)}
        if span is not None:
            location["region"] = {
                "startLine": span.line,
                "startColumn": span.column,
                "endLine": span.end_line,
                "endColumn": span.end_column,
            }
        result["locations"] = [{"physicalLocation": location}]
    if diagnostic.path:
        result["properties"] = {"path": diagnostic.path}
    return result


def sarif(diagnostics: Sequence[Diagnostic], lang: str = "en") -> dict[str, Any]:
    """Diagnostics as a SARIF 2.1.0 log: one run of the tool ``clusterkit``, whose rules
    are the diagnostic codes (docs/diagnostics.md); messages in ``lang``."""
    from clusterkit.codes import MEANINGS

    rules = [
        {
            "id": code,
            "shortDescription": {"text": meaning},
            "defaultConfiguration": {"level": "warning" if code.startswith("W") else "error"},
        }
        for code, meaning in MEANINGS.items()
    ]
    index = {code: i for i, code in enumerate(MEANINGS)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "clusterkit",
                        "version": __version__,
                        "informationUri": "https://example.invalid/clusterkit/docs",
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index, lang) for d in diagnostics],
            }
        ],
    }


def print_sarif(diagnostics: Sequence[Diagnostic], lang: str | None = None) -> None:
    """Print diagnostics as SARIF 2.1.0 on standard output, messages in ``lang`` (else
    the locale's language)."""
    click.echo(json.dumps(sarif(diagnostics, choose_lang(lang)), ensure_ascii=False, indent=2))


#: The commands of this module, added to the ``clusterkit`` group.
COMMANDS: tuple[click.Command, ...] = (schema, serve)
