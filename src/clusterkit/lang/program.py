"""From rule text to a :class:`Program`: read files (following imports), parse, check,
compile. A program can be rebuilt from its sources, which is how it is pickled: a
worker process receives the rule texts, not generated code.

The parser, the checker and the syntax tree are imported when rules are read, not
with this module, so a program from the cache of compiled programs
(:mod:`clusterkit.lang.program_cache`) needs none of them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.lang.collector import paused_gc
from clusterkit.loader.files import RULE_SUFFIX
from clusterkit.messages import msg
from clusterkit.schema import DEFAULT_SCHEMA, Schema

if TYPE_CHECKING:
    from clusterkit.lang import ast
    from clusterkit.lang.check.checked import Checked
    from clusterkit.lang.compiled import CompiledRulebook

__all__ = [
    "RULE_SUFFIX",
    "Program",
    "caching_schemas",
    "check_rules",
    "checked_again",
    "compile_rules",
    "declared_schema",
    "load_rules",
]

#: How many files one program may pull in through imports.
MAX_FILES = 1000


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


def _rebuild(sources: tuple[tuple[str, str], ...], homes: tuple[tuple[str, str], ...]) -> Program:
    return _built(lambda: _offline(sources, homes))


def _offline(
    sources: tuple[tuple[str, str], ...], homes: tuple[tuple[str, str], ...] = ()
) -> _Reader:
    """A reader of ``sources`` alone: imports are found among them, never on disk."""
    reader = _Reader(roots=(), given=dict(sources), offline=True)
    reader.homes.update((name, Path(folder)) for name, folder in homes)
    for path, _text in sources:
        reader.add(Path(path))
    return reader


def checked_again(sources: tuple[tuple[str, str], ...]) -> dict[str, Checked]:
    """What the checker learns of each file of a program built from ``sources``, by
    path: for a program from the cache, when its syntax trees are asked for."""
    with paused_gc():
        checked, _ = _offline(sources).checked()
    return {c.path: c for c in checked}


def parse_rules(text: str, file: str = "<rules>") -> ast.RuleFile:
    """:func:`clusterkit.lang.parser.parse_rules`, imported when rules are first read."""
    from clusterkit.lang.parser import parse_rules as parse  # noqa: PLC0415

    return parse(text, file)


def _built(read: Callable[[], _Reader]) -> Program:
    """Read, parse and check with the garbage collector paused (see
    :mod:`clusterkit.lang.collector`), then compile with it running again."""
    with paused_gc():
        reader = read()
        checked, everything = reader.checked()
    return reader.build(checked, everything)


@attrs.define
class _Reader:
    """Reads rule files and everything they import, collecting every problem.

    Imports are resolved relative to the importing file and must stay inside one of
    ``roots`` (the directories the user named), so a rule file cannot make clusterkit
    read an arbitrary file. Texts in ``given`` are used instead of reading the disk.
    """

    roots: tuple[Path, ...]
    given: dict[str, str] = attrs.Factory(dict)
    offline: bool = False
    homes: dict[str, Path] = attrs.Factory(dict)
    files: dict[str, ast.RuleFile] = attrs.Factory(dict)
    imports: dict[str, list[str]] = attrs.Factory(dict)
    spans: dict[tuple[str, str], Span] = attrs.Factory(dict)
    problems: list[Diagnostic] = attrs.Factory(list)
    seen: set[str] = attrs.Factory(set)
    # Whether the answer depends on the texts read alone (no file was unreadable and
    # no import missing), so that it may be kept in the cache of checked rules.
    texts_only: bool = True
    queue: list[Path] = attrs.Factory(list)

    def add(self, path: Path, text: str | None = None) -> None:
        if text is not None:
            self.given[str(path)] = text
        self.queue.append(path)
        self.drain()

    def drain(self) -> None:
        while self.queue:
            path = self.queue.pop(0)
            shown = str(path)
            if shown in self.seen:
                continue
            self.seen.add(shown)
            if len(self.seen) > MAX_FILES:
                self.problems.append(
                    Diagnostic(
                        codes.RULES_UNREADABLE,
                        Severity.ERROR,
                        msg("more than {count} rule files", count=MAX_FILES),
                        file=shown,
                    )
                )
                self.queue.clear()
                self.texts_only = False
                return
            text = self.given.get(shown)
            if text is None:
                text = self.read(path, shown)
            if text is not None:
                self.parse(path, shown, text)

    def read(self, path: Path, shown: str) -> str | None:
        if path.is_dir():
            self.texts_only = False
            self.problems.append(
                Diagnostic(
                    codes.RULES_UNREADABLE,
                    Severity.ERROR,
                    msg(
                        "is a directory; name the folder itself to check every *{suffix} file "
                        "in it",
                        suffix=RULE_SUFFIX,
                    ),
                    file=shown,
                )
            )
            return None
        from clusterkit.lang.parser import MAX_RULE_FILE_BYTES  # noqa: PLC0415
        from clusterkit.loader import read_text  # noqa: PLC0415

        text = read_text(
            path,
            shown,
            self.problems,
            code=codes.RULES_UNREADABLE,
            too_big_code=codes.RULES_TOO_BIG,
            limit=MAX_RULE_FILE_BYTES,
            noun=msg("rule file"),
        )
        if text is None:
            self.texts_only = False
        else:
            self.given[shown] = text
        return text

    def parse(self, path: Path, shown: str, text: str) -> None:
        try:
            parsed = parse_rules(text, shown)
        except DiagnosticError as exc:
            self.problems.extend(exc.diagnostics)
            return
        from clusterkit.lang.ast import Import  # noqa: PLC0415

        self.files[shown] = parsed
        targets = []
        for item in parsed.items:
            if isinstance(item, Import):
                target = self.resolve(path, item, shown)
                if target is not None:
                    targets.append(str(target))
                    self.spans[(shown, str(target))] = item.span
                    self.queue.append(target)
        self.imports[shown] = targets

    def resolve(self, path: Path, item: ast.Import, shown: str) -> Path | None:
        target = Path(os.path.normpath(self.homes.get(shown, path.parent) / item.path))
        if str(target) in self.given:
            return target
        if not any(_inside(target, root) for root in self.roots) and not self.offline:
            self.texts_only = False
            self.problems.append(
                Diagnostic(
                    codes.IMPORT_NOT_FOUND,
                    Severity.ERROR,
                    msg(
                        "imported file {path!r} is outside the folders given ({roots})",
                        path=item.path,
                        roots=", ".join(str(r) for r in self.roots),
                    ),
                    file=shown,
                    span=item.span,
                    hint=msg("name its folder too, or import files beside the rules"),
                )
            )
            return None
        if self.offline or not target.is_file():
            self.texts_only = False
            self.problems.append(
                Diagnostic(
                    codes.IMPORT_NOT_FOUND,
                    Severity.ERROR,
                    msg("imported file {path!r} not found", path=item.path),
                    file=shown,
                    span=item.span,
                )
            )
            return None
        return target

    def build(self, checked: list[Checked], everything: list[Diagnostic]) -> Program:
        """Compile what was read and checked (:meth:`checked`)."""
        # Imported here: checking alone (``clusterkit lint``) does not compile.
        from clusterkit.lang.compiler import compile_rulebook  # noqa: PLC0415

        compiled = tuple(compile_rulebook(c) for c in checked)
        sources = tuple((path, self.given[path]) for path in self.files)
        homes = tuple((name, str(folder)) for name, folder in self.homes.items())
        return Program(compiled, tuple(everything), sources, homes)

    def checked(self) -> tuple[list[Checked], list[Diagnostic]]:
        """What checking learnt, and every diagnostic; raise :class:`DiagnosticError`
        on any error."""
        from clusterkit.lang.check import check_files  # noqa: PLC0415

        checked, diagnostics = check_files(list(self.files.values()), self.imports, self.spans)
        everything = [*self.problems, *diagnostics]
        if not self.files and not self.problems:
            everything.append(
                Diagnostic(codes.RULES_UNREADABLE, Severity.ERROR, msg("no rule files given"))
            )
        if any(d.is_error for d in everything):
            raise DiagnosticError(everything)
        return checked, everything

    def diagnostics(self) -> list[Diagnostic]:
        from clusterkit.lang.check import check_files  # noqa: PLC0415

        _, diagnostics = check_files(list(self.files.values()), self.imports, self.spans)
        return [*self.problems, *diagnostics]


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _reader(
    paths: Iterable[str | os.PathLike[str]], root: str | os.PathLike[str] | None
) -> _Reader:
    named = [Path(p) for p in paths]
    roots = [Path(root)] if root is not None else []
    roots.extend(p if p.is_dir() else p.parent for p in named)
    reader = _Reader(roots=tuple(roots))
    for path in named:
        if path.is_dir():
            found = sorted(p for p in path.rglob(f"*{RULE_SUFFIX}") if p.is_file())
            if not found:
                reader.problems.append(
                    Diagnostic(
                        codes.RULES_UNREADABLE,
                        Severity.ERROR,
                        msg("no *{suffix} rule files in this folder", suffix=RULE_SUFFIX),
                        file=str(path),
                    )
                )
            for file in found:
                reader.add(file)
        else:
            reader.add(path)
    return reader


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
        from clusterkit.lang import program_cache  # noqa: PLC0415

        found, ticket = program_cache.look_up_schema(named)
        if found is not None:
            return found, []
    from clusterkit.lang.check.declare import declare  # noqa: PLC0415

    reader = _reader(named, None)
    schema, problems = declare(list(reader.files.values()))
    found_problems = [*reader.problems, *(p for p in problems if p.is_error)]
    if ticket is not None and reader.texts_only and not found_problems:
        program_cache.store_schema(ticket, schema, reader.given)
    return schema, found_problems


def check_rules(
    paths: Iterable[str | os.PathLike[str]],
    *,
    root: str | os.PathLike[str] | None = None,
    cache: bool = False,
) -> list[Diagnostic]:
    """Every diagnostic for the rule files (errors and warnings), without building anything.

    ``paths`` name files or folders (searched for ``*.ckr``); imports must stay inside
    them or inside ``root``. With ``cache``, the diagnostics are kept in the cache of
    checked rules and given back while no text they came from has changed
    (:mod:`clusterkit.lang.check_cache`).
    """
    named = list(paths)
    with paused_gc():  # one pause for parsing and checking: see clusterkit.lang.collector
        if not cache:
            return _reader(named, root).diagnostics()
        from clusterkit.lang import check_cache  # noqa: PLC0415

        found, ticket = check_cache.look_up(named, root)
        if found is not None:
            return found
        reader = _reader(named, root)
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
    (:mod:`clusterkit.lang.program_cache`; ``CLUSTERKIT_NO_CACHE=1`` turns it off).
    Rules with errors are never kept: they are read and reported each time.
    """
    named = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not cache:
        return _built(lambda: _reader(named, root))
    from clusterkit.lang import program_cache  # noqa: PLC0415

    found, ticket = program_cache.look_up(named, root)
    if found is not None:
        return found
    readers: list[_Reader] = []

    def read() -> _Reader:
        readers.append(_reader(named, root))
        return readers[-1]

    program = _built(read)
    if ticket is not None and readers[0].texts_only:
        program_cache.store(ticket, program, readers[0].given)
    return program


def compile_rules(
    text: str, name: str = "<rules>", *, root: str | os.PathLike[str] | None = None
) -> Program:
    """Parse, check and compile rules given as text; raise :class:`DiagnosticError`
    on any error, each diagnostic naming ``name`` with a line and column.

    Imports are read relative to ``root`` (default: the current folder) and must stay
    inside it.
    """
    folder = Path(root) if root is not None else Path.cwd()

    def read() -> _Reader:
        reader = _Reader(roots=(folder,))
        reader.homes[name] = folder
        reader.add(Path(name), text)
        return reader

    return _built(read)
