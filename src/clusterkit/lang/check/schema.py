"""What rules can read: entity kinds, their fields and types, the top-level collections.

Fields come from the domain model's own attrs annotations (adding a field to a model
class makes it readable in rules, typed), plus a few computed fields that need the
dataset or the as-of date (a project's programme, a cluster's members on the date).
Each field carries the code the compiler emits to read it; that code is written
here, never taken from rule text.
"""

from __future__ import annotations

import datetime as dt
import enum
import types as pytypes
import typing
from decimal import Decimal
from functools import cache

import attrs

from clusterkit import model
from clusterkit.lang.types.units import (
    DIMENSIONLESS,
    OBLIGATION,
    SERIES,
    Dim,
    currency_dim,
    unit_dim,
)
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
from clusterkit.money import Money

__all__ = [
    "COLLECTIONS",
    "ENTITIES",
    "FieldSpec",
    "collection_type",
    "entity_fields",
    "extendable_values",
]

#: Entity kind names and the model classes behind them.
ENTITIES: dict[str, type] = model.KINDS
_KIND_OF = {cls: kind for kind, cls in ENTITIES.items()}


@attrs.frozen
class FieldSpec:
    """A readable field.

    Attributes:
        type: its language type (money fields use the rulebook's currency, filled in
            by :func:`entity_fields`).
        code: the Python expression that reads it, with ``{x}`` for the entity,
            ``ctx`` for the evaluation context and ``{k0}``, ``{k1}``, … for ``consts``.
        doc: one line for the language reference.
        consts: values the code needs (a declared field's name), which reach the
            generated code through its constants table, never as source text.
    """

    type: Type
    code: str
    doc: str = ""
    consts: tuple[object, ...] = ()


# Fields whose id names another entity: rules see the cluster or programme itself, and
# a region's or sector's code as text.
_REFERENCES = {
    key: kind for key, kind in model.REFERENCES.items() if kind in ("cluster", "programme")
}
# Decimal fields with a dimension other than a plain number.
_DIMS: dict[tuple[str, str], str] = {
    ("criterion_score", "points"): "points",
    ("obligation", "base_value"): "obligation",
    ("obligation", "target_value"): "obligation",
    ("observation", "value"): "series",
    ("series_value", "value"): "series",
    ("series_value", "attributed"): "series",
}


def _computed(currency: Dim) -> dict[str, dict[str, FieldSpec]]:
    money = NumT(currency)
    return {
        "cluster": {
            "members": FieldSpec(
                ListT(EntityT("participant")),
                "rt.members(ctx, {x})",
                "participants whose membership covers the as-of date",
            ),
            "stage_now": FieldSpec(
                nullable(TEXT), "rt.stage_on(ctx, {x})", "the life-cycle stage on the as-of date"
            ),
            "programmes": FieldSpec(
                ListT(EntityT("programme")),
                "ctx.programmes_of({x})",
                "the cluster's target cluster programmes",
            ),
        },
        "participant": {
            "is_enterprise": FieldSpec(
                BOOL, "({x}.role in rt.ENTERPRISES)", "a large, medium, small or micro enterprise"
            ),
            "cluster": FieldSpec(
                EntityT("cluster"), "ctx.parent({x})", "the cluster it is a member of"
            ),
        },
        "label": {
            "valid": FieldSpec(
                nullable(BOOL),
                "{x}.is_valid_on(ctx.as_of)",
                "held on the as-of date (none when the dates do not tell)",
            ),
        },
        "application": {
            "status": FieldSpec(
                TextT(_choices(model.ApplicationStatus), nullable=True),
                "rt.status_on(ctx, {x})",
                "the status on the as-of date",
            ),
        },
        "programme": {
            "duration": FieldSpec(
                NumT(unit_dim("year")), "rt.duration({x})", "calendar years the programme covers"
            ),
        },
        "project": {
            "programme": FieldSpec(EntityT("programme"), "ctx.parent({x})", "its programme"),
            "cluster": FieldSpec(
                EntityT("cluster"),
                "ctx.cluster(ctx.parent({x}).cluster)",
                "the programme's cluster",
            ),
            # none (undetermined), never 0, when the project records no line of that
            # source: an unrecorded amount is unknown, not nothing.
            "state_amount": FieldSpec(
                nullable(money),
                "rt.funding(ctx, {x}, 'state')",
                "the state's committed amount (none when no state line is recorded)",
            ),
            "cluster_amount": FieldSpec(
                nullable(money),
                "rt.funding(ctx, {x}, 'cluster')",
                "the cluster participants' committed amount (none when not recorded)",
            ),
            "other_amount": FieldSpec(
                nullable(money),
                "rt.funding(ctx, {x}, 'other')",
                "other sources' committed amount (none when not recorded)",
            ),
        },
        "tranche": {
            "project": FieldSpec(EntityT("project"), "ctx.parent({x})", "its project"),
            "conditional": FieldSpec(BOOL, "({x}.condition != '')", "has a release condition"),
            "condition_met_on": FieldSpec(
                nullable(DATE),
                "rt.condition_met_on(ctx, {x})",
                "when its condition's milestone was achieved",
            ),
        },
        "obligation": {
            "actual": FieldSpec(
                NumT(OBLIGATION, nullable=True),
                "rt.actual(ctx, {x})",
                "latest reported value for the target year, as of the date",
            ),
            "latest": FieldSpec(
                NumT(OBLIGATION, nullable=True),
                "rt.latest(ctx, {x})[1]",
                "latest reported value for any year up to the target",
            ),
            "latest_year": FieldSpec(
                NumT(nullable=True), "rt.latest(ctx, {x})[0]", "the year of that latest value"
            ),
            "due": FieldSpec(
                DATE, "rt.end_of_year({x}.target_year)", "31 December of the target year"
            ),
        },
    }


