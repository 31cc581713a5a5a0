"""What a store keeps of a dataset's schema, and how it reads its documents under it.

A dataset loaded against declarations (kinds, fields of built-in kinds, enumeration
values, units that rule files declare) carries them in ``Dataset.schema``, the
records of the declared kinds in ``Dataset.records`` and the declared fields' values
in each entity's ``extra``. A store keeps the schema itself, in its JSON form
(``clusterkit.schema/1``), not the paths of the rule files: a stored dataset is read
with no access to them. Stored documents are read back under the stored schema, by
the structurer the loaders use where it declares something (records of its kinds,
objects with fields it declares) and by the data converter alone elsewhere, so a
store gives back exactly the dataset that was imported, at the old speed where
nothing is declared.

An import adds to what the store holds: the dataset's declarations replace the
store's of the same name (kinds, fields, enumerations, units) and the rest are kept;
records of a declared kind that have ids are merged by id like clusters, and those
without ids are replaced by the dataset's, like benchmarks and rates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from clusterkit.i18n import local as _
from clusterkit.loader.structure import Structurer, declares
from clusterkit.model import Dataset, Declared, Record, Records
from clusterkit.model.dataset import COLLECTIONS
from clusterkit.plugins import StoreError
from clusterkit.schema import (
    DEFAULT_SCHEMA,
    KindDecl,
    Schema,
    SchemaFormatError,
    schema_from_data,
    schema_to_data,
)
from clusterkit.serde import structure, structure_errors, unstructure

__all__ = ["Reader", "combine", "dump_schema", "load_schema", "merge_records", "records_of"]

T = TypeVar("T")


def dump_schema(schema: Schema) -> str:
    """The schema as a store keeps it: its JSON form, as one line of JSON text."""
    return json.dumps(schema_to_data(schema), ensure_ascii=False, sort_keys=True)


def load_schema(text: str | None, where: str) -> Schema:
    """The schema a store keeps (``None``: a store written before schemas were kept,
    which holds the built-in model alone); :class:`StoreError` if it cannot be read."""
    if text is None:
        return DEFAULT_SCHEMA
    try:
        return schema_from_data(json.loads(text))
    except (ValueError, RecursionError) as exc:  # SchemaFormatError is a ValueError
        reason = str(exc) if isinstance(exc, SchemaFormatError) else _not_json(exc)
        message = _("the stored schema cannot be read ({reason})").format(reason=reason)
        raise StoreError(f"{where}: {message}") from None


def _replace(
    old: Sequence[T], new: Sequence[T], key: Callable[[T], Hashable], drop: Callable[[T], bool]
) -> tuple[T, ...]:
    """``old`` with each item ``new`` has a key of replaced in place, items ``drop``
    rejects left out, and the rest of ``new`` after them."""
    fresh = {key(item): item for item in new}
    placed: set[Hashable] = set()
    out: list[T] = []
    for item in old:
        k = key(item)
        if k in fresh:
            if k not in placed:
                out.append(fresh[k])
                placed.add(k)
        elif not drop(item):
            out.append(item)
    out.extend(item for item in new if key(item) not in placed)
    return tuple(out)


def combine(stored: Schema, new: Schema) -> Schema:
    """The store's schema after importing a dataset with schema ``new``: the dataset's
    declarations replace the store's of the same name, the others are kept."""
    if stored.is_default or stored == new:
        return new
    if new.is_default:
        return stored
    collections = {k.collection for k in new.kinds}
    names = {k.name for k in new.kinds}
    kinds = _replace(
        stored.kinds,
        new.kinds,
        lambda k: k.name,
        lambda k: k.collection in collections and k.name not in names,
    )
    extensions = _replace(
        stored.extensions, new.extensions, lambda e: (e[0], e[1].name), lambda _e: False
    )
    allowed = _replace(stored.allowed, new.allowed, lambda a: (a[0], a[1]), lambda _a: False)
    units = _replace(stored.units, new.units, lambda u: u[0] if u else "", lambda _u: False)
    return Schema(kinds, extensions, allowed, units)


def _has_ids(kind: KindDecl) -> bool:
    return kind.id_scheme is not None or kind.id_required


def records_of(records: Mapping[str, tuple[Record, ...]], schema: Schema) -> Records:
    """Records as a loaded dataset holds them: a collection for every declared kind
    (empty when there are none), in the schema's order."""
    return Records({k.collection: tuple(records.get(k.collection, ())) for k in schema.kinds})


def merge_records(old: Records, new: Records, declared: Schema, schema: Schema) -> Records:
    """The store's records after importing ``new`` (of a dataset whose schema is
    ``declared``) into a store holding ``old``; ``schema`` is the store's schema after
    the import. Records with ids replace those with the same id in place and are added
    after the others; the records without ids of a kind the dataset declares replace
    the store's."""
    unknown = [c for c, items in new.items() if items and schema.kind_of_collection(c) is None]
    if unknown:
        raise StoreError(
            _("the dataset has records of {kinds}, which its schema does not declare").format(
                kinds=", ".join(map(repr, unknown))
            )
        )
    merged: dict[str, tuple[Record, ...]] = {}
    for kind in schema.kinds:
        before = tuple(old.get(kind.collection, ()))
        given = tuple(new.get(kind.collection, ()))
        if declared.kind_of_collection(kind.collection) is None and not given:
            merged[kind.collection] = before
            continue
        if not _has_ids(kind):
            merged[kind.collection] = given
            continue
        with_ids = _replace(
            [r for r in before if r.id is not None],
            [r for r in given if r.id is not None],
            lambda r: r.id,
            lambda _r: False,
        )
        merged[kind.collection] = with_ids + tuple(r for r in given if r.id is None)
    return records_of(merged, schema)


