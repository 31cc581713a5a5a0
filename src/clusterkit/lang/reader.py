"""Reading rule files for a program: each file named and everything it imports, parsed,
then checked together, every problem collected (:class:`Reader`).

The parser, the syntax tree and the checker are imported when a file is first read,
not with this module, so a program from the cache of compiled programs
(:mod:`clusterkit.lang.cache.program_cache`) needs none of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.loader.files import RULE_SUFFIX
from clusterkit.messages import msg

if TYPE_CHECKING:
    from clusterkit.lang import ast
    from clusterkit.lang.check.checked import Checked

__all__ = ["MAX_FILES", "Reader", "inside", "offline", "parse_rules", "reader_of"]

#: How many files one program may pull in through imports.
MAX_FILES = 1000


def parse_rules(text: str, file: str = "<rules>") -> ast.RuleFile:
    """:func:`clusterkit.lang.syntax.parser.parse_rules`, imported when rules are first read."""
    from clusterkit.lang.syntax.parser import parse_rules as parse  # noqa: PLC0415

    return parse(text, file)


@attrs.define
class Reader:
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
        from clusterkit.lang.syntax.parser import MAX_RULE_FILE_BYTES  # noqa: PLC0415
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
        if not any(inside(target, root) for root in self.roots) and not self.offline:
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

    def checked(self) -> tuple[list[Checked], list[Diagnostic]]:
        """What checking learnt, and every diagnostic; raise :class:`DiagnosticError`
        on any error."""
        from clusterkit.lang.check import check_files  # noqa: PLC0415

        checked, diagnostics = check_files(list(self.files.values()), self.imports, self.spans)
        everything = [*self.problems, *self._nothing_given(), *diagnostics]
        if any(d.is_error for d in everything):
            raise DiagnosticError(everything)
        return checked, everything

    def diagnostics(self) -> list[Diagnostic]:
        from clusterkit.lang.check import check_files  # noqa: PLC0415

        _, diagnostics = check_files(list(self.files.values()), self.imports, self.spans)
        return [*self.problems, *self._nothing_given(), *diagnostics]

    def _nothing_given(self) -> list[Diagnostic]:
        # No file and no problem: nothing was named (checking nothing passes nothing).
        if self.files or self.problems:
            return []
        return [Diagnostic(codes.RULES_UNREADABLE, Severity.ERROR, msg("no rule files given"))]


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


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` is ``root`` or inside it, links resolved."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def reader_of(
    paths: Iterable[str | os.PathLike[str]], root: str | os.PathLike[str] | None
) -> Reader:
    """A reader of the files ``paths`` name (a folder: its ``*.ckr`` files), imports
    allowed from their folders and from ``root``."""
    named = [Path(p) for p in paths]
    roots = [Path(root)] if root is not None else []
    roots.extend(p if _is_dir(p) else p.parent for p in named)
    reader = Reader(roots=tuple(roots))
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


def offline(
    sources: tuple[tuple[str, str], ...], homes: tuple[tuple[str, str], ...] = ()
) -> Reader:
    """A reader of ``sources`` alone: imports are found among them, never on disk."""
    reader = Reader(roots=(), given=dict(sources), offline=True)
    reader.homes.update((name, Path(folder)) for name, folder in homes)
    for path, _text in sources:
        reader.add(Path(path))
    return reader