def extendable_values(kind: str, field: str) -> frozenset[str]:
    """The built-in values of an enumeration a schema may extend (participant roles)."""
    if (kind, field) == ("participant", "role"):
        return _choices(model.Role)
    return frozenset()


def _choices(enum_cls: type[enum.Enum]) -> frozenset[str]:
    return frozenset(str(m.value) for m in enum_cls)


def _field_type(kind: str, name: str, hint: object, currency: Dim) -> tuple[Type, str] | None:
    """Language type and read code of an annotated model field, or None if unreadable."""
    is_optional = False
    origin = typing.get_origin(hint)
    if origin in (typing.Union, pytypes.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            return None
        hint, is_optional = args[0], True
        origin = typing.get_origin(hint)
    if (kind, name) in _REFERENCES:
        target = _REFERENCES[(kind, name)]
        resolved: tuple[Type, str] | None = (EntityT(target), f"ctx.{target}({{x}}.{name})")
    elif (kind, name) in _DIMS:
        resolved = _dimensioned(_DIMS[(kind, name)], name)
    else:
        resolved = _plain_field(name, hint, origin, currency)
    if resolved is None:
        return None
    result, code = resolved
    return (nullable(result) if is_optional else result), code


def _dimensioned(mode: str, name: str) -> tuple[Type, str]:
    if mode == "points":
        return NumT(unit_dim("points")), f"{{x}}.{name}"
    if mode == "obligation":
        return NumT(OBLIGATION), f"rt.obl({{x}}, {{x}}.{name})"
    return NumT(SERIES), f"{{x}}.{name}"


def _plain_field(name: str, hint: object, origin: object, currency: Dim) -> tuple[Type, str] | None:
    code = f"{{x}}.{name}"
    if hint is Money:
        return NumT(currency), f"rt.money(ctx, {{x}}.{name})"
    if hint is Decimal or hint is int:
        if name.endswith("_percent"):
            return RATIO, f"rt.percent({{x}}.{name})"
        return NumT(DIMENSIONLESS), code
    if hint is model.LocalizedText:
        return TEXT, f"str({{x}}.{name})"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return TextT(_choices(hint)), code
    simple: dict[object, Type] = {bool: BOOL, str: TEXT, dt.date: DATE}
    if hint in simple:
        return simple[hint], code
    if origin is tuple:
        (elem,) = typing.get_args(hint)[:1]
        if elem in _KIND_OF:
            return ListT(EntityT(_KIND_OF[elem])), code
        if elem is str:
            return ListT(TEXT), code
        return None
    if hint in _KIND_OF:
        return EntityT(_KIND_OF[hint]), code
    return None


@cache
def entity_fields(kind: str, currency: str) -> dict[str, FieldSpec]:
    """Every field rules can read on an entity kind, money in ``currency``."""
    cls = ENTITIES[kind]
    money_dim = currency_dim(currency)
    hints = typing.get_type_hints(cls)
    fields: dict[str, FieldSpec] = {}
    for attribute in attrs.fields(cls):
        resolved = _field_type(kind, attribute.name, hints[attribute.name], money_dim)
        if resolved is not None:
            fields[attribute.name] = FieldSpec(resolved[0], resolved[1])
    fields.update(_computed(money_dim).get(kind, {}))
    return fields


#: Top-level names for the dataset's collections, and the code that reads them.
COLLECTIONS: dict[str, tuple[str, str]] = {
    "clusters": ("cluster", "ctx.data.clusters"),
    "participants": ("participant", "ctx.participants"),
    "applications": ("application", "ctx.data.applications"),
    "programmes": ("programme", "ctx.data.programmes"),
    "projects": ("project", "ctx.projects"),
    "tranches": ("tranche", "ctx.tranches"),
    "obligations": ("obligation", "ctx.data.obligations"),
    "observations": ("observation", "ctx.data.observations"),
    "series": ("series", "ctx.data.series"),
    "regions": ("region", "ctx.data.regions"),
    "sectors": ("sector", "ctx.data.sectors"),
}


def collection_type(name: str) -> ListT:
    return ListT(EntityT(COLLECTIONS[name][0]))
