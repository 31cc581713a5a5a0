"""What data may hold: the built-in Kazakh model, and what a policy author declares.

The domain model (:mod:`clusterkit.model`) is the default schema that ships with
clusterkit. Rule files may declare more (``kind``, ``extend``, ``unit`` in the rules
language): new entity kinds with typed fields, new fields of existing kinds, more
values of an enumeration, another identifier scheme, units of their own. A
:class:`Schema` is those declarations; an empty one is the built-in model alone.
Both the checker (what rules can read) and the loaders (what data files may hold)
work from it.

A schema is kept with the data it describes (a store, a backup, a saved dataset) in
its own JSON form, ``clusterkit.schema/1`` (:func:`schema_to_data`,
:func:`schema_from_data`), so that the data can be read without the rule files it
was declared in.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from clusterkit.identifiers import SCHEMES
from clusterkit.messages import msg

__all__ = [
    "BUILTIN_IDENTIFIERS",
    "DEFAULT_SCHEMA",
    "EXTENDABLE",
    "SCHEMA_FORMAT",
    "FieldDecl",
    "FieldType",
    "KindDecl",
    "Schema",
    "SchemaConflictError",
    "SchemaFormatError",
    "require_schema",
    "schema_from_data",
    "schema_to_data",
]


@attrs.frozen
class FieldType:
    """A declared field's type.

    Attributes:
        kind: ``money``, ``number``, ``percent``, ``date``, ``text``, ``bool``,
            ``choice``, ``list``, ``identifier`` or ``ref``.
        currency: money in this one currency (None: any currency).
        unit: a number's unit as written (``FTE``, ``thousand tonne``, ``person``).
        choices: the allowed values of a ``choice``.
        item: the type of a list's items.
        name: an identifier's scheme, or the entity kind a reference names.
    """

    kind: str
    currency: str | None = None
    unit: str | None = None
    choices: tuple[str, ...] = ()
    item: FieldType | None = None
    name: str | None = None

    def describe(self) -> str:
        """The type as a policy author writes it (``money in RUB``, ``list of text``)."""
        if self.kind == "money":
            return f"money in {self.currency}" if self.currency else "money"
        if self.kind == "number":
            return f"number in {self.unit}" if self.unit else "number"
        if self.kind == "bool":
            return "yes/no"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "list" and self.item is not None:
            return f"list of {self.item.describe()}"
        if self.kind == "identifier":
            return f"identifier {self.name}"
        if self.kind == "ref":
            return str(self.name)
        return self.kind


@attrs.frozen
class FieldDecl:
    """A declared field: its name, type, whether data must give it, and where it was
    declared (``file:line``)."""

    name: str
    type: FieldType
    required: bool = False
    origin: str = attrs.field(default="", eq=False)


@attrs.frozen
class KindDecl:
    """A declared entity kind.

    Attributes:
        name: the kind's name in rules (``cost_item``).
        collection: its collection in data files and rules (``cost_items``).
        parent: the kind it belongs to: each record names one (a field of that name),
            and the parent gains a list of its records under ``collection``.
        id_scheme: the scheme of its ids (None when records have no ids).
        id_required: whether every record must have an id.
        fields: its fields, in order.
        titles: its name for people, by language.
    """

    name: str
    collection: str
    parent: str | None = None
    id_scheme: str | None = None
    id_required: bool = False
    fields: tuple[FieldDecl, ...] = ()
    titles: tuple[tuple[str, str], ...] = ()
    origin: str = attrs.field(default="", eq=False)

    def field(self, name: str) -> FieldDecl | None:
        return next((f for f in self.fields if f.name == name), None)


#: Identifier fields of the built-in model and their schemes in the default schema. A
#: schema may declare another scheme for them (``extend participant`` / ``field bin:
#: identifier ru_inn``), or make them optional.
BUILTIN_IDENTIFIERS: dict[tuple[str, str], FieldDecl] = {
    ("participant", "bin"): FieldDecl("bin", FieldType("identifier", name="kz_bin"), True),
    ("participant", "oked"): FieldDecl("oked", FieldType("identifier", name="kz_oked"), True),
}

#: Enumeration fields of the built-in model that a schema may give more values.
EXTENDABLE: dict[tuple[str, str], str] = {("participant", "role"): "participant roles"}


class SchemaConflictError(ValueError):
    """Two schemas declare the same thing differently; ``problems`` says what."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@attrs.frozen
