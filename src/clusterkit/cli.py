"""The ``clusterkit`` command: a thin layer over the library.

Exit codes: 0 all good; 1 a rule failed or breached; 2 the input has errors.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click
from cattrs.errors import BaseValidationError

from clusterkit._version import __version__
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, render_text
from clusterkit.i18n import choose_lang, translator
from clusterkit.i18n import local as _
from clusterkit.lang import Program, ResultSet, check_rules, evaluate, load_rules
from clusterkit.lang.testing import find_test_files, run_test_file
from clusterkit.loader import atomic_write, load_dataset, read_participants_csv
from clusterkit.model import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Dataset,
    InvalidFieldsError,
    Observation,
    StatusChange,
)
from clusterkit.plugins import (
    REPORTERS,
    STORAGE,
    ReportContext,
    Store,
    StoreError,
    discover,
    open_store,
)
from clusterkit.serde import structure, structure_errors, unstructure
from clusterkit.summary import summarize

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
DEFAULT_STORE = "sqlite://clusterkit.sqlite3"


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
        click.echo(_("{errors} error(s)").format(errors=errors), err=True)


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
    default=None,
    help="Language of titles, messages and numbers (default: from LANG, else en).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clusterkit")
def cli() -> None:
    """clusterkit: cluster-development policy as rules that run."""


@cli.command()
@click.argument("path", type=click.Path(path_type=str))
@format_option
@lang_option
def validate(path: str, fmt: str, lang: str | None) -> None:
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
        click.echo(summary.render(choose_lang(lang)))


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
        click.echo(
            _("{errors} error(s), {warnings} warning(s)").format(errors=errors, warnings=warnings),
            err=True,
        )


data_option = click.option(
    "--data",
    "data_path",
    type=click.Path(path_type=str),
    help="The dataset directory or file (default: the store's data).",
)
store_option = click.option(
    "--store",
    "store_url",
    default=None,
    help="The store: sqlite://PATH (default) or jsondir://PATH; "
    "default $CLUSTERKIT_STORE or sqlite://clusterkit.sqlite3.",
)


def _store_url(url: str | None) -> str:
    return url or os.environ.get("CLUSTERKIT_STORE") or DEFAULT_STORE


@contextmanager
def _store(url: str | None, *, create: bool = False) -> Iterator[Store]:
    """Open the store or exit 2 with one clear message; always close it."""
    try:
        store = open_store(_store_url(url), create=create)
    except StoreError as exc:
        _fail(str(exc))
    try:
        yield store
    except StoreError as exc:
        _fail(str(exc))
    finally:
        store.close()


def _fail(message: str) -> NoReturn:
    click.echo(_("error: {message}").format(message=message), err=True)
    sys.exit(EXIT_INPUT)


def _dataset(data_path: str | None, store_url: str | None, fmt: str = "text") -> Dataset:
    """The dataset from --data, or else from the store."""
    if data_path is not None:
        try:
            return load_dataset(data_path)
        except DiagnosticError as exc:
            _report(exc.diagnostics, fmt)
            sys.exit(EXIT_INPUT)
    with _store(store_url) as store:
        return store.dataset()


def _evaluate(program: Program, dataset: Dataset, day: dt.date, lang: str) -> ResultSet:
    """Evaluate, with a progress bar on a terminal and none when piped."""
    total = sum(len(book.rules) for book in program.in_force(day))
    if not sys.stderr.isatty() or total < 2:
        return evaluate(program, dataset, day)
    with click.progressbar(length=total, label="evaluating", file=sys.stderr) as bar:
        return evaluate(program, dataset, day, progress=lambda _rule: bar.update(1))


@cli.command()
@click.argument("rules", nargs=-1, required=True, type=click.Path(path_type=str))
@data_option
@store_option
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
    as_of: str | None,
    fmt: str,
    lang: str | None,
    show_all: bool,
    save: bool | None,
    exit_zero: bool,
) -> None:
    """Check rule files, then evaluate them on a dataset and explain the verdicts.

    Exit status: 0 all pass, 1 a rule fails or breaches, 2 the input has errors.
    """
    language = choose_lang(lang)
    try:
        program = load_rules(rules)
    except DiagnosticError as exc:
        _report_rules(exc.diagnostics, fmt)
        sys.exit(EXIT_INPUT)
    dataset = _dataset(data_path, store_url, fmt)
    day = _as_of(as_of, dataset.info.published)
    results = _evaluate(program, dataset, day, language)
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
            _print_diagnostics(program.diagnostics)
        click.echo(results.render(language, show_all=show_all))
    if keep:
        # Every evaluation of the registry is kept, so a verdict can be shown again.
        with _store(store_url, create=True) as store:
            run_id = store.save_run(results, document)
        _ = translator(language)
        click.echo(
            _("saved as run {number} in {store}").format(
                number=run_id, store=_store_url(store_url)
            ),
            err=True,
        )
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
        click.echo(
            _("error: {option} {value!r} is not a date (expected YYYY-MM-DD)").format(
                option="--as-of", value=text
            ),
            err=True,
        )
        sys.exit(EXIT_INPUT)


@cli.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
def test_command(paths: tuple[str, ...]) -> None:
    """Run the test cases beside rule files (NAME.tests.toml beside NAME.ckr).

    Exit status: 0 all cases pass, 1 a case fails, 2 a rule or test file has errors.
    """
    files = find_test_files(paths)
    if not files:
        click.echo(_("error: no test files found (NAME.tests.toml beside NAME.ckr)"), err=True)
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
            click.echo(_("no problems found"))
    if any(d.is_error for d in diagnostics):
        sys.exit(EXIT_INPUT)


@cli.command("plugins")
def plugins_command() -> None:
    """List the installed storage back-ends and reporters, and any that failed to load."""
    registry = discover()
    for group, title in ((STORAGE, "storage"), (REPORTERS, "reporters")):
        click.echo(f"{title} ({group}):")
        for info in (i for i in registry.infos if i.group == group):
            if info.plugin is not None:
                click.echo(f"  {info.name:<10} {info.plugin.description}  [{info.distribution}]")
            else:
                click.echo(f"  {info.name:<10} FAILED: {info.error}  [{info.distribution}]")
    failures = registry.failures()
    if failures:
        click.echo(_("{count} plugin(s) could not be loaded").format(count=len(failures)), err=True)


@cli.group()
def registry() -> None:
    """The registry of territorial clusters in a store."""


@registry.command("import")
@click.argument("dataset_path", type=click.Path(path_type=str))
@store_option
def registry_import(dataset_path: str, store_url: str | None) -> None:
    """Add a dataset's clusters, applications, programmes and figures to the store.

    Entities with the same id are replaced; observations are appended.
    """
    dataset = _dataset(dataset_path, None)
    with _store(store_url, create=True) as store:
        store.import_dataset(dataset)
    _ = translator(choose_lang(None))
    click.echo(
        _(
            "imported {clusters} clusters, {applications} applications, {programmes} "
            "programmes and {observations} observations into {store}"
        ).format(
            clusters=len(dataset.clusters),
            applications=len(dataset.applications),
            programmes=len(dataset.programmes),
            observations=len(dataset.observations),
            store=_store_url(store_url),
        )
    )


@registry.command("list")
@store_option
def registry_list(store_url: str | None) -> None:
    """The clusters in the registry, with their status and size."""
    with _store(store_url) as store:
        for cluster in store.clusters():
            click.echo(
                f"{cluster.id:<28} {cluster.registry_status.value:<11} "
                f"{len(cluster.participants):>5}  {cluster.name.get(choose_lang(None))}"
            )


@registry.command("show")
@click.argument("cluster_id")
@store_option
def registry_show(cluster_id: str, store_url: str | None) -> None:
    """One cluster as JSON, with its applications and programmes."""
    with _store(store_url) as store:
        cluster = store.cluster(cluster_id)
        if cluster is None:
            known = [c.id for c in store.clusters()]
            close = difflib.get_close_matches(cluster_id, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            _fail(_("no cluster {id!r} in the registry").format(id=cluster_id) + hint)
        document = {
            "cluster": unstructure(cluster),
            "applications": unstructure(
                [a for a in store.applications() if a.cluster == cluster_id]
            ),
            "programmes": unstructure([p for p in store.programmes() if p.cluster == cluster_id]),
        }
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(
            _("{option} {value!r} is not a date (expected YYYY-MM-DD)").format(
                option=option, value=text
            )
        )


@registry.command("apply")
@click.option("--id", "application_id", required=True, help="The application's id.")
@click.option("--cluster", "cluster_id", required=True, help="The applicant cluster's id.")
@click.option("--kind", type=click.Choice([k.value for k in ApplicationKind]), required=True)
@click.option("--submitted", required=True, help="Submission date, YYYY-MM-DD.")
@store_option
def registry_apply(
    application_id: str, cluster_id: str, kind: str, submitted: str, store_url: str | None
) -> None:
    """Record a new application."""
    try:
        application = Application(
            application_id, cluster_id, ApplicationKind(kind), _date(submitted, "--submitted")
        )
    except InvalidFieldsError as exc:
        _fail("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    with _store(store_url) as store:
        store.add_application(application)
    click.echo(_("{id}: submitted").format(id=application_id))


@registry.command("decide")
@click.argument("application_id")
@click.option("--status", type=click.Choice([s.value for s in ApplicationStatus]), required=True)
@click.option("--on", "on", required=True, help="Date of the decision, YYYY-MM-DD.")
@click.option("--reason", default="", help="Why (required for a rejection).")
@click.option("--by", default="", help="Who decided.")
@store_option
def registry_decide(
    application_id: str, status: str, on: str, reason: str, by: str, store_url: str | None
) -> None:
    """Record a change of an application's status (appended to its history)."""
    try:
        change = StatusChange(ApplicationStatus(status), _date(on, "--on"), reason, by)
    except InvalidFieldsError as exc:
        _fail("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    with _store(store_url) as store:
        updated = store.decide(application_id, change)
    click.echo(f"{application_id}: {updated.status.value}")


@cli.command()
@click.option("--cluster", "cluster_id", required=True)
@click.option("--indicator", required=True)
@click.option("--year", type=int, required=True)
@click.option("--value", required=True, help="The actual value, as written (exact).")
@click.option("--unit", required=True, help="Its unit, e.g. 'mln KZT'.")
@click.option("--reported-on", "reported_on", required=True, help="YYYY-MM-DD.")
@click.option("--by", "reported_by", required=True, help="Who reports it.")
@click.option("--note", default="")
@store_option
def observe(
    cluster_id: str,
    indicator: str,
    year: int,
    value: str,
    unit: str,
    reported_on: str,
    reported_by: str,
    note: str,
    store_url: str | None,
) -> None:
    """Record an actual value for a year. Observations are never overwritten: a
    correction is a new observation, and the latest reported by the as-of date counts."""
    try:
        observation = structure(
            {
                "cluster": cluster_id,
                "indicator": indicator,
                "year": year,
                "value": value,
                "unit": unit,
                "reported_on": reported_on,
                "reported_by": reported_by,
                "note": note,
            },
            Observation,
        )
    except (BaseValidationError, ValueError) as exc:
        _fail(
            "; ".join(
                f"--{path.replace('_', '-')}: {message}"
                for path, message in structure_errors(exc, "")
            )
        )
    with _store(store_url) as store:
        number = store.observe(observation)
    click.echo(_("observation {number} recorded").format(number=number))


@cli.group()
def runs() -> None:
    """Evaluations kept in the store (clusterkit check --save)."""


@runs.command("list")
@store_option
def runs_list(store_url: str | None) -> None:
    """Every stored run: number, when, as of, dataset, outcome counts."""
    with _store(store_url) as store:
        for run in store.runs():
            summary = json.loads(run.document).get("summary", {})
            counts = ", ".join(f"{n} {o}" for o, n in summary.items() if n)
            click.echo(
                f"{run.id:>4}  {run.recorded_at.isoformat()}  as of {run.as_of}  "
                f"{run.dataset}  {counts}"
            )


@runs.command("show")
@click.argument("run_id", type=int)
@store_option
def runs_show(run_id: int, store_url: str | None) -> None:
    """A stored run's results, exactly as they were given (JSON)."""
    with _store(store_url) as store:
        run = store.run(run_id)
    if run is None:
        _fail(_("no run {number} in the store").format(number=run_id))
    click.echo(run.document)


@cli.command()
@data_option
@store_option
@click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    type=click.Path(path_type=str),
    help="Rule files or folders to check and report on (repeatable).",
)
@click.option("--as-of", "as_of", default=None, help="YYYY-MM-DD; default: the dataset's date.")
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    help="A reporter: text, markdown, html, csv, json, or a plugin's name.",
)
@lang_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=str),
    default=None,
    help="Write the report to this file (default: standard output).",
)
def report(
    data_path: str | None,
    store_url: str | None,
    rule_paths: tuple[str, ...],
    as_of: str | None,
    fmt: str,
    lang: str | None,
    output: str | None,
) -> None:
    """The source document's tables from data, with the check results beside them."""
    language = choose_lang(lang)
    try:
        reporter = discover([REPORTERS]).get(REPORTERS, fmt)
    except StoreError as exc:
        _fail(str(exc))
    program = None
    if rule_paths:
        try:
            program = load_rules(rule_paths)
        except DiagnosticError as exc:
            _print_diagnostics(exc.diagnostics)
            sys.exit(EXIT_INPUT)
    dataset = _dataset(data_path, store_url)
    results = None
    if program is not None:
        results = _evaluate(program, dataset, _as_of(as_of, dataset.info.published), language)
    colour = output is None and sys.stdout.isatty()
    text = reporter.render(ReportContext(dataset, results, language, colour))
    if output is None:
        click.echo(text, nl=False)
        return
    target = Path(output)
    if not target.parent.is_dir():
        _fail(
            _("{path}: the folder {folder!r} does not exist").format(
                path=output, folder=str(target.parent)
            )
        )
    try:
        atomic_write(target, text)
    except OSError as exc:
        _fail(_("{path}: cannot be written ({reason})").format(path=output, reason=exc.strerror))
    click.echo(_("wrote {path}").format(path=output), err=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="clusterkit")
