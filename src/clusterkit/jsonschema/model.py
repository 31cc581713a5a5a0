"""JSON Schema from the model's attrs classes: every field with its type, which fields
are required, enumerations with their values, and the fields a schema file declares.
A field holding another entity's id says which kind in ``x-references`` (an annotation
validators ignore).

:class:`Generator` walks a class's fields (``typing.get_type_hints``) and gives each
class and enumeration one ``$defs`` entry, named in snake case after the class
(``IndicatorSeries`` is ``indicator_series``). In *input* form (data files) a field
with a default may be left out and values take every form the loader reads; in
*output* form (what clusterkit writes) every field is present and values are text.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import re
import types
import typing
from decimal import Decimal
from typing import Any

import attrs

from clusterkit.identifiers import SCHEMES
from clusterkit.jsonschema.formats import NULL, declared_field, input_defs, output_defs, ref
from clusterkit.model import (
    KINDS,
    REFERENCES,
    Application,
    Cluster,
    CounterObligation,
    CriterionScore,
    Dataset,
    DatasetInfo,
    Funding,
    IndicatorSeries,
    LocalizedText,
    Milestone,
    Programme,
    Project,
    Region,
    Role,
    Sector,
    StatedFigure,
    Tranche,
    ValueChainLink,
)
from clusterkit.model.dataset import COLLECTIONS
from clusterkit.money import ExchangeRate, Money
from clusterkit.schema import SCHEMA_FORMAT, FieldDecl, FieldType, KindDecl, Schema
from clusterkit.units import Measure, Unit

__all__ = ["Generator", "data_file", "def_name"]

Json = dict[str, Any]

#: Fields the model checks as identifiers (``check_identifier``).
IDENTIFIERS: frozenset[tuple[type, str]] = frozenset(
    {
        (Region, "code"),
        (Sector, "code"),
        (Cluster, "id"),
        (Application, "id"),
        (CriterionScore, "criterion"),
        (Programme, "id"),
        (Project, "id"),
        (Milestone, "id"),
        (IndicatorSeries, "indicator"),
        (CounterObligation, "id"),
        (CounterObligation, "indicator"),
        (StatedFigure, "id"),
    }
)
# Participant ids are identifiers too, checked the same way.
_PARTICIPANT_ID = ("participant", "id")

#: Amounts and numbers the model refuses when negative.
NON_NEGATIVE: frozenset[tuple[type, str]] = frozenset(
    {
        (ValueChainLink, "yearly_volume"),
        (CriterionScore, "points"),
        (Funding, "amount"),
        (Tranche, "amount"),
        (Project, "budget"),
    }
)

#: Fields whose type says less than the model checks.
FIELD_TYPES: dict[tuple[type, str], Json] = {
    (ExchangeRate, "base"): ref("currency"),
    (ExchangeRate, "quote"): ref("currency"),
}

#: Further constraints of single fields, as JSON Schema keywords.
CONSTRAINTS: dict[tuple[type, str], Json] = {
    (Cluster, "regions"): {"minItems": 1},
    (Tranche, "number"): {"minimum": 1},
    (Project, "planned_new_products"): {"minimum": 0},
}

_KIND_OF: dict[type, str] = {cls: kind for kind, cls in KINDS.items()}

#: Fields that hold the id of another entity, and its kind (``x-references`` in schemas).
REFERENCE_FIELDS: dict[tuple[str, str], str] = {
    **REFERENCES,
    ("cluster", "coordinator"): "participant",
    ("link", "supplier"): "participant",
    ("link", "customer"): "participant",
    ("tranche", "condition"): "milestone",
}


def def_name(cls: type) -> str:
    """``IndicatorSeries`` → ``indicator_series``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def _plain(text: str) -> str:
    """Docstring markup as plain text: ``:class:`Role``` → ``Role``, double backquotes → '."""
    text = re.sub(r":[a-z]+:`~?(?:[\w]+\.)*([^`.]+)`", r"\1", text)
    return text.replace("``", "'")


def _docs(cls: type) -> tuple[str, dict[str, str]]:
    """A class's summary and each attribute's description, from its docstring."""
    doc = _plain(inspect.getdoc(cls) or "")
    summary = " ".join(doc.split("\n\n", 1)[0].split())
    fields: dict[str, str] = {}
    names: list[str] = []
    inside = False
    for line in doc.splitlines():
        if line.strip() == "Attributes:":
            inside = True
            continue
        if not inside:
            continue
        match = re.match(r"^ {4}([a-z_][a-z0-9_]*(?:, [a-z_][a-z0-9_]*)*): (.*)$", line)
        if match:
            names = match[1].split(", ")
            for name in names:
                fields[name] = match[2].strip()
        elif line.startswith(" " * 8) and names:
            for name in names:
                fields[name] += " " + line.strip()
        else:
            names = []
    return summary, fields


