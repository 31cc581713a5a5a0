"""What every ``clusterkit`` command shares.

The exit codes, the one diagnostics printer, the date parameter type, the common
options (``--format``, ``--lang``, ``--data``, ``--store``), opening the store, and
loading and evaluating as the ``check`` and ``report`` commands both do.

Only click and clusterkit's core are imported here; the rules language and the
plugins are imported by the functions that use them, so that ``clusterkit --help``
and ``clusterkit --version`` do not load them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, NoReturn, TypeVar

import click

from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, render_text, source_lines
from clusterkit.i18n import CHOSEN, choose_lang, translator
from clusterkit.i18n import local as _

if TYPE_CHECKING:
    from clusterkit.lang import Program, ResultSet
    from clusterkit.model import Dataset
    from clusterkit.plugins import Store
    from clusterkit.schema import Schema

__all__ = [
    "DATE",
    "DEFAULT_STORE",
    "EXIT_FAILED",
    "EXIT_INPUT",
    "EXIT_OK",
    "DateType",
    "InputError",
    "as_of_option",
    "data_option",
    "date_or_dataset_date",
    "evaluate_with_progress",
    "fail",
    "format_option",
    "lang_option",
    "load_data",
    "no_cache_option",
    "print_diagnostics",
    "resolve_store_url",
    "store_option",
    "using_store",
]

#: All good: every rule passed, or the command did what it was asked.
EXIT_OK = 0
#: A rule failed or breached, or a rule test case failed.
EXIT_FAILED = 1
#: The input has errors: bad data, bad rules, a bad option value, no store.
EXIT_INPUT = 2

DEFAULT_STORE = "sqlite://clusterkit.sqlite3"


# -- errors ------------------------------------------------------------------------------


class InputError(click.ClickException):
    """Bad input: one line ``error: MESSAGE`` (localized) on standard error, exit status 2."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        # Shown after the command's run has ended: in the language chosen while it ran.
        self.lang = choose_lang(None)

    def show(self, file: IO[Any] | None = None) -> None:
        template = translator(self.lang)("error: {message}")
        click.echo(template.format(message=self.format_message()), file=file, err=True)


def fail(message: str) -> NoReturn:
    """Stop the command: print ``error: message`` and exit with status 2."""
    raise InputError(message)


# -- diagnostics -------------------------------------------------------------------------


def print_diagnostics(
    diagnostics: Sequence[Diagnostic],
    fmt: str = "text",
    *,
    source: Literal["rules", "data"] = "rules",
    lang: str | None = None,
) -> None:
    """Print diagnostics: JSON on standard output for tools, text on standard error for people.

    Messages and hints are in ``lang`` (``--lang``), else the locale's language, else
    English; codes are the same in every language. JSON is ``{"diagnostics": [...]}``
    whatever the source, each with ``message_en`` (and ``hint_en``) besides the
    translated ones when the language is not English. Text is one diagnostic
    after another, then a count. Diagnostics about rule files and rule tests (the
    default ``source``) show the line they point at with a caret under the span, and
    are counted as ``N error(s), M warning(s)`` when there are any; diagnostics about
    data (``source="data"``) are one line each, counted as ``N error(s)``, as the
    loaders give no warnings.
    """
    language = choose_lang(lang)
    if fmt == "json":
        document = {"diagnostics": [d.to_json(language) for d in diagnostics]}
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _ = translator(language)
    excerpts = source == "rules"
    cache: dict[str, list[str] | None] = {}
    for diagnostic in diagnostics:
        lines = _source_lines(diagnostic.file, cache) if excerpts and diagnostic.span else None
        click.echo(render_text(diagnostic, lines, language), err=True)
    errors = sum(1 for d in diagnostics if d.is_error)
    if source == "data":
        if errors:
            click.echo(_("{errors} error(s)").format(errors=errors), err=True)
        return
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    if errors or warnings:
        click.echo(
            _("{errors} error(s), {warnings} warning(s)").format(errors=errors, warnings=warnings),
            err=True,
        )