class Schema:
    """Declarations on top of the built-in model.

    Attributes:
        kinds: new entity kinds.
        extensions: ``(built-in kind, field)`` pairs: new fields of existing kinds,
            and built-in identifier fields given another scheme.
        allowed: ``(kind, field, values)``: more values of an enumeration.
        units: units declared as units of their own, each a group of words for it
            (``("tonne", "tonnes")``), the first its name.
    """

    kinds: tuple[KindDecl, ...] = ()
    extensions: tuple[tuple[str, FieldDecl], ...] = ()
    allowed: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    units: tuple[tuple[str, ...], ...] = ()

    @property
    def is_default(self) -> bool:
        return not (self.kinds or self.extensions or self.allowed or self.units)

    def kind(self, name: str) -> KindDecl | None:
        return next((k for k in self.kinds if k.name == name), None)

    def kind_of_collection(self, collection: str) -> KindDecl | None:
        return next((k for k in self.kinds if k.collection == collection), None)

    def extension_fields(self, kind: str) -> dict[str, FieldDecl]:
        """The declared fields of a built-in kind, built-in identifiers included."""
        fields = {
            f.name: f
            for (owner, name), f in BUILTIN_IDENTIFIERS.items()
            if owner == kind and name == f.name
        }
        fields.update((f.name, f) for owner, f in self.extensions if owner == kind)
        return fields

    def extra_choices(self, kind: str, field: str) -> tuple[str, ...]:
        return tuple(v for k, f, values in self.allowed if (k, f) == (kind, field) for v in values)

    def children(self, parent: str) -> tuple[KindDecl, ...]:
        """The declared kinds that belong to ``parent``."""
        return tuple(k for k in self.kinds if k.parent == parent)

    def merged(self, other: Schema) -> Schema:
        """Both schemas' declarations; :class:`SchemaConflictError` if they disagree.

        A declaration made identically in both (a schema file imported twice) is kept once.
        """
        problems: list[str] = []
        kinds = list(self.kinds)
        for kind in other.kinds:
            mine = self.kind(kind.name)
            if mine is None:
                kinds.append(kind)
            elif mine != kind:
                problems.append(
                    msg("kind {name!r} is declared differently in two places", name=kind.name)
                )
        extensions = list(self.extensions)
        for owner, field in other.extensions:
            mine_field = next(
                (f for k, f in self.extensions if (k, f.name) == (owner, field.name)), None
            )
            if mine_field is None:
                extensions.append((owner, field))
            elif mine_field != field:
                problems.append(
                    msg(
                        "{owner}.{field} is declared differently in two places",
                        owner=owner,
                        field=field.name,
                    )
                )
        if problems:
            raise SchemaConflictError(problems)
        allowed = list(self.allowed)
        allowed.extend(a for a in other.allowed if a not in allowed)
        units = (*self.units, *(u for u in other.units if u not in self.units))
        return Schema(tuple(kinds), tuple(extensions), tuple(allowed), units)


#: The built-in Kazakh model alone.
DEFAULT_SCHEMA = Schema()


# -- the schema's JSON form ------------------------------------------------------------------

#: The format of a schema kept with its data; a reader refuses one it does not know.
SCHEMA_FORMAT = "clusterkit.schema/1"

#: The kinds of a declared field's type.
FIELD_KINDS = frozenset(
    ("money", "number", "percent", "date", "text", "bool", "choice", "list", "identifier", "ref")
)


def require_schema(schema: object, function: str) -> None:
    """A program (rather than its ``.schema``) or anything but a :class:`Schema` named at
    the door, not an ``AttributeError`` from inside."""
    if schema is not None and not isinstance(schema, Schema):
        raise TypeError(
            f"{function}: schema must be a Schema (program.schema) or None, "
            f"not {type(schema).__name__}"
        )


class SchemaFormatError(ValueError):
    """A schema's JSON form cannot be read; ``problems`` are ``(data path, message)``."""

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in self.problems))


@attrs.frozen
class _Extension:
    kind: str
    field: FieldDecl


@attrs.frozen
class _Allowed:
    kind: str
    field: str
    values: tuple[str, ...]


@attrs.frozen
class _Form:
    """A schema as it is written: extensions and enumeration values as objects."""

    format: str
    kinds: tuple[KindDecl, ...] = ()
    extensions: tuple[_Extension, ...] = ()
    allowed: tuple[_Allowed, ...] = ()
    units: tuple[tuple[str, ...], ...] = ()


def _text(value: object, _type: type) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value


def _yes_no(value: object, _type: type) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


