"""The ``clusterkit`` command: a thin layer over the library.

Exit codes: 0 all good; 1 a rule failed or breached; 2 the input has errors.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import click

from clusterkit._version import __version__
from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.loader import load_dataset, read_participants_csv
from clusterkit.serde import unstructure
from clusterkit.summary import summarize

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2


def _report(diagnostics: Sequence[Diagnostic], fmt: str) -> None:
    if fmt == "json":
        click.echo(
            json.dumps(
                {"diagnostics": [d.to_json() for d in diagnostics]}, ensure_ascii=False, indent=2
            )
        )
        return
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)
    errors = sum(1 for d in diagnostics if d.is_error)
    if errors:
        click.echo(f"{errors} error(s)", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clusterkit")
def cli() -> None:
    """clusterkit: cluster-development policy as rules that run."""


@cli.command()
@click.argument("path", type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for tools.",
)
@click.option("--lang", type=click.Choice(["en", "ru", "kk"]), default="en", show_default=True)
def validate(path: str, fmt: str, lang: str) -> None:
    """Load a dataset directory or file, check it, and print a summary."""
    try:
        dataset = load_dataset(path)
    except DiagnosticError as exc:
        _report(exc.diagnostics, fmt)
        sys.exit(EXIT_INPUT)
    summary = summarize(dataset)
    if fmt == "json":
        click.echo(
            json.dumps(
                {"summary": unstructure(summary), "diagnostics": []}, ensure_ascii=False, indent=2
            )
        )
    else:
        click.echo(summary.render(lang))


@cli.command("import-participants")
@click.argument("csv_file", type=click.Path(path_type=str))
def import_participants(csv_file: str) -> None:
    """Read a participants CSV file and print its records as JSON."""
    try:
        rows = read_participants_csv(csv_file)
    except DiagnosticError as exc:
        _report(exc.diagnostics, "text")
        sys.exit(EXIT_INPUT)
    click.echo(json.dumps({"participants": unstructure(rows)}, ensure_ascii=False, indent=2))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="clusterkit")