class Reader:
    """Reads a store's documents under its schema: each built-in entity with the fields
    the schema declares for it, each record of a declared kind; a document that does
    not fit is a :class:`StoreError` naming what and where."""

    def __init__(self, schema: Schema, where: str) -> None:
        self.schema = schema
        self.where = where
        self._declaring: dict[type, bool] = {}

    def _fail(self, what: str, problems: Iterable[tuple[str, str, str]]) -> StoreError:
        found = _listed(problems) or _("not an object")
        return StoreError(
            _("{where}: a stored {what} cannot be read ({found})").format(
                where=self.where, what=what, found=found
            )
        )

    def _raw(self, doc: str | object, what: str) -> object:
        if not isinstance(doc, str):
            return doc
        try:
            return json.loads(doc, parse_float=Decimal)
        except (ValueError, RecursionError) as exc:
            raise self._fail(what, [("", _not_json(exc), "")]) from None

    def _declares(self, cls: type) -> bool:
        """Whether the schema declares fields of ``cls`` or of a class nested in it."""
        found = self._declaring.get(cls)
        if found is None:
            found = self._declaring[cls] = declares(self.schema, cls)
        return found

    def entity(self, doc: str | object, cls: type[T]) -> T:
        """A built-in entity from its stored JSON (text, or already parsed)."""
        raw = self._raw(doc, cls.__name__)
        if not self._declares(cls):
            # Nothing declared for it: the data converter alone reads it, as it did
            # before schemas were stored (what was stored was checked when imported).
            try:
                return structure(raw, cls)
            except Exception as exc:  # every cattrs failure, flattened below
                problems = [(p, m, "") for p, m in _flattened(exc)]
                raise self._fail(cls.__name__, problems) from None
        structurer = Structurer(self.schema)
        built = structurer.build(raw, cls, "")
        if built is None or structurer.problems:
            raise self._fail(cls.__name__, structurer.problems)
        result: T = built
        return result

    def record(self, collection: str, doc: str | object) -> Record:
        """A record of the declared kind whose collection is ``collection``."""
        kind = self.schema.kind_of_collection(collection)
        if kind is None:
            message = _(
                "the stored schema declares no kind with the collection {collection!r}"
            ).format(collection=collection)
            what = _("record of {collection!r}").format(collection=collection)
            raise self._fail(what, [("", message, "")])
        structurer = Structurer(self.schema)
        built = structurer.record(self._raw(doc, kind.name), kind, "")
        if built is None or structurer.problems:
            raise self._fail(kind.name, structurer.problems)
        return built

    def fits(self, value: Any, what: str) -> None:
        """Refuse to write an entity the store could not read back under its schema
        (a field the schema does not declare, a value not of its declared type)."""
        if not self._declares(type(value)):
            # Nothing declared for it: any declared value it holds is one too many.
            stray = _stray(value, "")
            if stray is not None:
                found = _("{path}: unknown key, not a field the schema declares").format(path=stray)
                raise StoreError(_not_fitting(what, found))
            return
        structurer = Structurer(self.schema)
        structurer.build(unstructure(value), type(value), "")
        if structurer.problems:
            raise StoreError(_not_fitting(what, _listed(structurer.problems)))

    def dataset_fits(self, dataset: Dataset) -> None:
        """:meth:`fits` for every entity and record of a dataset about to be written."""
        for name in COLLECTIONS:
            for i, item in enumerate(getattr(dataset, name)):
                self.fits(item, f"{name}[{i}]")
        for collection, records in dataset.records.items():
            kind = self.schema.kind_of_collection(collection)
            for i, record in enumerate(records):
                structurer = Structurer(self.schema)
                if kind is not None:
                    structurer.record(unstructure(record), kind, "")
                if kind is None or structurer.problems:
                    found = _listed(structurer.problems) or _("its kind is not declared")
                    raise StoreError(_not_fitting(f"{collection}[{i}]", found))


def _stray(value: object, path: str) -> str | None:
    """The path of the first declared value held by ``value`` or an object in it."""
    if isinstance(value, Declared) and value.extra:
        return _join(path, next(iter(value.extra)))
    cls: Any = type(value)
    if not attrs.has(cls):
        return None
    for field in attrs.fields(cls):
        inner = getattr(value, field.name)
        if isinstance(inner, Declared):
            found = _stray(inner, _join(path, field.name))
        elif isinstance(inner, tuple) and inner and isinstance(inner[0], Declared):
            found = next(
                (
                    hit
                    for i, item in enumerate(inner)
                    if (hit := _stray(item, f"{_join(path, field.name)}[{i}]")) is not None
                ),
                None,
            )
        else:
            continue
        if found is not None:
            return found
    return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _not_fitting(what: str, found: str) -> str:
    return _("{what} does not fit the store's schema ({found})").format(what=what, found=found)


def _not_json(exc: Exception) -> str:
    return _("not JSON: {error}").format(error=exc)


def _flattened(exc: Exception) -> list[tuple[str, str]]:
    try:
        return list(structure_errors(exc, ""))
    except Exception:
        return [("", str(exc) or type(exc).__name__)]


def _listed(problems: Iterable[tuple[str, str, str]]) -> str:
    return "; ".join(f"{path}: {message}" if path else message for path, message, _code in problems)