def _constrain(schema: Json, extra: Json) -> Json:
    """``schema`` with ``extra`` keywords; for a nullable value, on its non-null form."""
    if "anyOf" in schema and NULL in schema["anyOf"]:
        (inner,) = [s for s in schema["anyOf"] if s != NULL]
        return {"anyOf": [_constrain(inner, extra), NULL]}
    return {**schema, **extra}


@attrs.define
class Generator:
    """Collects ``$defs`` while turning classes into schemas.

    Attributes:
        schema: what a schema file declares on top of the built-in model (input form).
        output: write the output form (every field present, values as text).
        defs: the definitions made so far, by name.
    """

    schema: Schema = attrs.Factory(Schema)
    output: bool = False
    defs: dict[str, Json] = attrs.Factory(dict)

    def __attrs_post_init__(self) -> None:
        self.defs.update(output_defs() if self.output else input_defs())

    # -- types ---------------------------------------------------------------------------
    def schema_of(self, hint: Any, owner: tuple[type, str] | None = None) -> Json:
        """The schema of a value of type ``hint`` (a field ``owner`` when given)."""
        origin = typing.get_origin(hint)
        if origin is typing.Union or origin is types.UnionType:
            (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
            return {"anyOf": [self.schema_of(inner, owner), NULL]}
        if origin is tuple:
            return {"type": "array", "items": self.schema_of(typing.get_args(hint)[0])}
        simple = {str: "string", int: "integer", bool: "boolean"}
        if hint in simple:
            if owner in IDENTIFIERS and not self.output:
                return ref("identifier")
            return {"type": simple[hint]}
        scalar = self._scalar(hint, owner in NON_NEGATIVE)
        if scalar is not None:
            return scalar
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return self.enum(hint)
        if isinstance(hint, type) and attrs.has(hint):
            return self.object(hint)
        raise TypeError(f"no JSON Schema for {hint!r}")  # pragma: no cover - a new type

    def _scalar(self, hint: Any, non_negative: bool) -> Json | None:
        if self.output:
            names = {Decimal: "decimal_text", Money: "money_text", Unit: "unit_text"}
            names.update({Measure: "measure_text", dt.date: "date"})
        else:
            names = {Decimal: "decimal", Money: "money", Unit: "unit"}
            names.update({Measure: "measure", dt.date: "date"})
        name = names.get(hint)
        if name is None:
            return None
        if non_negative and not self.output:
            name += "_non_negative"
        return ref(name)

    def enum(self, cls: type[enum.Enum]) -> Json:
        name = def_name(cls)
        if name not in self.defs:
            summary, _ = _docs(cls)
            values = [str(member.value) for member in cls]
            self.defs[name] = {"description": summary, "type": "string", "enum": values}
        return ref(name)

    # -- objects ---------------------------------------------------------------------------
    def object(self, cls: type) -> Json:
        name = def_name(cls)
        if name in self.defs:
            return ref(name)
        self.defs[name] = {}  # reserved: a class may refer to itself
        if cls is LocalizedText:
            self.defs[name] = self._localized()
            return ref(name)
        summary, docs = _docs(cls)
        hints = typing.get_type_hints(cls)
        kind = _KIND_OF.get(cls)
        declared = {} if self.output or kind is None else self.schema.extension_fields(kind)
        properties: Json = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if field.name == "extra" or field.name in declared:
                continue
            value = self._field(cls, kind, field.name, hints[field.name])
            if field.name in docs:
                value = {"description": docs[field.name], **value}
            properties[field.name] = value
            if self.output or field.default is attrs.NOTHING:
                required.append(field.name)
        for field_name, decl in declared.items():
            properties[field_name] = self.declared(decl, docs.get(field_name))
            if decl.required:
                required.append(field_name)
        body: Json = {"description": summary, "type": "object", "properties": properties}
        if required:
            body["required"] = required
        body["additionalProperties"] = False
        self.defs[name] = body
        return ref(name)

    def _field(self, cls: type, kind: str | None, name: str, hint: Any) -> Json:
        owner = (cls, name)
        if self.output:
            return self.schema_of(hint, owner)
        if (kind, name) == _PARTICIPANT_ID:
            return ref("identifier")
        if (kind, name) == ("participant", "role"):
            return self.roles()
        value = FIELD_TYPES.get(owner) or self.schema_of(hint, owner)
        if owner in CONSTRAINTS:
            value = _constrain(value, CONSTRAINTS[owner])
        target = REFERENCE_FIELDS.get((kind or "", name))
        if target is not None:
            value = {**value, "x-references": target}
        return value

    def roles(self) -> Json:
        """Participant roles: the built-in ones and those the schema allows."""
        self.enum(Role)
        added = self.schema.extra_choices("participant", "role")
        if not added:
            return ref("role")
        return {"type": "string", "enum": [*(r.value for r in Role), *added]}

    def _localized(self) -> Json:
        langs = ("ru", "kk", "en")
        properties = {lang: {"type": "string"} for lang in langs}
        body: Json = {
            "description": "Text in Russian, Kazakh and English"
            + ("." if self.output else "; at least one must be given."),
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        if self.output:
            body["required"] = list(langs)
        else:
            body["anyOf"] = [
                {"required": [lang], "properties": {lang: {"minLength": 1}}} for lang in langs
            ]
        return body

    # -- what a schema file declares -----------------------------------------------------------
    def declared(self, decl: FieldDecl, description: str | None = None) -> Json:
        value = declared_field(decl.type, self.schema)
        if not decl.required:
            value = {"anyOf": [value, NULL]}
        about = description or f"Declared: {decl.type.describe()}."
        if decl.type.kind == "identifier":
            scheme = decl.type.name or "text"
            about += f" Scheme {scheme}: {SCHEMES[scheme][1]}."
        return {"description": about, **value}

    def record(self, kind: KindDecl) -> Json:
        """The records of a declared kind (``cost_items``)."""
        name = kind.name if kind.name not in self.defs else f"{kind.name}_record"
        properties: Json = {}
        required: list[str] = []
        if kind.id_scheme is not None or kind.id_required:
            properties["id"] = self.declared(
                FieldDecl("id", _identifier(kind.id_scheme), kind.id_required), "its id"
            )
            if kind.id_required:
                required.append("id")
        if kind.parent is not None:
            properties[kind.parent] = {
                "description": f"the {kind.parent} it belongs to",
                "type": "string",
                "x-references": kind.parent,
            }
            required.append(kind.parent)
        for decl in kind.fields:
            properties[decl.name] = self.declared(decl)
            if decl.required:
                required.append(decl.name)
        titles = dict(kind.titles)
        body: Json = {
            "description": titles.get("en") or f"a {kind.name} (declared kind)",
            "type": "object",
            "properties": properties,
        }
        if required:
            body["required"] = required
        body["additionalProperties"] = False
        self.defs[name] = body
        return ref(name)


def _identifier(scheme: str | None) -> FieldType:
    return FieldType("identifier", name=scheme or "text")


def data_file(schema: Schema | None = None) -> tuple[Json, dict[str, Json]]:
    """The body of the data-file schema and its definitions, for ``schema``'s data."""
    generator = Generator(schema or Schema())
    hints = typing.get_type_hints(Dataset)
    properties: Json = {"dataset": generator.schema_of(DatasetInfo)}
    # A saved dataset embeds its schema's declarations in its 'dataset' table.
    generator.defs[def_name(DatasetInfo)]["properties"]["declarations"] = {
        "description": "The declarations of the dataset's schema, embedded (as "
        "save_dataset writes them); the data is read against these, not the files "
        "'schema' names.",
        "type": "object",
        "properties": {"format": {"const": SCHEMA_FORMAT}},
        "required": ["format"],
    }
    for collection in COLLECTIONS:
        (item,) = typing.get_args(hints[collection])[:1]
        properties[collection] = {"type": "array", "items": generator.schema_of(item)}
    for kind in generator.schema.kinds:
        properties[kind.collection] = {"type": "array", "items": generator.record(kind)}
    body: Json = {
        "description": "A clusterkit data file: any of a dataset's collections, and in one "
        "of its files the 'dataset' information. Numbers are exact (a JSON number is read "
        "as a Decimal, never a float). Checks across fields and files (references, dates "
        "in order, check digits, currencies of one project) are the loader's.",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    return body, dict(sorted(generator.defs.items()))