@cache
def _converter() -> cattrs.Converter:
    """Made when a schema is first read or written as data, not at import."""
    # Strict like clusterkit's data converter (a number is not text), and compact:
    # defaults are left out, and so is where a declaration was made (a path on the
    # machine that read the rule files, meaningless where the data goes).
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True, omit_if_default=True)
    conv.register_structure_hook(str, _text)
    conv.register_structure_hook(bool, _yes_no)
    for cls in (FieldDecl, KindDecl):
        conv.register_unstructure_hook(
            cls,
            make_dict_unstructure_fn(
                cls, conv, _cattrs_omit_if_default=True, origin=override(omit=True)
            ),
        )
        conv.register_structure_hook(
            cls,
            make_dict_structure_fn(
                cls, conv, _cattrs_forbid_extra_keys=True, origin=override(omit=True)
            ),
        )
    return conv


def schema_to_data(schema: Schema) -> dict[str, Any]:
    """The schema's JSON form (format :data:`SCHEMA_FORMAT`), plain data for ``json``."""
    form = _Form(
        SCHEMA_FORMAT,
        schema.kinds,
        tuple(_Extension(kind, field) for kind, field in schema.extensions),
        tuple(_Allowed(kind, field, values) for kind, field, values in schema.allowed),
        schema.units,
    )
    data: dict[str, Any] = _converter().unstructure(form)
    return data


def schema_from_data(data: object) -> Schema:
    """The schema a JSON form describes; :class:`SchemaFormatError` saying every problem
    (with its data path) if it is not one, or is in a format this clusterkit does not read."""
    if not isinstance(data, dict):
        raise SchemaFormatError([("", "expected an object (a clusterkit schema)")])
    found = data.get("format")
    if found != SCHEMA_FORMAT:
        if isinstance(found, str) and found.startswith("clusterkit.schema/"):
            message = (
                f"the schema is in format {found}, which this clusterkit does not read "
                f"({SCHEMA_FORMAT}); upgrade clusterkit to read it"
            )
        else:
            message = f"not a clusterkit schema (expected format {SCHEMA_FORMAT!r})"
        raise SchemaFormatError([("format", message)])
    try:
        form = _converter().structure(data, _Form)
    except Exception as exc:  # every cattrs failure, flattened to paths below
        raise SchemaFormatError(_structure_problems(exc)) from None
    schema = Schema(
        form.kinds,
        tuple((e.kind, e.field) for e in form.extensions),
        tuple((a.kind, a.field, a.values) for a in form.allowed),
        form.units,
    )
    problems = list(_problems(schema))
    if problems:
        raise SchemaFormatError(problems)
    return schema


def _structure_problems(exc: BaseException) -> list[tuple[str, str]]:
    # clusterkit.serde flattens cattrs errors into data paths; it imports the model,
    # which imports this module, hence the import here.
    from clusterkit.serde import structure_errors  # noqa: PLC0415

    try:
        return list(structure_errors(exc, "")) or [("", str(exc))]
    except Exception:
        return [("", str(exc) or type(exc).__name__)]


def _type_problems(field: FieldType, path: str) -> Iterable[tuple[str, str]]:
    if field.kind not in FIELD_KINDS:
        yield (
            f"{path}.kind",
            f"{field.kind!r} is not a type (one of: {', '.join(sorted(FIELD_KINDS))})",
        )
    elif field.kind == "list":
        if field.item is None:
            yield f"{path}.item", "a list names the type of its items"
        else:
            yield from _type_problems(field.item, f"{path}.item")
    elif field.kind == "choice" and not field.choices:
        yield f"{path}.choices", "a choice names its values"
    elif field.kind == "identifier" and field.name not in SCHEMES:
        yield f"{path}.name", f"{field.name!r} is not an identifier scheme clusterkit knows"
    elif field.kind == "ref" and not field.name:
        yield f"{path}.name", "a reference names the kind it refers to"


def _problems(schema: Schema) -> Iterable[tuple[str, str]]:
    """What a schema read from JSON has that a schema declared in rule files cannot."""
    names: set[str] = set()
    collections: set[str] = set()
    for i, kind in enumerate(schema.kinds):
        path = f"kinds[{i}]"
        if kind.name in names:
            yield f"{path}.name", f"kind {kind.name!r} is declared twice"
        if kind.collection in collections:
            yield f"{path}.collection", f"collection {kind.collection!r} is declared twice"
        names.add(kind.name)
        collections.add(kind.collection)
        if kind.id_scheme is not None and kind.id_scheme not in SCHEMES:
            yield (
                f"{path}.id_scheme",
                f"{kind.id_scheme!r} is not an identifier scheme clusterkit knows",
            )
        for j, field in enumerate(kind.fields):
            yield from _type_problems(field.type, f"{path}.fields[{j}].type")
    for i, (_owner, field) in enumerate(schema.extensions):
        yield from _type_problems(field.type, f"extensions[{i}].field.type")
    for i, words in enumerate(schema.units):
        if not words:
            yield f"units[{i}]", "a unit has at least its name"
