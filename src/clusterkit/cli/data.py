"""Commands about datasets: ``validate``, ``import-participants`` and ``report``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from clusterkit.cli.common import (
    EXIT_INPUT,
    as_of_option,
    data_option,
    date_or_dataset_date,
    evaluate_with_progress,
    fail,
    format_option,
    lang_option,
    load_data,
    no_cache_option,
    print_diagnostics,
    store_option,
)
from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.i18n import choose_lang
from clusterkit.i18n import local as _

__all__ = ["COMMANDS", "import_participants", "report", "validate"]


@click.command()
@click.argument("path", type=click.Path(path_type=str))
@click.option(
    "--schema",
    "schema_files",
    multiple=True,
    type=click.Path(path_type=str),
    help="A rule file (*.ckr) declaring what the data may hold beyond the built-in "
    "model; the dataset's own 'schema' files are read too.",
)
@click.option(
    "--csv-encoding",
    default=None,
    callback=lambda _ctx, _param, value: _encoding(value),
    help="The encoding of the dataset's CSV files (cp1251, ...); default: detected.",
)
@click.option(
    "--decimal-comma/--decimal-point",
    default=None,
    help="Numbers in CSV files have a decimal comma (30,5) or point; default: a comma "
    "in files delimited with ';'.",
)
@format_option
@lang_option
def validate(
    path: str,
    schema_files: tuple[str, ...],
    csv_encoding: str | None,
    decimal_comma: bool | None,
    fmt: str,
    lang: str | None,
) -> None:
    """Load a dataset directory or file, check it, and print a summary."""
    from clusterkit.lang.program import declared_schema
    from clusterkit.loader import load_dataset
    from clusterkit.serde import unstructure
    from clusterkit.summary import summarize

    schema = None
    if schema_files:
        schema, problems = declared_schema(schema_files)
        if any(p.is_error for p in problems):
            print_diagnostics(problems, fmt, lang=lang)
            sys.exit(EXIT_INPUT)
    warnings: list[Diagnostic] = []
    try:
        dataset = load_dataset(
            path,
            schema=schema,
            csv_encoding=csv_encoding,
            decimal_comma=decimal_comma,
            warnings=warnings,
        )
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics, fmt, source="data", lang=lang)
        sys.exit(EXIT_INPUT)
    summary = summarize(dataset)
    if fmt == "json":
        diagnostics = [w.to_json(choose_lang(lang)) for w in warnings]
        click.echo(
            json.dumps(
                {"summary": unstructure(summary), "diagnostics": diagnostics},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        if warnings:
            print_diagnostics(warnings, source="data", lang=lang)
        click.echo(summary.render(choose_lang(lang)))


def _encoding(name: str | None) -> str | None:
    import codecs

    if name is not None:
        try:
            codecs.lookup(name)
        except LookupError:
            raise click.BadParameter(f"{name!r} is not an encoding Python knows") from None
    return name


@click.command("import-participants")
@click.argument("csv_file", type=click.Path(path_type=str))
@click.option(
    "--schema",
    "schema_files",
    multiple=True,
    type=click.Path(path_type=str),
    help="A rule file (*.ckr) declaring the participants' fields beyond the built-in "
    "model (another identifier than the BIN, fields of its own).",
)
@lang_option
def import_participants(csv_file: str, schema_files: tuple[str, ...], lang: str | None) -> None:
    """Read a participants CSV file and print its records as JSON."""
    from clusterkit.loader import read_participants_csv
    from clusterkit.schema import DEFAULT_SCHEMA
    from clusterkit.serde import unstructure

    schema = DEFAULT_SCHEMA
    if schema_files:
        from clusterkit.lang.program import declared_schema

        declared, problems = declared_schema(schema_files)
        if any(p.is_error for p in problems):
            print_diagnostics(problems, lang=lang)
            sys.exit(EXIT_INPUT)
        schema = declared
    try:
        rows = read_participants_csv(csv_file, schema=schema)
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics, source="data", lang=lang)
        sys.exit(EXIT_INPUT)
    click.echo(json.dumps({"participants": unstructure(rows)}, ensure_ascii=False, indent=2))


@click.command()
@data_option
@store_option
@click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    type=click.Path(path_type=str),
    help="Rule files or folders to check and report on (repeatable).",
)
@as_of_option("YYYY-MM-DD; default: the dataset's date.")
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    help="A reporter: text, markdown, html, csv, json, xlsx, or a plugin's name.",
)
@lang_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=str),
    default=None,
    help="Write the report to this file (default: standard output; a binary format such "
    "as xlsx is not written to a terminal).",
)
@no_cache_option
def report(
    data_path: str | None,
    store_url: str | None,
    rule_paths: tuple[str, ...],
    as_of: dt.date | None,
    fmt: str,
    lang: str | None,
    output: str | None,
    no_cache: bool,
) -> None:
    """The source document's tables from data, with the check results beside them."""
    from clusterkit.lang.program import caching_schemas, load_rules
    from clusterkit.loader import atomic_write
    from clusterkit.plugins import (
        REPORTERS,
        ReportContext,
        ReporterPlugin,
        ReportError,
        StoreError,
        discover,
        is_binary,
    )

    language = choose_lang(lang)
    try:
        reporter: ReporterPlugin = discover([REPORTERS]).get(REPORTERS, fmt)
    except StoreError as exc:
        fail(str(exc))
    binary = is_binary(reporter)
    if binary and output is None and sys.stdout.isatty():
        fail(
            _("the {format} report is binary: write it to a file with -o FILE{suffix}").format(
                format=fmt, suffix=reporter.suffix
            )
        )
    target = None if output is None else Path(output)
    if target is not None and not target.parent.is_dir():
        fail(
            _("{path}: the folder {folder!r} does not exist").format(
                path=output, folder=str(target.parent)
            )
        )
    program = None
    if rule_paths:
        try:
            program = load_rules(rule_paths, cache=not no_cache)
        except DiagnosticError as exc:
            print_diagnostics(exc.diagnostics, lang=lang)
            sys.exit(EXIT_INPUT)
    schema = None if program is None else program.schema
    with caching_schemas(not no_cache):  # the schema files the dataset names
        dataset = load_data(data_path, store_url, schema=schema, lang=lang)
    results = None
    if program is not None:
        day = date_or_dataset_date(as_of, dataset.info.published)
        results = evaluate_with_progress(program, dataset, day)
    colour = output is None and not binary and sys.stdout.isatty()
    try:
        context = ReportContext(dataset, results, language, colour, as_of=as_of)
        content: str | bytes = reporter.render(context)
    except ReportError as exc:
        fail(str(exc))
    if target is None:
        click.echo(content, nl=False)  # bytes go to the binary stream underneath
        return
    try:
        atomic_write(target, content)
    except OSError as exc:
        fail(_("{path}: cannot be written ({reason})").format(path=output, reason=exc.strerror))
    click.echo(_("wrote {path}").format(path=output), err=True)


#: The commands of this module, added to the ``clusterkit`` group.
COMMANDS: tuple[click.Command, ...] = (validate, import_participants, report)
