"""Load rule files (following imports), check them, compile them: a :class:`Program`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.lang import ast
from clusterkit.lang.checker import check_files
from clusterkit.lang.compiler import CompiledRulebook, compile_rulebook
from clusterkit.lang.parser import MAX_RULE_FILE_BYTES, parse_rules
from clusterkit.loader import read_text

__all__ = ["RULE_SUFFIX", "Program", "check_rules", "load_program", "parse_rule_files"]

#: The suffix of rule files, used when a directory is given.
RULE_SUFFIX = ".ckr"
#: How many files one program may pull in through imports.
MAX_FILES = 1000


@attrs.frozen
class Program:
    """Checked and compiled rulebooks, and the warnings the checker gave.

    Attributes:
        rulebooks: every loaded rule file, imports included, imports first.
        diagnostics: warnings (a program with errors is never built).
    """

    rulebooks: tuple[CompiledRulebook, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

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


def _expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(path.rglob(f"*{RULE_SUFFIX}")))
        else:
            out.append(path)
    return out


def parse_rule_files(
    paths: Iterable[str | os.PathLike[str]],
) -> tuple[list[ast.RuleFile], dict[str, list[str]], dict[tuple[str, str], Span], list[Diagnostic]]:
    """Parse the given files and everything they import.

    Returns the parsed files, each file's imports (as paths), where each import is
    written, and the problems found (unreadable files, syntax errors, bad imports).
    """
    problems: list[Diagnostic] = []
    files: dict[str, ast.RuleFile] = {}
    imports: dict[str, list[str]] = {}
    spans: dict[tuple[str, str], Span] = {}
    queue = _expand(paths)
    seen: set[str] = set()
    while queue:
        path = queue.pop(0)
        shown = str(path)
        if shown in seen:
            continue
        seen.add(shown)
        if len(seen) > MAX_FILES:
            problems.append(
                Diagnostic("R100", Severity.ERROR, f"more than {MAX_FILES} rule files", file=shown)
            )
            break
        text = read_text(
            path,
            shown,
            problems,
            code="R100",
            too_big_code="R104",
            limit=MAX_RULE_FILE_BYTES,
            noun="rule file",
        )
        if text is None:
            continue
        try:
            parsed = parse_rules(text, shown)
        except DiagnosticError as exc:
            problems.extend(exc.diagnostics)
            continue
        files[shown] = parsed
        targets = []
        for item in parsed.items:
            if isinstance(item, ast.Import):
                target = Path(os.path.normpath(path.parent / item.path))
                if not target.is_file():
                    problems.append(
                        Diagnostic(
                            "R503",
                            Severity.ERROR,
                            f"imported file {item.path!r} not found",
                            file=shown,
                            span=item.span,
                        )
                    )
                    continue
                targets.append(str(target))
                spans[(shown, str(target))] = item.span
                queue.append(target)
        imports[shown] = targets
    return list(files.values()), imports, spans, problems


def check_rules(paths: Iterable[str | os.PathLike[str]]) -> list[Diagnostic]:
    """Every diagnostic for the rule files (errors and warnings), without building anything."""
    files, imports, spans, problems = parse_rule_files(paths)
    _, diagnostics = check_files(files, imports, spans)
    return [*problems, *diagnostics]


def load_program(paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str]) -> Program:
    """Parse, check and compile rule files; raise :class:`DiagnosticError` on any error.

    ``paths`` may name files or directories (searched for ``*.ckr``).
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files, imports, spans, problems = parse_rule_files(paths)
    checked, diagnostics = check_files(files, imports, spans)
    everything = [*problems, *diagnostics]
    if not files and not problems:
        everything.append(Diagnostic("R100", Severity.ERROR, "no rule files given"))
    if any(d.is_error for d in everything):
        raise DiagnosticError(everything)
    compiled = tuple(compile_rulebook(c) for c in checked)
    return Program(compiled, tuple(everything))
