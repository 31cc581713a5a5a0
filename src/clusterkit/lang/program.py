"""From rule text to a :class:`Program`: read files (following imports), parse, check
(:mod:`clusterkit.lang.reader`), compile. A program can be rebuilt from its sources,
which is how it is pickled: a worker process receives the rule texts, not generated
code.

The parser, the checker, the syntax tree and the compiler are imported when rules
are read, not with this module, so a program from the cache of compiled programs
(:mod:`clusterkit.lang.cache.program_cache`) needs none of them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from clusterkit.diagnostics import Diagnostic
from clusterkit.lang.reader import MAX_FILES, Reader, offline, parse_rules, reader_of
from clusterkit.lang.syntax.collector import paused_gc
from clusterkit.loader.files import RULE_SUFFIX
from clusterkit.schema import DEFAULT_SCHEMA, Schema

if TYPE_CHECKING:
    from clusterkit.lang.check.checked import Checked
    from clusterkit.lang.compile.compiled import CompiledRulebook

__all__ = [
    "MAX_FILES",
    "RULE_SUFFIX",
    "Program",
    "caching_schemas",
    "check_rules",
    "checked_again",
    "compile_rules",
    "declared_schema",
    "load_rules",
    "parse_rules",
]


@attrs.frozen(eq=False)
class Program:
    """Checked and compiled rulebooks, and the warnings the checker gave.

    Build one with :func:`clusterkit.compile_rules` or :func:`clusterkit.load_rules`.
    A program pickles as its sources and is rebuilt when unpickled, so it can be sent
    to worker processes.

    Attributes:
        rulebooks: every loaded rule file, imports included, imports first.
        diagnostics: warnings (a program with errors is never built).
        sources: ``(path, text)`` of every rule file it was built from.
        homes: ``(name, folder)`` for rules given as text: where their imports are.
    """

    rulebooks: tuple[CompiledRulebook, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()
    homes: tuple[tuple[str, str], ...] = ()

    @property
    def schema(self) -> Schema:
        """What the rules declare the data may hold (the built-in model if nothing)."""
        return self.rulebooks[0].schema if self.rulebooks else DEFAULT_SCHEMA

    def in_force(self, as_of: dt.date) -> tuple[CompiledRulebook, ...]:
        """The rulebook versions in force on ``as_of`` (one per rulebook id at most)."""
        _require_date(as_of)
        chosen = []
        for book in self.rulebooks:
            header = book.header
            starts = header.in_force_from or dt.date.min
            ends = header.in_force_until or dt.date.max
            if starts <= as_of <= ends:
                chosen.append(book)
        return tuple(chosen)

    def version_on(self, rulebook: str, day: dt.date) -> CompiledRulebook | None:
        """The version of rulebook ``rulebook`` in force on ``day``, if any."""
        return next((b for b in self.in_force(day) if b.id == rulebook), None)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_rebuild, (self.sources, self.homes))


def _require_date(as_of: object) -> None:
    # A datetime is a date, but compares with none.
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise TypeError(f"as_of must be a datetime.date, not {type(as_of).__name__}")


def _rebuild(sources: tuple[tuple[str, str], ...], homes: tuple[tuple[str, str], ...]) -> Program:
    return _built(lambda: offline(sources, homes))


def checked_again(sources: tuple[tuple[str, str], ...]) -> dict[str, Checked]:
    """What the checker learns of each file of a program built from ``sources``, by
    path: for a program from the cache, when its syntax trees are asked for."""
    with paused_gc():
        checked, _ = offline(sources).checked()
    return {c.path: c for c in checked}


def _built(read: Callable[[], Reader]) -> Program:
    """Read, parse and check with the garbage collector paused (see
    :mod:`clusterkit.lang.syntax.collector`), then compile with it running again."""
    with paused_gc():
        reader = read()
        checked, everything = reader.checked()
    return _compiled(reader, checked, everything)


def _compiled(reader: Reader, checked: list[Checked], everything: list[Diagnostic]) -> Program:
    """Compile what ``reader`` read and checked (:meth:`Reader.checked`)."""
    # Imported here: checking alone (``clusterkit lint``) does not compile.
    from clusterkit.lang.compile.compiler import compile_rulebook  # noqa: PLC0415

    compiled = tuple(compile_rulebook(c) for c in checked)
    sources = tuple((path, reader.given[path]) for path in reader.files)
    homes = tuple((name, str(folder)) for name, folder in reader.homes.items())
    return Program(compiled, tuple(everything), sources, homes)


#: Whether :func:`declared_schema` uses the cache when not told: the commands that
#: use the cache of compiled programs turn it on (:func:`caching_schemas`) for the
#: schema files a dataset names, which the loader reads through this function.
_SCHEMA_CACHE: ContextVar[bool] = ContextVar("clusterkit_schema_cache", default=False)


@contextmanager
def caching_schemas(on: bool = True) -> Iterator[None]:
    """Within the block, :func:`declared_schema` keeps and reuses what it finds."""
    token = _SCHEMA_CACHE.set(on)
    try:
        yield
    finally:
        _SCHEMA_CACHE.reset(token)


def declared_schema(
    paths: Iterable[str | os.PathLike[str]], *, cache: bool | None = None
) -> tuple[Schema, list[Diagnostic]]:
    """The schema the rule files declare (``kind``, ``extend``, ``unit``), with the
    problems in reading them or in their declarations; a dataset names such files.

    With ``cache`` (default: as :func:`caching_schemas` says), a schema declared
    without a problem is kept in the cache of compiled programs and given back while
    its files are unchanged."""
    named = list(paths)
    ticket = None
    if _SCHEMA_CACHE.get() if cache is None else cache:
        from clusterkit.lang.cache import program_cache  # noqa: PLC0415

        found, ticket = program_cache.look_up_schema(named)
        if found is not None:
            return found, []
    from clusterkit.lang.check.declare import declare  # noqa: PLC0415

    reader = reader_of(named, None)
    schema, problems = declare(list(reader.files.values()))
    found_problems = [*reader.problems, *(p for p in problems if p.is_error)]
    if ticket is not None and reader.texts_only and not found_problems:
        program_cache.store_schema(ticket, schema, reader.given)
    return schema, found_problems


def check_rules(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    cache: bool = False,
) -> list[Diagnostic]:
    """Every diagnostic for the rule files (errors and warnings), without building anything.

    ``paths`` name files or folders (searched for ``*.ckr``); imports must stay inside
    them or inside ``root``. With ``cache``, the diagnostics are kept in the cache of
    checked rules and given back while no text they came from has changed
    (:mod:`clusterkit.lang.cache.check_cache`).
    """
    # One path as load_rules takes it, not a string's letters as paths.
    named = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    with paused_gc():  # one pause for parsing and checking: see clusterkit.lang.syntax.collector
        if not cache:
            return reader_of(named, root).diagnostics()
        from clusterkit.lang.cache import check_cache  # noqa: PLC0415

        found, ticket = check_cache.look_up(named, root)
        if found is not None:
            return found
        reader = reader_of(named, root)
        diagnostics = reader.diagnostics()
        if ticket is not None and reader.texts_only:
            check_cache.store(ticket, reader.given, diagnostics)
        return diagnostics


def load_rules(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    cache: bool = False,
) -> Program:
    """Parse, check and compile rule files; raise :class:`DiagnosticError` on any error.

    ``paths`` name files or folders (searched for ``*.ckr``). Imports must stay inside
    the folders named (a file's own folder) or inside ``root``.

    With ``cache``, the program is kept in the cache of compiled programs and given
    back, without parsing, checking or compiling, while no file it came from (imports
    included) and no part of clusterkit has changed
    (:mod:`clusterkit.lang.cache.program_cache`; ``CLUSTERKIT_NO_CACHE=1`` turns it off).
    Rules with errors are never kept: they are read and reported each time.
    """
    named = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not cache:
        return _built(lambda: reader_of(named, root))
    from clusterkit.lang.cache import program_cache  # noqa: PLC0415

    found, ticket = program_cache.look_up(named, root, checked_again)
    if found is not None:
        return Program(*found)
    readers: list[Reader] = []

    def read() -> Reader:
        readers.append(reader_of(named, root))
        return readers[-1]

    program = _built(read)
    if ticket is not None and readers[0].texts_only:
        program_cache.store(ticket, program, readers[0].given)
    return program


def _require_text(**given: object) -> None:
    """A mistake in the calling code (rules as ``bytes``) named at the door, not an
    error from inside the parser."""
    for what, value in given.items():
        if not isinstance(value, str):
            raise TypeError(f"compile_rules: {what} must be a str, not {type(value).__name__}")


def compile_rules(
    text: str, name: str = "<rules>", *, root: str | os.PathLike[str] | None = None
) -> Program:
    """Parse, check and compile rules given as text; raise :class:`DiagnosticError`
    on any error, each diagnostic naming ``name`` with a line and column.

    Imports are read relative to ``root`` (default: the current folder) and must stay
    inside it.
    """
    _require_text(text=text, name=name)
    folder = Path(root) if root is not None else Path.cwd()

    def read() -> Reader:
        reader = Reader(roots=(folder,))
        reader.homes[name] = folder
        reader.add(Path(name), text)
        return reader

    return _built(read)
