"""A cache of checked rule files: the diagnostics a check gave, given back while nothing
that could change them has changed.

An entry is found by what was asked (the current folder, the paths as given, the root
imports may come from) and used only if its key matches: a SHA-256 of clusterkit's
version, a fingerprint of clusterkit's own files (the grammar, the checker and the
built-in schema among them), the grammar's text, Python's version, the language of the
environment, the folders as the file system resolves them, and the bytes of every
rule file named; and only if every file it imported still resolves to the same place
with the same bytes. Anything else (an entry cut short or garbled, another version's
entry, an edited import) is a miss, never an error and never a wrong answer: the
rules are then checked and the entry written again.

Entries live in ``$CLUSTERKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/clusterkit``, else
``~/.cache/clusterkit``, under ``checked/``. ``CLUSTERKIT_NO_CACHE=1`` (or ``--no-cache``)
turns the cache off. An entry is written to a temporary file and renamed over the old
one, so a reader sees a whole entry or none, and processes writing at once leave one
whole entry. A check that could not read a file, or found an import missing, is not
kept: its answer depends on more than the texts.

Only :mod:`hashlib`, :mod:`json` and :mod:`os` are needed to find an entry, so a hit
costs reading the files and no import of the checker.

The cache of compiled programs (:mod:`clusterkit.lang.cache.program_cache`) finds, keys and
writes its entries with the same functions (:func:`make_ticket`,
:func:`import_records`, :func:`imported_texts`, :func:`write_entry`), in folders of
its own beside ``checked/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import attrs

import clusterkit
from clusterkit import _version
from clusterkit.diagnostics import Diagnostic, Severity, Span
from clusterkit.i18n import choose_lang
from clusterkit.loader.files import RULE_SUFFIX
from clusterkit.messages import Message

__all__ = [
    "FORMAT",
    "Ticket",
    "cache_folder",
    "cached",
    "import_records",
    "imported_texts",
    "look_up",
    "make_ticket",
    "named_files",
    "read_diagnostic",
    "store",
    "write_diagnostic",
    "write_entry",
]

#: The layout of an entry; another layout is a miss.
FORMAT = 1
#: Entries beyond this many are removed, oldest first.
MAX_ENTRIES = 256
_PACKAGE = Path(clusterkit.__file__).resolve().parent
_OFF = {"1", "true", "yes", "on"}


def cache_folder(environ: Mapping[str, str] | None = None, kind: str = "checked") -> Path | None:
    """Where entries of ``kind`` (``checked``, ``programs``) are kept, or ``None`` when
    the cache is turned off."""
    env = os.environ if environ is None else environ
    if env.get("CLUSTERKIT_NO_CACHE", "").strip().lower() in _OFF:
        return None
    explicit = env.get("CLUSTERKIT_CACHE_DIR")
    if explicit:
        return Path(explicit) / kind
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clusterkit" / kind


@cache
def _code_fingerprint() -> str:
    """clusterkit's own files by name, size and time of change: a checker, schema or
    grammar edited in a working copy changes it even where the version does not."""
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(_PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".lark")):
                stat = os.stat(os.path.join(folder, name))
                where = os.path.relpath(os.path.join(folder, name), _PACKAGE)
                digest.update(f"{where}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    digest.update((_PACKAGE / "lang" / "syntax" / "grammar.lark").read_bytes())
    return digest.hexdigest()


@attrs.define
class Ticket:
    """What a miss leaves for :func:`store`: where the entry goes, its key, and the
    text each named file had when the key was made."""

    entry: Path
    key: str
    named: dict[str, str]


def _decode(data: bytes) -> str:
    """A rule file's text as the reader makes it (UTF-8, a byte-order mark dropped)."""
    return data.decode("utf-8").removeprefix("\ufeff")


