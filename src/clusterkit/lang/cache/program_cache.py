"""A cache of compiled programs: what :func:`clusterkit.load_rules` builds, given back
without parsing, checking or compiling while nothing it came from has changed.

An entry is found and keyed as an entry of the cache of checked rules is
(:mod:`clusterkit.lang.cache.check_cache`: clusterkit's version and a fingerprint of its own
files, Python's version, the language, the folders, the bytes of every rule file
named and of every file imported), in the ``programs/`` folder beside ``checked/``.
It holds, for each rulebook, what the compiler generated
(:class:`~clusterkit.lang.compile.compiled.Generated`: the Python source, its constants, each
rule's metadata and trace labels) as JSON whose every value is tagged with its type
from a short list of known types, and the code objects compiled from that source, as
:mod:`marshal` writes them; the program's warnings; the schema its rules declare.
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

import datetime as dt
import hashlib
import json
import marshal
import os
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from types import CodeType
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from clusterkit.diagnostics import Diagnostic, Span
from clusterkit.lang.cache import check_cache
from clusterkit.lang.check import types as ty
from clusterkit.lang.check.units import Dim
from clusterkit.lang.compile.compiled import BookHeader, Generated, Later, RulePlan, bind
from clusterkit.lang.results.rule_info import Label, RequireInfo, RuleInfo
from clusterkit.lang.runtime.arith import Table
from clusterkit.lang.runtime.intervals import Interval
from clusterkit.schema import DEFAULT_SCHEMA, FieldDecl, FieldType, KindDecl, Schema

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

#: The classes an entry may hold, by name; nothing else is ever made from an entry.
_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        BookHeader,
        Generated,
        RulePlan,
        RuleInfo,
        Label,
        RequireInfo,
        ty.NumT,
        ty.BoolT,
        ty.TextT,
        ty.DateT,
        ty.NoneT,
        ty.EntityT,
        ty.ListT,
        ty.TableT,
        ty.ErrT,
        Schema,
        KindDecl,
        FieldDecl,
        FieldType,
    )
}


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


def encode(value: object) -> Any:
    """``value`` as JSON that :func:`decode` reads back as the same value of the same
    type; TypeError for a value of a type not known here. A value that appears more
    than once (the same object: a rulebook's trace labels, a rule's span) is written
    once and referred to after."""
    counts: dict[object, int] = {}
    _count(value, counts)
    return _Writer({k for k, n in counts.items() if n > 1}).write(value)


def decode(data: Any) -> Any:
    """What :func:`encode` wrote."""
    return _Reader().read(data)


_SCALARS = (str, int, bool, type(None), Decimal, dt.date)
_BY_VALUE = frozenset(
    (Span, Dim, Label, ty.NumT, ty.BoolT, ty.TextT, ty.DateT, ty.NoneT, ty.EntityT, ty.ListT)
)


def _parts(value: Any) -> tuple[object, ...]:
    """The values inside a value of a type :func:`encode` knows."""
    kind = type(value)
    if kind in (tuple, list, frozenset, Interval):
        return tuple(value)
    if kind is Table:
        return tuple(v for pair in value.items() for v in pair)
    if _CLASSES.get(kind.__name__) is kind:
        return tuple(getattr(value, f.name) for f in attrs.fields(kind))
    return ()


def _identity(value: object) -> object:
    """What tells values apart for writing them once: their value for a few immutable
    kinds that never hold a number (two equal types are one type), else the object."""
    return (type(value), value) if type(value) in _BY_VALUE else id(value)


def _count(value: object, counts: dict[object, int]) -> None:
    if type(value) in _SCALARS:
        return
    key = _identity(value)
    counts[key] = counts.get(key, 0) + 1
    if counts[key] == 1:
        for part in _parts(value):
            _count(part, counts)


class _Writer:
    def __init__(self, shared: set[object]) -> None:
        self.shared = shared
        self.numbers: dict[object, int] = {}

    def write(self, value: object) -> Any:
        kind = type(value)
        if value is None or kind in (str, int, bool):
            return value
        if kind is Decimal:
            return {"N": str(value)}
        if kind is dt.date:
            return {"d": value.isoformat()}  # type: ignore[attr-defined]
        key = _identity(value)
        number = self.numbers.get(key)
        if number is not None:
            return {"r": number}
        out = self.compound(value)
        if key in self.shared:
            self.numbers[key] = len(self.numbers)
            out["#"] = self.numbers[key]
        return out

    def compound(self, value: Any) -> dict[str, Any]:
        kind = type(value)
        if kind is tuple or kind is list:
            return {"T" if kind is tuple else "L": [self.write(v) for v in value]}
        if kind is frozenset:
            items = [self.write(v) for v in value]
            return {"S": sorted(items, key=lambda v: json.dumps(v, sort_keys=True))}
        if kind is Span:
            return {"s": [value.file, value.line, value.column, value.end_line, value.end_column]}
        if kind is Dim:
            return {"D": [[k, v] for k, v in value.items()]}
        if kind is Table:
            return {"t": [[self.write(k), self.write(v)] for k, v in value.items()]}
        if kind is Interval:
            return {"I": [self.write(v) for v in value]}
        if _CLASSES.get(kind.__name__) is kind:
            # By position: the key holds a fingerprint of clusterkit's files, so a class
            # whose fields changed never reads an entry written before.
            return {"@": kind.__name__, "f": [self.write(v) for v in _parts(value)]}
        raise TypeError(f"cannot keep a {kind.__name__} in the cache")


class _Reader:
    def __init__(self) -> None:
        self.shared: dict[int, Any] = {}

    def read(self, data: Any) -> Any:
        if data is None or type(data) in (str, int, bool):
            return data
        if "r" in data:
            return self.shared[data["r"]]
        value = self.compound(data)
        if "#" in data:
            self.shared[data["#"]] = value
        return value

    def compound(self, data: dict[str, Any]) -> Any:
        if "@" in data:
            cls = _CLASSES[data["@"]]
            return cls(*[self.read(v) for v in data["f"]])
        tag = next(iter(data))
        body = data[tag]
        if tag == "N":
            return Decimal(body)
        if tag == "d":
            return dt.date.fromisoformat(body)
        if tag == "T":
            return tuple([self.read(v) for v in body])
        if tag == "L":
            return [self.read(v) for v in body]
        if tag == "S":
            return frozenset(self.read(v) for v in body)
        if tag == "s":
            return Span(*body)
        if tag == "D":
            return Dim(dict(body))
        if tag == "t":
            return Table((self.read(k), self.read(v)) for k, v in body)
        if tag == "I":
            return Interval(*(self.read(v) for v in body))
        raise ValueError(f"unknown tag {tag!r}")
