"""Commands for rule authors: ``check``, ``lint``, ``test``, ``fmt`` and ``lsp``.

Each imports the rules language when it runs, not when the CLI starts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from clusterkit.cli.common import (
    EXIT_FAILED,
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
    resolve_store_url,
    store_option,
    using_store,
)
from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.i18n import choose_lang, translator
from clusterkit.i18n import local as _

__all__ = ["COMMANDS", "check", "fmt", "lint", "lsp", "test_command"]


@click.command()
@click.argument("rules", nargs=-1, required=True, type=click.Path(path_type=str))
@data_option
@store_option
@as_of_option("The date to evaluate as of (YYYY-MM-DD); default: the dataset's date.")
@format_option
@lang_option
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Explain every result alone: passing ones too, and each undetermined one.",
)
@click.option(
    "--save/--no-save",
    default=None,
    help="Keep the results and their provenance in the store. Default: yes when the "
    "store's own data is checked, no for --data.",
)
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when rules fail (input errors still exit 2)."
)
@no_cache_option
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
    no_cache: bool,
) -> None:
    """Check rule files, then evaluate them on a dataset and explain the verdicts.

    Exit status: 0 all pass, 1 a rule fails or breaches, 2 the input has errors.
    Unchanged rules are not compiled again: they come from a cache in
    $CLUSTERKIT_CACHE_DIR (else $XDG_CACHE_HOME/clusterkit or ~/.cache/clusterkit).
    """
    from clusterkit.lang.program import caching_schemas, load_rules

    language = choose_lang(lang)
    try:
        program = load_rules(rules, cache=not no_cache)
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics, fmt, lang=lang)
        sys.exit(EXIT_INPUT)
    warnings: list[Diagnostic] = []
    with caching_schemas(not no_cache):  # the schema files the dataset names
        dataset = load_data(data_path, store_url, fmt, program.schema, warnings, lang)
    day = date_or_dataset_date(as_of, dataset.info.published)
    results = evaluate_with_progress(program, dataset, day)
    diagnostics = [*program.diagnostics, *warnings]
    keep = save or (save is None and data_path is None)
    # The JSON form of a large run is costly: made only when printed or kept.
    document = ""
    if fmt == "json" or keep:
        document = json.dumps(results.to_dict(language, diagnostics), ensure_ascii=False, indent=2)
    if fmt == "json":
        click.echo(document)
    else:
        if diagnostics:
            print_diagnostics(diagnostics, lang=lang)
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
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check afresh, without the cache of checked rules (also: CLUSTERKIT_NO_CACHE=1).",
)
@lang_option
def lint(rules: tuple[str, ...], fmt: str, no_cache: bool, lang: str | None) -> None:
    """Check rule files without data: every error and warning, with its code.

    Unchanged rule files are not checked again: their diagnostics come from a cache
    in $CLUSTERKIT_CACHE_DIR (else $XDG_CACHE_HOME/clusterkit or ~/.cache/clusterkit).
    """
    # A cache hit needs neither the parser nor the checker imported.
    from clusterkit.lang.cache.check_cache import cached

    found = None if no_cache else cached(rules)
    if found is None:
        from clusterkit.lang import check_rules

        found = check_rules(rules, cache=not no_cache)
    diagnostics = found
    if fmt == "sarif":
        from clusterkit.cli.integrate import print_sarif

        print_sarif(diagnostics, lang)
    else:
        print_diagnostics(diagnostics, fmt, lang=lang)
    if fmt == "text" and not diagnostics:
        click.echo(translator(choose_lang(lang))("no problems found"))
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
@no_cache_option
@lang_option
def test_command(
    paths: tuple[str, ...],
    fmt: str,
    allow_roots: tuple[str, ...],
    no_cache: bool,
    lang: str | None,
) -> None:
    """Run the test cases beside rule files (NAME.tests.toml beside NAME.ckr).

    Exit status: 0 all cases pass, 1 a case fails, 2 a rule or test file has errors.
    """
    from clusterkit.lang.program import caching_schemas
    from clusterkit.lang.ruletests import report as test_report
    from clusterkit.lang.ruletests.runner import find_test_files, run_test_files

    files = find_test_files(paths)
    if not files:
        click.echo(_("error: no test files found (NAME.tests.toml beside NAME.ckr)"), err=True)
        sys.exit(EXIT_INPUT)
    with caching_schemas(not no_cache):
        results = run_test_files(files, extra_roots=list(allow_roots), cache=not no_cache)
    if fmt == "text":
        broken: list[Diagnostic] = [d for r in results for d in r.errors]
        if broken:
            print_diagnostics(broken, lang=lang)
    click.echo(test_report.render(results, fmt, choose_lang(lang)), nl=fmt == "text")
    sys.exit(test_report.exit_status(results))


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--check", "check_only", is_flag=True, help="Change nothing; exit 1 if a file would change."
)
@click.option(
    "--diff", "show_diff", is_flag=True, help="Change nothing; print the changes as a unified diff."
)
@lang_option
def fmt(paths: tuple[str, ...], check_only: bool, show_diff: bool, lang: str | None) -> None:
    """Lay rule files out in the canonical form, in place, keeping every comment.

    A folder means every *.ckr file in it; '-' reads standard input and writes the
    result to standard output. Exit status: 0 done, 1 a file would change (--check),
    2 a file has errors (it is left as it was).
    """
    import difflib

    from clusterkit import codes
    from clusterkit.lang.syntax.formatter import FormatterError, format_rules
    from clusterkit.lang.syntax.parser import MAX_RULE_FILE_BYTES
    from clusterkit.loader import read_text
    from clusterkit.loader.files import RULE_SUFFIX
    from clusterkit.messages import msg

    problems: list[Diagnostic] = []
    changed = unchanged = 0
    for path in _rule_files(paths, RULE_SUFFIX, problems):
        shown = str(path)
        # Standard input is read as bytes: decoding them is ours, whatever the locale (a
        # byte that is not UTF-8 is then a diagnostic at its line and column).
        text = (
            sys.stdin.buffer.read().decode("utf-8", "surrogateescape").removeprefix("\ufeff")
            if shown == "-"
            else read_text(
                path,
                shown,
                problems,
                code=codes.RULES_UNREADABLE,
                too_big_code=codes.RULES_TOO_BIG,
                limit=MAX_RULE_FILE_BYTES,
                noun=msg("rule file"),
            )
        )
        if text is None:
            continue
        try:
            result = format_rules(text, shown)
        except DiagnosticError as exc:
            problems.extend(exc.diagnostics)
            continue
        except FormatterError as exc:
            click.echo(_("error: {message}").format(message=exc), err=True)
            sys.exit(EXIT_INPUT)
        if shown == "-":
            click.echo(result, nl=False)
            continue
        if result == text:
            unchanged += 1
            continue
        changed += 1
        if show_diff:
            lines = difflib.unified_diff(
                text.splitlines(keepends=True), result.splitlines(keepends=True), shown, shown
            )
            click.echo("".join(lines), nl=False)
        if check_only or show_diff:
            click.echo(_("would reformat {path}").format(path=shown), err=True)
        else:
            _write_keeping_mode(path, result)
            click.echo(_("reformatted {path}").format(path=shown), err=True)
    if problems:
        print_diagnostics(problems, lang=lang)
        sys.exit(EXIT_INPUT)
    if check_only or show_diff:
        summary = _("{changed} file(s) would be reformatted, {unchanged} unchanged")
    else:
        summary = _("{changed} file(s) reformatted, {unchanged} unchanged")
    if changed or unchanged:
        click.echo(summary.format(changed=changed, unchanged=unchanged), err=True)
    if check_only and changed:
        sys.exit(EXIT_FAILED)


def _rule_files(paths: tuple[str, ...], suffix: str, problems: list[Diagnostic]) -> list[Path]:
    """The files named, and the rule files in the folders named, each once."""
    from clusterkit import codes
    from clusterkit.diagnostics import Severity
    from clusterkit.messages import msg

    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if not path.is_dir():
            found.append(path)
            continue
        inside = sorted(p for p in path.rglob(f"*{suffix}") if p.is_file())
        if not inside:
            message = msg("no *{suffix} rule files in this folder", suffix=suffix)
            problems.append(Diagnostic(codes.RULES_UNREADABLE, Severity.ERROR, message, file=name))
        found.extend(inside)
    return list(dict.fromkeys(found))


def _write_keeping_mode(path: Path, text: str) -> None:
    """Replace a file's contents at once (a crash leaves the old or the new file, never
    half of one), keeping its permissions."""
    import tempfile

    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@click.command("lsp")
def lsp() -> None:
    """Start the language server for editors, speaking LSP on standard input and output.

    Needs the 'lsp' extra: pip install 'clusterkit[lsp]'.
    """
    try:
        from clusterkit.lsp.server import MessageError, serve
    except ImportError as exc:
        click.echo(
            _(
                "error: the language server needs pygls: pip install 'clusterkit[lsp]' ({reason})"
            ).format(reason=exc),
            err=True,
        )
        sys.exit(EXIT_INPUT)
    try:
        serve()
    except MessageError as exc:
        fail(_("the editor sent a message the server cannot read: {why}").format(why=exc))


#: The commands of this module, added to the ``clusterkit`` group.
COMMANDS: tuple[click.Command, ...] = (check, lint, test_command, fmt, lsp)