def named_files(
    paths: Sequence[str | os.PathLike[str]], root: str | os.PathLike[str] | None
) -> tuple[list[Path], list[Path]]:
    """The rule files the paths name (a folder searched for ``*.ckr`` as the reader
    searches it), and the folders imports may come from."""
    named = [Path(p) for p in paths]
    roots = [Path(root)] if root is not None else []
    roots.extend(p if p.is_dir() else p.parent for p in named)
    files: list[Path] = []
    for path in named:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob(f"*{RULE_SUFFIX}") if p.is_file()))
        else:
            files.append(path)
    return files, roots


def cached(
    paths: Sequence[str | os.PathLike[str]], root: str | os.PathLike[str] | None = None
) -> list[Diagnostic] | None:
    """The diagnostics of checking ``paths`` if the cache has them, else ``None``:
    for a caller that would rather not import the checker before it knows."""
    return look_up(paths, root)[0]


def look_up(
    paths: Sequence[str | os.PathLike[str]], root: str | os.PathLike[str] | None
) -> tuple[list[Diagnostic] | None, Ticket | None]:
    """The cached diagnostics for checking ``paths`` (with imports allowed from
    ``root``), or ``None`` and a ticket for :func:`store`; ``(None, None)`` when the
    cache is off or a named file cannot be read (the check will say why)."""
    ticket = make_ticket(paths, root, "checked", ".json")
    if ticket is None:
        return None, None
    return _read(ticket), ticket


def make_ticket(
    paths: Sequence[str | os.PathLike[str]],
    root: str | os.PathLike[str] | None,
    kind: str,
    suffix: str,
) -> Ticket | None:
    """Where the entry of ``kind`` for ``paths`` goes and the key it must have; None
    when the cache is off or a named file cannot be read."""
    folder = cache_folder(kind=kind)
    if folder is None:
        return None
    try:
        files, roots = named_files(paths, root)
        if not files:
            return None
        asked = [str(p) for p in paths]
        lang = choose_lang(None)
        where = hashlib.sha256(
            json.dumps([os.getcwd(), sorted(asked), [str(r) for r in roots]]).encode()
        ).hexdigest()
        key = hashlib.sha256()
        parts = [FORMAT, _version.__version__, _code_fingerprint(), sys.version, lang]
        parts += [[str(r), str(r.resolve())] for r in roots]
        key.update(json.dumps(parts).encode())
        named: dict[str, str] = {}
        for path in files:
            data = path.read_bytes()
            named[str(path)] = _decode(data)
            key.update(f"\0{path}\0{path.resolve()}\0{len(data)}\0".encode())
            key.update(data)
    except (OSError, UnicodeDecodeError, RuntimeError, ValueError):
        return None
    return Ticket(folder / f"{where[:40]}{suffix}", key.hexdigest(), named)


def _read(ticket: Ticket) -> list[Diagnostic] | None:
    try:
        entry = json.loads(ticket.entry.read_bytes())
        if entry["format"] != FORMAT or entry["key"] != ticket.key:
            return None
        if imported_texts(entry["imports"]) is None:
            return None
        return [read_diagnostic(d) for d in entry["diagnostics"]]
    except Exception:
        return None


def imported_texts(records: Sequence[Sequence[str]]) -> dict[str, str] | None:
    """The text of each imported file an entry names (``[path as shown, path
    resolved, SHA-256 of its bytes]``), or None if one no longer resolves to the same
    file with the same bytes."""
    texts: dict[str, str] = {}
    for shown, resolved, digest in records:
        path = Path(shown)
        if str(path.resolve()) != resolved:
            return None
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            return None
        texts[shown] = _decode(data)
    return texts


def import_records(ticket: Ticket, texts: Mapping[str, str]) -> list[list[str]] | None:
    """What an entry keeps of the files a check read besides those named (``texts``
    by path as shown), for :func:`imported_texts`; None if a file changed since."""
    imports = []
    for shown, text in texts.items():
        if shown in ticket.named:
            if ticket.named[shown] != text:
                return None
            continue
        path = Path(shown)
        try:
            data = path.read_bytes()
            if _decode(data) != text:
                return None
            imports.append([shown, str(path.resolve()), hashlib.sha256(data).hexdigest()])
        except (OSError, UnicodeDecodeError, RuntimeError):
            return None
    return imports


