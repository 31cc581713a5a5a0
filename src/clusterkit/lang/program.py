"""From rule text to a :class:`Program`: read files (following imports), parse, check,
compile. A program can be rebuilt from its sources, which is how it is pickled: a
worker process receives the rule texts, not generated code."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.lang import ast
from clusterkit.lang.check import check_files
from clusterkit.lang.check.declare import declare
from clusterkit.lang.collector import paused_gc
from clusterkit.lang.parser import MAX_RULE_FILE_BYTES, parse_rules
from clusterkit.loader import read_text
from clusterkit.loader.files import RULE_SUFFIX
from clusterkit.messages import msg
from clusterkit.schema import DEFAULT_SCHEMA, Schema

if TYPE_CHECKING:
    from clusterkit.lang.check.checked import Checked
    from clusterkit.lang.compiled import CompiledRulebook

__all__ = [
    "RULE_SUFFIX",
    "Program",
    "check_rules",
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
        return self.rulebooks[0].checked.schema if self.rulebooks else DEFAULT_SCHEMA

    def in_force(self, as_of: dt.date) -> tuple[CompiledRulebook, ...]:
        """The rulebook versions in force on ``as_of`` (one per rulebook id at most)."""
        chosen = []
        for book in self.rulebooks:
            header = book.checked.file.header
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
    def read() -> _Reader:
        reader = _Reader(roots=(), given=dict(sources), offline=True)
        reader.homes.update((name, Path(folder)) for name, folder in homes)
        for path, _text in sources:
            reader.add(Path(path))
        return reader

    return _built(read)


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
        if _is_dir(path):
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
        self.files[shown] = parsed
        targets = []
        for item in parsed.items:
            if isinstance(item, ast.Import):
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
        if self.offline or not _is_file(target):
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
        _, diagnostics = check_files(list(self.files.values()), self.imports, self.spans)
        return [*self.problems, *diagnostics]


def _is_dir(path: Path) -> bool:
    # A name too long for the system is not a folder (nor a file): reading it says why.
    try:
        return path.is_dir()
    except OSError:
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


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
    roots.extend(p if _is_dir(p) else p.parent for p in named)
    reader = _Reader(roots=tuple(roots))
    for path in named:
        if _is_dir(path):
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


def declared_schema(
    paths: Iterable[str | os.PathLike[str]],
) -> tuple[Schema, list[Diagnostic]]:
    """The schema the rule files declare (``kind``, ``extend``, ``unit``), with the
    problems in reading them or in their declarations; a dataset names such files."""
    reader = _reader(paths, None)
    schema, problems = declare(list(reader.files.values()))
    return schema, [*reader.problems, *(p for p in problems if p.is_error)]


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
) -> Program:
    """Parse, check and compile rule files; raise :class:`DiagnosticError` on any error.

    ``paths`` name files or folders (searched for ``*.ckr``). Imports must stay inside
    the folders named (a file's own folder) or inside ``root``.
    """
    named = [paths] if isinstance(paths, str | os.PathLike) else paths
    return _built(lambda: _reader(named, root))


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
