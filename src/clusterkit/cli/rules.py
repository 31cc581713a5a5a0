"""Commands for rule authors: ``check``, ``lint`` and ``test``.

Each imports the rules language when it runs, not when the CLI starts.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from clusterkit.cli.common import (
    EXIT_FAILED,
    EXIT_INPUT,
    as_of_option,
    data_option,
    date_or_dataset_date,
    evaluate_with_progress,
    format_option,
    lang_option,
    load_data,
    print_diagnostics,
    resolve_store_url,
    store_option,
    using_store,
)
from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.i18n import choose_lang, translator
from clusterkit.i18n import local as _

__all__ = ["COMMANDS", "check", "lint", "test_command"]


@click.command()
@click.argument("rules", nargs=-1, required=True, type=click.Path(path_type=str))
@data_option
@store_option
@as_of_option("The date to evaluate as of (YYYY-MM-DD); default: the dataset's date.")
@format_option
@lang_option
@click.option("--all", "show_all", is_flag=True, help="Explain passing results too.")
@click.option(
    "--save/--no-save",
    default=None,
    help="Keep the results and their provenance in the store. Default: yes when the "
    "store's own data is checked, no for --data.",
)
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when rules fail (input errors still exit 2)."
)
def check(
    rules: tuple[str, ...],
    data_path: str | None,
    store_url: str | None,
    as_of: dt.date | None,
    fmt: str,
    lang: str | None,
    show_all: bool,
    save: bool | None,
    exit_zero: bool,
) -> None:
    """Check rule files, then evaluate them on a dataset and explain the verdicts.

    Exit status: 0 all pass, 1 a rule fails or breaches, 2 the input has errors.
    """
    from clusterkit.lang import load_rules

    language = choose_lang(lang)
    try:
        program = load_rules(rules)
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics, fmt)
        sys.exit(EXIT_INPUT)
    dataset = load_data(data_path, store_url, fmt, program.schema)
    day = date_or_dataset_date(as_of, dataset.info.published)
    results = evaluate_with_progress(program, dataset, day)
    keep = save or (save is None and data_path is None)
    # The JSON form of a large run is costly: made only when printed or kept.
    document = ""
    if fmt == "json" or keep:
        document = json.dumps(
            results.to_dict(language, program.diagnostics), ensure_ascii=False, indent=2
        )
    if fmt == "json":
        click.echo(document)
    else:
        if program.diagnostics:
            print_diagnostics(program.diagnostics)
        click.echo(results.render(language, show_all=show_all))
    if keep:
        # Every evaluation of the registry is kept, so a verdict can be shown again.
        with using_store(store_url, create=True) as store:
            run_id = store.save_run(results, document)
        _ = translator(language)
        click.echo(
            _("saved as run {number} in {store}").format(
                number=run_id, store=resolve_store_url(store_url)
            ),
            err=True,
        )
    if results.failed and not exit_zero:
        sys.exit(EXIT_FAILED)


@click.command("lint")
@click.argument("rules", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for tools, SARIF 2.1.0 for code-scanning tools.",
)
def lint(rules: tuple[str, ...], fmt: str) -> None:
    """Check rule files without data: every error and warning, with its code."""
    from clusterkit.lang import check_rules

    diagnostics = check_rules(rules)
    if fmt == "sarif":
        from clusterkit.cli.integrate import print_sarif

        print_sarif(diagnostics)
    else:
        print_diagnostics(diagnostics, fmt)
    if fmt == "text" and not diagnostics:
        click.echo(_("no problems found"))
    if any(d.is_error for d in diagnostics):
        sys.exit(EXIT_INPUT)


@click.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for tools, JUnit XML for CI servers.",
)
@click.option(
    "--allow-root",
    "allow_roots",
    multiple=True,
    type=click.Path(path_type=str),
    help="Another folder test files may read rules and data from.",
)
def test_command(paths: tuple[str, ...], fmt: str, allow_roots: tuple[str, ...]) -> None:
    """Run the test cases beside rule files (NAME.tests.toml beside NAME.ckr).

    Exit status: 0 all cases pass, 1 a case fails, 2 a rule or test file has errors.
    """
    from clusterkit.lang import test_report
    from clusterkit.lang.testing import find_test_files, run_test_files

    files = find_test_files(paths)
    if not files:
        click.echo(_("error: no test files found (NAME.tests.toml beside NAME.ckr)"), err=True)
        sys.exit(EXIT_INPUT)
    results = run_test_files(files, extra_roots=list(allow_roots))
    if fmt == "text":
        broken: list[Diagnostic] = [d for r in results for d in r.errors]
        if broken:
            print_diagnostics(broken)
    click.echo(test_report.render(results, fmt), nl=fmt == "text")
    sys.exit(test_report.exit_status(results))


#: The commands of this module, added to the ``clusterkit`` group (``fmt`` will join them).
COMMANDS: tuple[click.Command, ...] = (check, lint, test_command)
