"""A cache of compiled programs: what :func:`clusterkit.load_rules` builds, given back
without parsing, checking or compiling while nothing it came from has changed.

An entry is found and keyed as an entry of the cache of checked rules is
(:mod:`clusterkit.lang.cache.check_cache`: clusterkit's version and a fingerprint of its own
files, Python's version, the language, the folders, the bytes of every rule file
named and of every file imported), in the ``programs/`` folder beside ``checked/``.
It holds, for each rulebook, what the compiler generated
(:class:`~clusterkit.lang.compile.compiled.Generated`: the Python source, its constants, each
rule's metadata and trace labels) as JSON whose every value is tagged with its type
from a short list of known types (:mod:`.encoding`), and the code objects compiled from
that source, as :mod:`marshal` writes them; the program's warnings; the schema its
rules declare.
Nothing is unpickled: JSON is read into known types only, and the code is
clusterkit's own generated code, kept where its user keeps it (as Python keeps
``__pycache__``).

An entry starts with a SHA-256 of the rest, so an entry cut short or damaged is found
out before anything of it is used; that, another layout, a stale key or a changed
import is a miss, never a wrong answer or a traceback: the rules are then built and
the entry written again (written whole under another name and renamed, so processes
writing at once leave one whole entry). A program whose constants hold a value of a
type not known here, or that does not read back equal to itself, is not kept.

A program from the cache is the program built afresh, rulebook by rulebook: the same
results, explanations, warnings and provenance, and it pickles as its sources. Its
syntax trees and the checker's records are made again (its texts parsed and checked)
only when something asks for them (:class:`~clusterkit.lang.compile.compiled.Later`).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from collections.abc import Callable, Mapping, Sequence
from types import CodeType
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from clusterkit.diagnostics import Diagnostic
from clusterkit.lang.cache import check_cache
from clusterkit.lang.cache.encoding import decode, encode
from clusterkit.lang.compile.compiled import Generated, Later, bind
from clusterkit.schema import DEFAULT_SCHEMA, Schema

if TYPE_CHECKING:
    from clusterkit.lang.check.checked import Checked
    from clusterkit.lang.compile.compiled import CompiledRulebook
    from clusterkit.lang.program import Program

__all__ = [
    "MAGIC",
    "Found",
    "decode",
    "encode",
    "look_up",
    "look_up_schema",
    "store",
    "store_schema",
]

#: ``(path, text)`` of every rule file a program was built from.
Sources = tuple[tuple[str, str], ...]
#: What the checker learns of each file of a program built from its sources, by path
#: (:func:`clusterkit.lang.program.checked_again`).
Recheck = Callable[[Sources], dict[str, "Checked"]]


class Found(NamedTuple):
    """A program as its entry gives it back: what a
    :class:`~clusterkit.lang.program.Program` is made of."""

    rulebooks: tuple[CompiledRulebook, ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: Sources


@attrs.frozen
class _Entry:
    """An entry read whole and decoded; its rulebooks are bound by :func:`_found`."""

    sources: Sources
    books: list[tuple[Generated, Schema, CodeType, dict[int, CodeType]]]
    warnings: tuple[Diagnostic, ...]


#: The first line of an entry; another is a miss (a new layout changes it).
MAGIC = b"clusterkit-program-1\n"
_DIGEST = 64  # hexadecimal SHA-256 of the rest, on the second line


def look_up(
    paths: Sequence[str | os.PathLike[str]],
    root: str | os.PathLike[str] | None,
    recheck: Recheck,
) -> tuple[Found | None, check_cache.Ticket | None]:
    """The cached program for ``paths`` (imports allowed from ``root``), or ``None``
    and a ticket for :func:`store`; ``(None, None)`` when the cache is off or a named
    file cannot be read (building will say why). Its syntax trees and the checker's
    records are made by ``recheck`` from its sources, when something asks for them."""
    ticket = check_cache.make_ticket(paths, root, "programs", ".ckp")
    if ticket is None:
        return None, None
    try:
        entry = _read(ticket)
        return (None if entry is None else _found(entry, recheck)), ticket
    except Exception:  # whatever an entry holds, it is a miss, never a traceback
        return None, ticket


def store(ticket: check_cache.Ticket, program: Program, texts: Mapping[str, str]) -> None:
    """Keep ``program`` for the load ``ticket`` was made for; ``texts`` are the texts
    it was built from, by path as shown. Nothing is kept if a file changed since it was
    read or the program cannot be written down exactly."""
    imports = check_cache.import_records(ticket, texts)
    if imports is None:
        return
    schemas: list[Schema] = []
    try:
        books = [_book(book, schemas) for book in program.rulebooks]
        warnings = [check_cache.write_diagnostic(d) for d in program.diagnostics]
    except TypeError:
        return
    meta = {
        "key": ticket.key,
        "imports": imports,
        "sources": [path for path, _text in program.sources],
        "warnings": warnings,
        "schemas": [None if s == DEFAULT_SCHEMA else encode(s) for s in schemas],
        "books": [written for written, _codes in books],
    }
    codes = [book_codes for _written, book_codes in books]
    body = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    payload = len(body).to_bytes(8, "big") + body + marshal.dumps(codes)
    digest = hashlib.sha256(payload).hexdigest().encode("ascii")
    check_cache.write_entry(ticket.entry, MAGIC + digest + b"\n" + payload)


def look_up_schema(
    paths: Sequence[str | os.PathLike[str]],
) -> tuple[Schema | None, check_cache.Ticket | None]:
    """The schema the rule files ``paths`` declare, if the cache has it, else ``None``
    and a ticket for :func:`store_schema` (:func:`look_up` says when there is none)."""
    ticket = check_cache.make_ticket(paths, None, "schemas", ".json")
    if ticket is None:
        return None, None
    try:
        entry = json.loads(ticket.entry.read_bytes())
        if entry["key"] != ticket.key or check_cache.imported_texts(entry["imports"]) is None:
            return None, ticket
        schema = DEFAULT_SCHEMA if entry["schema"] is None else decode(entry["schema"])
        return (schema if isinstance(schema, Schema) else None), ticket
    except Exception:  # whatever an entry holds, it is a miss, never a traceback
        return None, ticket


def store_schema(ticket: check_cache.Ticket, schema: Schema, texts: Mapping[str, str]) -> None:
    """Keep a schema declared without a problem, read from ``texts`` (by path as shown)."""
    imports = check_cache.import_records(ticket, texts)
    if imports is None:
        return
    try:
        data = None if schema == DEFAULT_SCHEMA else _exact(schema)
    except TypeError:
        return
    entry = {"key": ticket.key, "imports": imports, "schema": data}
    check_cache.write_entry(ticket.entry, json.dumps(entry, ensure_ascii=False).encode("utf-8"))


def _book(
    book: CompiledRulebook, schemas: list[Schema]
) -> tuple[dict[str, Any], tuple[CodeType, dict[int, CodeType]]]:
    """One rulebook as JSON (its schema by its place in ``schemas``) and its code;
    TypeError if it does not read back exactly."""
    data = _exact(book.generated)
    places = [i for i, known in enumerate(schemas) if known is book.schema]
    if not places:
        _exact(book.schema)
        places.append(len(schemas))
        schemas.append(book.schema)
    schema = places[0]
    codes = {i: rule.batch.code() for i, rule in enumerate(book.rules) if rule.batch is not None}
    return {"generated": data, "schema": schema}, (book.code, codes)


def _exact(value: object) -> Any:
    """``value`` encoded, checked to read back equal and to encode the same again."""
    data = encode(value)
    again = decode(data)
    if again != value or encode(again) != data:
        raise TypeError(f"a {type(value).__name__} that does not read back as it was")
    return data


def _read(ticket: check_cache.Ticket) -> _Entry | None:
    with open(ticket.entry, "rb") as handle:
        raw = handle.read()
    if not raw.startswith(MAGIC):
        return None
    digest = raw[len(MAGIC) : len(MAGIC) + _DIGEST]
    payload = raw[len(MAGIC) + _DIGEST + 1 :]
    if hashlib.sha256(payload).hexdigest().encode("ascii") != digest:
        return None
    size = int.from_bytes(payload[:8], "big")
    meta = json.loads(payload[8 : 8 + size])
    if meta["key"] != ticket.key:
        return None
    imported = check_cache.imported_texts(meta["imports"])
    if imported is None:
        return None
    texts = {**ticket.named, **imported}
    sources = tuple((path, texts[path]) for path in meta["sources"])
    codes = marshal.loads(payload[8 + size :])
    schemas = [DEFAULT_SCHEMA if s is None else decode(s) for s in meta["schemas"]]
    books = []
    for written, (code, batch_codes) in zip(meta["books"], codes, strict=True):
        generated = decode(written["generated"])
        assert isinstance(generated, Generated)
        books.append((generated, schemas[written["schema"]], code, batch_codes))
    warnings = tuple(check_cache.read_diagnostic(d) for d in meta["warnings"])
    return _Entry(sources, books, warnings)


def _found(entry: _Entry, recheck: Recheck) -> Found:
    texts = dict(entry.sources)
    rechecked = Later(lambda: recheck(entry.sources))
    books = []
    for generated, schema, code, batch_codes in entry.books:
        path = generated.header.path
        books.append(
            bind(
                generated,
                schema=schema,
                text=texts[path],
                checked=Later(_checked_of(rechecked, path)),
                code=code,
                batch_codes=batch_codes,
            )
        )
    return Found(tuple(books), entry.warnings, entry.sources)


def _checked_of(recheck: Later[dict[str, Checked]], path: str) -> Callable[[], Checked]:
    return lambda: recheck.get()[path]
