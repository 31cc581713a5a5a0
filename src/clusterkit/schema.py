"""What data may hold: the built-in Kazakh model, and what a policy author declares.

The domain model (:mod:`clusterkit.model`) is the default schema that ships with
clusterkit. Rule files may declare more (``kind``, ``extend``, ``unit`` in the rules
language): new entity kinds with typed fields, new fields of existing kinds, more
values of an enumeration, another identifier scheme, units of their own. A
:class:`Schema` is those declarations; an empty one is the built-in model alone.
Both the checker (what rules can read) and the loaders (what data files may hold)
work from it.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from clusterkit.messages import msg

__all__ = [
    "BUILTIN_IDENTIFIERS",
    "DEFAULT_SCHEMA",
    "EXTENDABLE",
    "FieldDecl",
    "FieldType",
    "KindDecl",
    "Schema",
    "SchemaConflictError",
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
