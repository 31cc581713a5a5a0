"""The ``clusterkit`` command: a thin layer over the library.

Exit codes: 0 all good; 1 a rule failed or breached; 2 the input has errors.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from clusterkit._version import __version__
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, render_text
from clusterkit.lang import check_rules, evaluate, load_program
from clusterkit.lang.report import render_results, results_to_json
from clusterkit.lang.testing import find_test_files, run_test_file
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


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for tools.",
)
lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "ru", "kk"]),
    default="en",
    show_default=True,
    help="Language of titles, messages and numbers.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clusterkit")
def cli() -> None:
    """clusterkit: cluster-development policy as rules that run."""


@cli.command()
@click.argument("path", type=click.Path(path_type=str))
@format_option
@lang_option
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


def _source_lines(path: str | None, cache: dict[str, list[str] | None]) -> list[str] | None:
    if path is None:
        return None
    if path not in cache:
        try:
            cache[path] = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            cache[path] = None
    return cache[path]


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    """Diagnostics for people, with a caret excerpt of the rule file where there is a span."""
    cache: dict[str, list[str] | None] = {}
    for diagnostic in diagnostics:
        lines = _source_lines(diagnostic.file, cache) if diagnostic.span else None
        click.echo(render_text(diagnostic, lines), err=True)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    if errors or warnings:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)


@cli.command()
@click.argument("rules", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(path_type=str),
    help="The dataset directory or file.",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="The date to evaluate as of (YYYY-MM-DD); default: the dataset's date.",
)
@format_option
@lang_option
@click.option("--all", "show_all", is_flag=True, help="Explain passing results too.")
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when rules fail (input errors still exit 2)."
)
def check(
    rules: tuple[str, ...],
    data_path: str,
    as_of: str | None,
    fmt: str,
    lang: str,
    show_all: bool,
    exit_zero: bool,
) -> None:
    """Check rule files, then evaluate them on a dataset and explain the verdicts.

    Exit status: 0 all pass, 1 a rule fails or breaches, 2 the input has errors.
    """
    try:
        program = load_program(rules)
    except DiagnosticError as exc:
        _report_rules(exc.diagnostics, fmt)
        sys.exit(EXIT_INPUT)
    try:
        dataset = load_dataset(data_path)
    except DiagnosticError as exc:
        _report(exc.diagnostics, fmt)
        sys.exit(EXIT_INPUT)
    day = _as_of(as_of, dataset.info.published)
    results = evaluate(program, dataset, day, lang=lang)
    if fmt == "json":
        click.echo(
            json.dumps(results_to_json(results, program.diagnostics), ensure_ascii=False, indent=2)
        )
    else:
        if program.diagnostics:
            _print_diagnostics(program.diagnostics)
        click.echo(render_results(results, show_all=show_all))
    if results.failed and not exit_zero:
        sys.exit(EXIT_FAILED)


def _report_rules(diagnostics: Sequence[Diagnostic], fmt: str) -> None:
    if fmt == "json":
        _report(diagnostics, fmt)
    else:
        _print_diagnostics(diagnostics)


def _as_of(text: str | None, fallback: dt.date | None) -> dt.date:
    if text is None:
        if fallback is None:
            click.echo(
                "error: give --as-of YYYY-MM-DD (the dataset has no date of its own)", err=True
            )
            sys.exit(EXIT_INPUT)
        return fallback
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        click.echo(f"error: --as-of {text!r} is not a date (expected YYYY-MM-DD)", err=True)
        sys.exit(EXIT_INPUT)


@cli.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
def test_command(paths: tuple[str, ...]) -> None:
    """Run the test cases beside rule files (NAME.tests.toml beside NAME.ckr).

    Exit status: 0 all cases pass, 1 a case fails, 2 a rule or test file has errors.
    """
    files = find_test_files(paths)
    if not files:
        click.echo("error: no test files found (NAME.tests.toml beside NAME.ckr)", err=True)
        sys.exit(EXIT_INPUT)
    passed = failed = 0
    broken: list[Diagnostic] = []
    for file in files:
        try:
            cases = run_test_file(file)
        except DiagnosticError as exc:
            broken.extend(exc.diagnostics)
            continue
        for case in cases:
            if case.passed:
                passed += 1
                click.echo(f"PASS {case.file}: {case.name}")
            else:
                failed += 1
                click.echo(f"FAIL {case.file}: {case.name}")
                for reason in case.failures:
                    click.echo(f"     {reason}")
    if broken:
        _print_diagnostics(broken)
    click.echo(f"{passed} passed, {failed} failed")
    if broken:
        sys.exit(EXIT_INPUT)
    if failed:
        sys.exit(EXIT_FAILED)


@cli.command("lint")
@click.argument("rules", nargs=-1, required=True, type=click.Path(path_type=str))
@format_option
def lint(rules: tuple[str, ...], fmt: str) -> None:
    """Check rule files without data: every error and warning, with its code."""
    diagnostics = check_rules(rules)
    if fmt == "json":
        _report(diagnostics, fmt)
    else:
        _print_diagnostics(diagnostics)
        if not diagnostics:
            click.echo("no problems found")
    if any(d.is_error for d in diagnostics):
        sys.exit(EXIT_INPUT)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="clusterkit")
