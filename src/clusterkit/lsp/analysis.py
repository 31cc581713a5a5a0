"""One open rule file as the checker sees it: its diagnostics, its syntax tree and what
the checker learnt of each node (types, names, fields), for the editor features.

A document is read as ``clusterkit lint`` reads it (imports from the documents open
in the editor, else from disk), so the editor shows the same diagnostics as the
command line. The language server knows nothing of Lark or of the checker's
internals beyond :class:`~clusterkit.lang.check.checked.Checked`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from clusterkit.diagnostics import Diagnostic
from clusterkit.lang import ast
from clusterkit.lang.check import check_files
from clusterkit.lang.check.checked import Checked

# The reader that ``clusterkit lint`` uses: imports resolved and bounded the same way.
from clusterkit.lang.reader import Reader

__all__ = ["Analysis", "analyse", "analyse_for_editing"]


@attrs.frozen(eq=False)
class Analysis:
    """What is known of one document.

    Attributes:
        path: the document's file path.
        text: the text analysed.
        diagnostics: the diagnostics of this document (not of the files it imports).
        file: its syntax tree, None if it does not parse.
        checked: what the checker learnt, None if it does not parse.
        files: every file read (this one and its imports), by path.
        program: what the checker learnt of every file read.
    """

    path: str
    text: str
    diagnostics: tuple[Diagnostic, ...]
    file: ast.RuleFile | None = None
    checked: Checked | None = None
    files: Mapping[str, ast.RuleFile] = attrs.field(factory=dict)
    program: tuple[Checked, ...] = ()


def analyse(
    path: str, text: str, open_documents: Mapping[str, str] | None = None, root: str | None = None
) -> Analysis:
    """Parse and check ``text`` as the file ``path``; imports come from
    ``open_documents`` (path → text) where open, else from disk, and must stay inside
    the file's folder or ``root`` (the editor's workspace)."""
    path = os.path.normpath(path)
    folder = Path(path).parent
    roots = (folder,) if root is None else (folder, Path(root))
    given = {os.path.normpath(p): t for p, t in (open_documents or {}).items()}
    given[path] = text
    reader = Reader(roots=roots, given=given)
    reader.add(Path(path))
    checked, diagnostics = check_files(list(reader.files.values()), reader.imports, reader.spans)
    mine = tuple(d for d in (*reader.problems, *diagnostics) if d.file in (path, None))
    this = next((c for c in checked if c.path == path), None)
    return Analysis(
        path,
        text,
        mine,
        reader.files.get(path),
        this,
        dict(reader.files),
        tuple(checked),
    )


def analyse_for_editing(
    path: str,
    text: str,
    line: int,
    open_documents: Mapping[str, str] | None = None,
    root: str | None = None,
) -> Analysis:
    """An analysis for completing at a line (1-based) being typed, which seldom parses
    (``require p.``): the text as it is if it parses, else with that line blanked."""
    found = analyse(path, text, open_documents, root)
    if found.file is not None:
        return found
    lines = text.split("\n")
    if 1 <= line <= len(lines):
        lines[line - 1] = ""
        blanked = analyse(path, "\n".join(lines), open_documents, root)
        if blanked.file is not None:
            return blanked
    return found
