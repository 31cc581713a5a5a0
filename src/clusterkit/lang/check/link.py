"""Checking a whole program: files in import order, import cycles, definitions no file
uses, and versions of one rulebook in force on the same day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Severity, Span
from clusterkit.lang import ast
from clusterkit.lang.check.checked import Checked, NodeTables
from clusterkit.lang.check.declare import declare
from clusterkit.lang.check.rules import FileChecker
from clusterkit.messages import msg

__all__ = ["check_files"]


def check_files(
    files: Sequence[ast.RuleFile],
    imports: dict[str, list[str]],
    import_spans: dict[tuple[str, str], Span],
) -> tuple[list[Checked], list[Diagnostic]]:
    """Check parsed files; ``imports`` maps a file's path to the paths it imports.

    The declarations of every file (``kind``, ``extend``, ``unit``) make the program's
    one schema, which every file is checked against. Files are checked imports-first.
    Returns the checked files (in that order) and every diagnostic, errors and
    warnings, sorted by position.
    """
    schema, diagnostics = declare(files)
    by_path = {f.path: f for f in files}
    order = _import_order(by_path, imports, import_spans, diagnostics)
    checked: dict[str, Checked] = {}
    used: set[tuple[str, str]] = set()
    tables = NodeTables()
    for path in order:
        imported = [checked[p] for p in imports.get(path, []) if p in checked]
        checker = FileChecker(
            by_path[path], imported, diagnostics, used, schema=schema, tables=tables
        )
        checked[path] = checker.run()
    results = [checked[p] for p in order]
    diagnostics.extend(_unused(results, used))
    diagnostics.extend(_version_overlaps(results))
    diagnostics.sort(
        key=lambda d: (
            d.file or "",
            d.span.line if d.span else 0,
            d.span.column if d.span else 0,
            d.code,
        )
    )
    return results, diagnostics


def _import_order(
    by_path: dict[str, ast.RuleFile],
    imports: dict[str, list[str]],
    spans: dict[tuple[str, str], Span],
    diagnostics: list[Diagnostic],
) -> list[str]:
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(path: str, trail: list[str]) -> None:
        if state.get(path) == "done":
            return
        if state.get(path) == "active":
            cycle = [*trail[trail.index(path) :], path]
            span = spans.get((trail[-1], path)) or Span.point(trail[-1], 1, 1)
            diagnostics.append(
                Diagnostic(
                    codes.IMPORT_CYCLE,
                    Severity.ERROR,
                    msg("import cycle: {files}", files=" → ".join(cycle)),
                    file=span.file,
                    span=span,
                )
            )
            return
        state[path] = "active"
        for target in imports.get(path, []):
            if target in by_path:
                visit(target, [*trail, path])
        state[path] = "done"
        order.append(path)

    for path in by_path:
        visit(path, [])
    return order


def _unused(results: list[Checked], used: set[tuple[str, str]]) -> Iterator[Diagnostic]:
    for checked in results:
        for item in checked.file.items:
            if isinstance(item, ast.Const | ast.FigureDecl | ast.Param):
                key = (checked.path, item.name)
                what = {ast.Const: "const", ast.FigureDecl: "figure", ast.Param: "param"}[
                    type(item)
                ]
            elif isinstance(item, ast.Function):
                key = (checked.path, f"function:{item.name}")
                what = "function"
            elif isinstance(item, ast.Define):
                key = (checked.path, f"define:{item.entity}.{item.name}")
                what = "define"
            else:
                continue
            if key not in used:
                yield Diagnostic(
                    codes.UNUSED,
                    Severity.WARNING,
                    msg("{what} {name!r} is never used", what=what, name=item.name),
                    file=checked.path,
                    span=item.span,
                )


def _version_overlaps(results: list[Checked]) -> Iterator[Diagnostic]:
    by_id: dict[str, list[Checked]] = {}
    for checked in results:
        by_id.setdefault(checked.id, []).append(checked)
    for versions in by_id.values():
        for i, a in enumerate(versions):
            for b in versions[i + 1 :]:
                overlap = _date_overlap(a.file.header, b.file.header)
                if overlap is not None:
                    yield Diagnostic(
                        codes.VERSION_OVERLAP,
                        Severity.ERROR,
                        msg(
                            "versions {a} ({path}) and {b} of rulebook {id} are both in force "
                            "{overlap}",
                            a=a.file.header.version or msg("(unversioned)"),
                            path=a.path,
                            b=b.file.header.version or msg("(unversioned)"),
                            id=a.id,
                            overlap=overlap,
                        ),
                        file=b.path,
                        span=b.file.header.span,
                        hint=msg(
                            "give the versions 'in force from ... until ...' dates that "
                            "do not overlap"
                        ),
                    )


def _date_overlap(a: ast.Header, b: ast.Header) -> str | None:
    start = max(a.in_force_from or dt.date.min, b.in_force_from or dt.date.min)
    end = min(a.in_force_until or dt.date.max, b.in_force_until or dt.date.max)
    if start > end:
        return None
    if start == dt.date.min and end == dt.date.max:
        return msg("at all times")
    if start == dt.date.min:
        return msg("from the start until {end}", end=end.isoformat())
    if end == dt.date.max:
        return msg("from {start} on", start=start.isoformat())
    return msg("from {start} until {end}", start=start.isoformat(), end=end.isoformat())