def _source_lines(path: str | None, cache: dict[str, list[str] | None]) -> list[str] | None:
    # Only a rule file is quoted: an excerpt must never show the contents of some other
    # file a diagnostic happens to name.
    from clusterkit.loader.files import RULE_SUFFIX

    if path is None or not path.endswith(RULE_SUFFIX):
        return None
    if path not in cache:
        try:
            cache[path] = source_lines(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            cache[path] = None
    return cache[path]


# -- dates -------------------------------------------------------------------------------

if TYPE_CHECKING:
    _DateParam = click.ParamType[dt.date]
else:  # click before 8.4 has no generic ParamType
    _DateParam = click.ParamType


class DateType(_DateParam):
    """A ``YYYY-MM-DD`` option value as a :class:`datetime.date`.

    A value that is not a date stops the command with exit status 2 and the message
    ``error: --OPTION 'VALUE' is not a date (expected YYYY-MM-DD)``, localized.
    """

    name = "date"

    def convert(
        self, value: str | dt.date, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        from clusterkit.serde import iso_date

        try:
            return iso_date(value)
        except ValueError:
            option = param.opts[0] if param is not None and param.opts else "date"
            fail(
                _("{option} {value!r} is not a date (expected YYYY-MM-DD)").format(
                    option=option, value=value
                )
            )


DATE = DateType()


def date_or_dataset_date(as_of: dt.date | None, published: dt.date | None) -> dt.date:
    """``--as-of`` if given, else the dataset's date; exit 2 if there is neither."""
    if as_of is not None:
        return as_of
    if published is None:
        click.echo("error: give --as-of YYYY-MM-DD (the dataset has no date of its own)", err=True)
        sys.exit(EXIT_INPUT)
    return published


# -- options -----------------------------------------------------------------------------

_F = TypeVar("_F", bound=Callable[..., Any])

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for tools.",
)


def _use_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    # Messages made where the option is not passed (a store's errors, 'error:' itself)
    # follow it too, for this command's run.
    if value is not None:
        token = CHOSEN.set(value)
        ctx.call_on_close(lambda: CHOSEN.reset(token))
    return value


lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "ru", "kk"]),
    default=None,
    callback=_use_lang,
    help="Language of titles, messages and numbers (default: from LANG, else en).",
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


no_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    help="Build the rules afresh, without the cache of compiled rules "
    "(also: CLUSTERKIT_NO_CACHE=1).",
)


def as_of_option(help_text: str) -> Callable[[_F], _F]:
    """``--as-of YYYY-MM-DD``, a :data:`DATE`; None when not given."""
    return click.option("--as-of", "as_of", type=DATE, default=None, help=help_text)


# -- the store and the data ----------------------------------------------------------------


def resolve_store_url(url: str | None) -> str:
    """The store's URL: ``--store``, else ``$CLUSTERKIT_STORE``, else the default."""
    return url or os.environ.get("CLUSTERKIT_STORE") or DEFAULT_STORE


@contextmanager
def using_store(url: str | None, *, create: bool = False) -> Iterator[Store]:
    """Open the store or exit 2 with one clear message; always close it."""
    from clusterkit.plugins import StoreError, open_store

    try:
        store = open_store(resolve_store_url(url), create=create)
    except StoreError as exc:
        fail(str(exc))
    try:
        yield store
    except StoreError as exc:
        fail(str(exc))
    finally:
        store.close()


def load_data(
    data_path: str | None,
    url: str | None,
    fmt: str = "text",
    schema: Schema | None = None,
    warnings: list[Diagnostic] | None = None,
    lang: str | None = None,
) -> Dataset:
    """The dataset from ``--data``, or else from the store; bad data exits 2.

    ``schema`` is what the rules declare the data may hold. The loader's warnings (files
    of the dataset folder not read) are added to ``warnings``, or printed on standard
    error when no list is given. Problems are printed in ``lang``.
    """
    if data_path is not None:
        from clusterkit.loader import load_dataset

        found: list[Diagnostic] = []
        try:
            dataset = load_dataset(data_path, schema=schema, warnings=found)
        except DiagnosticError as exc:
            print_diagnostics(exc.diagnostics, fmt, source="data", lang=lang)
            sys.exit(EXIT_INPUT)
        if warnings is not None:
            warnings.extend(found)
        else:
            for warning in found:
                click.echo(render_text(warning, None, choose_lang(lang)), err=True)
        return dataset
    with using_store(url) as store:
        return store.dataset()


def evaluate_with_progress(program: Program, dataset: Dataset, day: dt.date) -> ResultSet:
    """Evaluate, with a progress bar on a terminal and none when piped."""
    from clusterkit.lang import evaluate

    total = sum(len(book.rules) for book in program.in_force(day))
    if not sys.stderr.isatty() or total < 2:
        return evaluate(program, dataset, day)
    with click.progressbar(length=total, label="evaluating", file=sys.stderr) as bar:
        return evaluate(program, dataset, day, progress=lambda _rule: bar.update(1))