def store(ticket: Ticket, texts: Mapping[str, str], diagnostics: Sequence[Diagnostic]) -> None:
    """Keep ``diagnostics`` for the check ``ticket`` was made for. ``texts`` are the
    texts the check read, by path as shown; a file that changed since it was read, or a
    diagnostic that cannot be written down exactly, leaves nothing kept."""
    imports = import_records(ticket, texts)
    if imports is None:
        return
    try:
        written = [write_diagnostic(d) for d in diagnostics]
    except TypeError:
        return
    entry = {"format": FORMAT, "key": ticket.key, "imports": imports, "diagnostics": written}
    write_entry(ticket.entry, json.dumps(entry, ensure_ascii=False).encode("utf-8"))


def write_entry(entry: Path, content: bytes) -> None:
    """Write an entry whole (a reader sees the old one or the new one), then remove the
    oldest entries beside it beyond :data:`MAX_ENTRIES`; a cache that cannot be written
    is no cache, not a failure."""
    from clusterkit.loader.files import atomic_write  # noqa: PLC0415 - only on a miss

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(entry, content)
        _prune(entry.parent, entry.suffix)
    except OSError:
        pass


def _prune(folder: Path, suffix: str) -> None:
    entries = list(folder.glob(f"*{suffix}"))
    if len(entries) <= MAX_ENTRIES:
        return
    dated = []
    for entry in entries:
        try:
            dated.append((entry.stat().st_mtime_ns, entry))
        except OSError:
            continue
    for _, entry in sorted(dated)[: len(dated) - MAX_ENTRIES]:
        entry.unlink(missing_ok=True)


def write_diagnostic(diagnostic: Diagnostic) -> dict[str, Any]:
    """A diagnostic field by field; a value of a kind not known here raises TypeError."""
    out: dict[str, Any] = {}
    for field in attrs.fields(Diagnostic):
        value = getattr(diagnostic, field.name)
        if isinstance(value, Severity):
            out[field.name] = value.value
        elif isinstance(value, Span):
            out[field.name] = [
                value.file,
                value.line,
                value.column,
                value.end_line,
                value.end_column,
            ]
        else:
            out[field.name] = _value(value)
    return out


def _value(value: object) -> Any:
    """A message or one of its parameters as JSON, so that it reads back equal and of
    the same type (a message keeps its template and parameters, to be shown in
    another language later)."""
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, Message) and type(value) is Message:
        params = {str(k): _value(v) for k, v in value.params.items()}
        return {"message": [value.template, params, value.verbatim]}
    if type(value) is Decimal:
        return {"decimal": str(value)}
    if type(value) in (tuple, list):
        return {type(value).__name__: [_value(v) for v in value]}  # type: ignore[attr-defined]
    raise TypeError(type(value).__name__)


def _read_value(data: Any) -> Any:
    if data is None or type(data) in (str, int, bool):
        return data
    ((kind, body),) = data.items()
    if kind == "message":
        template, params, verbatim = body
        return Message(template, {k: _read_value(v) for k, v in params.items()}, verbatim)
    if kind == "decimal":
        return Decimal(body)
    if kind in ("tuple", "list"):
        items = [_read_value(v) for v in body]
        return tuple(items) if kind == "tuple" else items
    raise TypeError(kind)


def read_diagnostic(data: Mapping[str, Any]) -> Diagnostic:
    fields: dict[str, Any] = {}
    for field in attrs.fields(Diagnostic):
        value = data[field.name]
        if field.name == "severity":
            value = Severity(value)
        elif field.name == "span" and value is not None:
            file, line, column, end_line, end_column = value
            value = Span(file, line, column, end_line, end_column)
        else:
            value = _read_value(value)
        fields[field.name] = value
    return Diagnostic(**fields)
