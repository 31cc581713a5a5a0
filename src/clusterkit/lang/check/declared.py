"""What rules can read under a schema: the built-in model's fields plus what the
schema declares (new kinds, new fields, more enumeration values, child lists).

A :class:`SchemaView` answers the checker's questions ("what fields has a
``cost_item``?", "what is the collection ``cost_items``?") and gives the code that reads
each field, for the compiler.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from clusterkit.lang.check.schema import (
    COLLECTIONS,
    ENTITIES,
    FieldSpec,
    entity_fields,
    extendable_values,
)
from clusterkit.lang.types.units import DIMENSIONLESS, Dim, currency_dim, resolve_unit
from clusterkit.lang.types.value_types import (
    BOOL,
    DATE,
    RATIO,
    TEXT,
    EntityT,
    ListT,
    NumT,
    TextT,
    Type,
    nullable,
)
from clusterkit.numbers import SCALE_POWERS
from clusterkit.schema import EXTENDABLE, FieldDecl, FieldType, KindDecl, Schema

__all__ = ["SchemaView", "schema_view"]


class SchemaView:
    """The kinds, fields and collections rules can read under one schema, with money in
    one currency (the rulebook's)."""

    def __init__(self, schema: Schema, currency: str) -> None:
        self.schema = schema
        self.currency = currency
        self._fields: dict[str, dict[str, FieldSpec]] = {}
        self.collections: dict[str, tuple[str, str, tuple[object, ...]]] = {
            name: (kind, code, ()) for name, (kind, code) in COLLECTIONS.items()
        }
        for kind in schema.kinds:
            self.collections[kind.collection] = (
                kind.name,
                "rt.records(ctx, {k0})",
                (kind.collection,),
            )

    def kinds(self) -> list[str]:
        return [*ENTITIES, *(k.name for k in self.schema.kinds)]

    def has_kind(self, kind: str) -> bool:
        return kind in ENTITIES or self.schema.kind(kind) is not None

    def collection_type(self, name: str) -> ListT:
        return ListT(EntityT(self.collections[name][0]))

    def fields(self, kind: str) -> dict[str, FieldSpec]:
        """Every field rules can read on ``kind``."""
        found = self._fields.get(kind)
        if found is None:
            found = self._fields[kind] = self._build(kind)
        return found

    def _build(self, kind: str) -> dict[str, FieldSpec]:
        declared = self.schema.kind(kind)
        if declared is not None:
            fields = self._record_fields(declared)
        else:
            fields = dict(entity_fields(kind, self.currency))
            for (owner, name), label in EXTENDABLE.items():
                if owner == kind:
                    choices = extendable_values(owner, name) | set(
                        self.schema.extra_choices(owner, name)
                    )
                    fields[name] = FieldSpec(TextT(frozenset(choices)), f"{{x}}.{name}", label)
            for name, field in self.schema.extension_fields(kind).items():
                if name in fields and field.name in ("bin", "oked"):
                    # A built-in identifier, read as the model holds it.
                    fields[name] = FieldSpec(
                        nullable(TEXT, not field.required), f"{{x}}.{name}", "an identifier"
                    )
                else:
                    fields[name] = self._declared(field, "{x}.extra.get({k0})", (name,))
        for child in self.schema.children(kind):
            fields[child.collection] = FieldSpec(
                ListT(EntityT(child.name)),
                "rt.children(ctx, {k0}, {k1}, {x})",
                f"its {child.collection}",
                (child.collection, kind),
            )
        return fields

    def _record_fields(self, kind: KindDecl) -> dict[str, FieldSpec]:
        fields: dict[str, FieldSpec] = {}
        if kind.id_scheme is not None or kind.id_required:
            fields["id"] = FieldSpec(nullable(TEXT, not kind.id_required), "{x}.id", "its id")
        if kind.parent is not None:
            fields[kind.parent] = FieldSpec(
                EntityT(kind.parent),
                "rt.ref(ctx, {k0}, {x}.extra.get({k1}))",
                f"the {kind.parent} it belongs to",
                (kind.parent, kind.parent),
            )
        for field in kind.fields:
            fields[field.name] = self._declared(field, "{x}.extra.get({k0})", (field.name,))
        return fields

    def _declared(self, field: FieldDecl, raw: str, consts: tuple[object, ...]) -> FieldSpec:
        t, code, more = self.read(field.type, raw, len(consts))
        return FieldSpec(
            nullable(t, not field.required), code, field.type.describe(), (*consts, *more)
        )

    def read(
        self, field: FieldType, raw: str, first: int = 0
    ) -> tuple[Type, str, tuple[object, ...]]:
        """The language type of a declared type, the code reading a value of it from
        ``raw``, and the constants that code needs (numbered from ``first``)."""
        k = f"{{k{first}}}"
        if field.kind == "money":
            code = field.currency or self.currency
            if field.currency is None:
                return NumT(currency_dim(self.currency)), f"rt.money(ctx, {raw})", ()
            return NumT(currency_dim(code)), f"rt.amount({raw})", ()
        if field.kind == "number":
            if field.unit is None:
                return NumT(), raw, ()
            factor, dim = unit_of(field.unit, self.schema)
            return NumT(dim), f"rt.times({raw}, {k})", (factor,)
        if field.kind == "percent":
            return RATIO, f"rt.percent({raw})", ()
        if field.kind == "date":
            return DATE, raw, ()
        if field.kind == "bool":
            return BOOL, raw, ()
        if field.kind == "choice":
            return TextT(frozenset(field.choices)), raw, ()
        if field.kind == "ref":
            return EntityT(str(field.name)), f"rt.ref(ctx, {k}, {raw})", (field.name,)
        if field.kind == "list" and field.item is not None:
            item, code, more = self.read(field.item, "V", first)
            if code == "V":
                return ListT(item), f"rt.items({raw})", more
            # The item code reads one value ``V``; the runtime maps it over the list.
            return ListT(item), f"rt.each({raw}, lambda V: {code})", more
        return TEXT, raw, ()


def unit_of(unit: str, schema: Schema) -> tuple[Decimal, Dim]:
    """``(factor, dimension)`` of a declared number's unit as written (``thousand tonne``)."""
    words = unit.split()
    scale = SCALE_POWERS.get(words[0], 0) if len(words) > 1 else 0
    rest = words[1:] if scale else words
    per = rest[2] if len(rest) == 3 and rest[1] == "per" else None
    if unit.strip() == "%":
        return Decimal("0.01"), DIMENSIONLESS
    return resolve_unit(scale, rest[0], per, schema.units)


@cache
def schema_view(schema: Schema, currency: str) -> SchemaView:
    """The view of ``schema`` for rulebooks in ``currency`` (one per pair, cached)."""
    return SchemaView(schema, currency)
