"""Structuring data against a schema: the built-in model's objects with the fields a
schema declares for them, and records of the kinds a schema declares.

Objects are built bottom-up (a cluster's participants before the cluster), each
with every problem it has reported at once: a wrong value, a value that is not one
of an enumeration's values (with the list), an identifier that fails its scheme, an
unknown key (with did-you-mean), a required field missing. References are not
resolved here; each one seen is noted, so that the whole dataset can check them.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

import attrs
from cattrs.errors import BaseValidationError

from clusterkit import codes
from clusterkit.diagnostics import Span
from clusterkit.identifiers import SCHEMES, IdentifierError
from clusterkit.messages import join, msg, text_of
from clusterkit.model import KINDS, REFERENCES, InvalidFieldsError, Record, Role
from clusterkit.model.common import NO_EXTRA, Declared, Extra
from clusterkit.money import Money
from clusterkit.schema import EXTENDABLE, FieldDecl, FieldType, KindDecl, Schema
from clusterkit.serde import MISSING, DataError, structure, structure_errors
from clusterkit.suggestions import did_you_mean

__all__ = ["KIND_OF", "Problem", "Reference", "Structurer", "declares", "nested_classes"]

#: Problems as ``(data path, message, code)``.
Problem = tuple[str, str, str]


@attrs.frozen
class Reference:
    """An id in the data that names an entity: where it is, what kind, which id."""

    path: str
    kind: str
    value: str
    span: Span | None = None


#: The entity kind of each model class (the names rules and schemas use).
KIND_OF: dict[type, str] = {cls: kind for kind, cls in KINDS.items()}


@attrs.frozen
class _Plan:
    """How to structure one model class: its fields and which hold nested objects."""

    fields: tuple[str, ...]
    nested: dict[str, tuple[type, bool]]  # field -> (class, is a tuple of them)


@cache
def _plan(cls: type) -> _Plan:
    hints = typing.get_type_hints(cls)
    names = tuple(a.name for a in attrs.fields(cls) if a.name != "extra")
    nested: dict[str, tuple[type, bool]] = {}
    for name in names:
        hint = hints[name]
        if typing.get_origin(hint) is tuple:
            (elem,) = typing.get_args(hint)[:1]
            if isinstance(elem, type) and issubclass(elem, Declared):
                nested[name] = (elem, True)
        elif isinstance(hint, type) and issubclass(hint, Declared):
            nested[name] = (hint, False)
    return _Plan(names, nested)


@cache
def nested_classes(cls: type) -> frozenset[type]:
    """The model classes whose objects an object of ``cls`` holds, at any depth."""
    found: set[type] = set()
    todo = [cls]
    while todo:
        for inner, _many in _plan(todo.pop()).nested.values():
            if inner not in found:
                found.add(inner)
                todo.append(inner)
    return frozenset(found)


def declares(schema: Schema, cls: type) -> bool:
    """Whether ``schema`` declares fields of ``cls`` or of a class nested in it. Data
    already checked (kept in a store or a backup) of a class it declares nothing for
    can be read by the data converter alone."""
    owners = {owner for owner, _field in schema.extensions}
    return any(KIND_OF.get(c) in owners for c in (cls, *nested_classes(cls)))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        return msg("the number {number}", number=value)
    if isinstance(value, Mapping):
        return msg("an object")
    if isinstance(value, list | tuple):
        return msg("a list")
    return repr(value)


class Structurer:
    """Structures raw data (parsed JSON, TOML or CSV) into model objects and records."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.problems: list[Problem] = []
        self.references: list[Reference] = []
        #: References inside objects that could not be built (the dataset's own
        #: reference check cannot see them).
        self.orphan_references: list[Reference] = []
        #: ``(kind, id)`` of objects that could not be built: a reference to one is not
        #: reported again as naming nothing.
        self.failed: set[tuple[str, str]] = set()

    def problem(self, path: str, message: str, code: str = codes.DATA_INVALID) -> None:
        self.problems.append((path, message, code))

    # -- built-in kinds ------------------------------------------------------------------
    def build(self, raw: object, cls: type, path: str) -> Any:
        """The model object ``raw`` describes, or None (with its problems noted)."""
        if isinstance(raw, cls):
            return raw
        if not isinstance(raw, Mapping):
            self.problem(path, msg("expected an object, got {got}", got=_describe(raw)))
            return None
        kind = KIND_OF.get(cls)
        plan = _plan(cls)
        declared = self.schema.extension_fields(kind) if kind else {}
        start = len(self.problems)
        refs: list[Reference] = []
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in raw.items():
            where = _join(path, str(key))
            if key in plan.nested:
                values[key] = self.nested(value, *plan.nested[key], where)
            elif key in declared:
                checked = self.value(value, declared[key].type, where, refs)
                if key in plan.fields:
                    values[key] = checked
                else:
                    extra[key] = checked
            elif key in plan.fields:
                values[key] = value
                self.builtin_field(kind, str(key), value, where, refs)
            else:
                known = [*plan.fields, *(d for d in declared if d not in plan.fields)]
                self.unknown_key(str(key), known, where)
        for name, field in declared.items():
            if name not in raw:
                if field.required:
                    self.problem(_join(path, name), MISSING, codes.DATA_MISSING)
                if name in plan.fields:
                    values[name] = None
        # Built even when a key was wrong, so that every problem is reported at once.
        built = self.construct(cls, values, extra, path)
        if built is not None and len(self.problems) == start:
            self.references.extend(refs)
            return built
        self.orphan_references.extend(refs)
        key = raw.get("id", raw.get("code"))
        if kind is not None and isinstance(key, str):
            self.failed.add((kind, key))
        return None

    def nested(self, value: object, cls: type, many: bool, path: str) -> Any:
        if not many:
            return self.build(value, cls, path)
        if not isinstance(value, list | tuple):
            self.problem(path, msg("expected a list, got {got}", got=_describe(value)))
            return ()
        return tuple(self.build(item, cls, f"{path}[{i}]") for i, item in enumerate(value))

    def builtin_field(
        self, kind: str | None, name: str, value: object, path: str, refs: list[Reference]
    ) -> None:
        """Check what the schema says of a built-in field (its values, its references)."""
        if kind is None:
            return
        if (kind, name) in EXTENDABLE:
            allowed = [r.value for r in Role] + list(self.schema.extra_choices(kind, name))
            if value not in allowed:
                self.problem(
                    path,
                    # Described, not repeated: Python data may nest past repr's reach.
                    msg(
                        "{what} is not one of: {allowed}",
                        what=_describe(value),
                        allowed=", ".join(allowed),
                    ),
                )
        target = REFERENCES.get((kind, name))
        if target is not None:
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                if isinstance(item, str):
                    where = f"{path}[{i}]" if isinstance(value, list) else path
                    refs.append(Reference(where, target, item))

    def construct(self, cls: type, values: dict[str, Any], extra: dict[str, Any], path: str) -> Any:
        if any(v is None for k, v in values.items() if k in _plan(cls).nested):
            return None
        if any(
            isinstance(v, tuple) and any(i is None for i in v)
            for k, v in values.items()
            if k in _plan(cls).nested
        ):
            return None
        try:
            built: Any = structure(values, cls)
        except (BaseValidationError, InvalidFieldsError, DataError, ValueError) as exc:
            for where, message in structure_errors(exc, path):
                code = codes.DATA_INVALID
                if message == "required field is missing":
                    code = codes.DATA_MISSING
                elif message.startswith("unknown key"):
                    code = codes.DATA_UNKNOWN_KEY
                self.problem(where, message, code)
            return None
        if extra:
            built = attrs.evolve(built, extra=Extra(extra))
        return built

    def unknown_key(self, key: str, known: list[str], path: str) -> None:
        hint = did_you_mean(key, known)
        message = (
            msg("unknown key {key!r}; {hint}", key=key, hint=hint)
            if hint
            else msg(
                "unknown key {key!r} (expected one of: {known})", key=key, known=", ".join(known)
            )
        )
        self.problem(path, message, codes.DATA_UNKNOWN_KEY)

    # -- declared kinds ----------------------------------------------------------------------
    def record(self, raw: object, kind: KindDecl, path: str) -> Record | None:
        if not isinstance(raw, Mapping):
            self.problem(path, msg("expected an object, got {got}", got=_describe(raw)))
            return None
        start = len(self.problems)
        refs: list[Reference] = []
        fields = {f.name: f for f in kind.fields}
        if kind.parent is not None:
            fields[kind.parent] = FieldDecl(kind.parent, FieldType("ref", name=kind.parent), True)
        record_id: str | None = None
        values: dict[str, Any] = {}
        for key, value in raw.items():
            where = _join(path, str(key))
            if key == "id" and (kind.id_scheme is not None or kind.id_required):
                scheme = FieldType("identifier", name=kind.id_scheme or "text")
                checked = self.value(value, scheme, where, refs)
                record_id = checked if isinstance(checked, str) else None
            elif key in fields:
                values[str(key)] = self.value(value, fields[key].type, where, refs)
            else:
                known = ["id", *fields] if kind.id_scheme or kind.id_required else [*fields]
                self.unknown_key(str(key), known, where)
        if kind.id_required and "id" not in raw:
            self.problem(_join(path, "id"), MISSING, codes.DATA_MISSING)
        for name, field in fields.items():
            if field.required and name not in raw:
                self.problem(_join(path, name), MISSING, codes.DATA_MISSING)
        self.references.extend(refs)
        if len(self.problems) > start:
            if isinstance(raw.get("id"), str):
                self.failed.add((kind.name, raw["id"]))
            return None
        return Record(kind.name, record_id, extra=Extra(values) if values else NO_EXTRA)

    # -- values of declared types --------------------------------------------------------------
    def value(self, raw: object, field: FieldType, path: str, refs: list[Reference]) -> Any:
        """A declared field's value, checked against its type; None if it is wrong (noted)."""
        try:
            return self._value(raw, field, path, refs)
        except (DataError, IdentifierError, ValueError, TypeError) as exc:
            self.problem(path, text_of(exc))
            return None

    def _value(self, raw: object, field: FieldType, path: str, refs: list[Reference]) -> Any:
        kind = field.kind
        if raw is None:
            return None
        if kind == "money":
            money = structure(raw, Money)
            if field.currency is not None and money.currency != field.currency:
                raise DataError(
                    msg(
                        "expected an amount in {currency}, got {money}",
                        currency=field.currency,
                        money=str(money),
                    )
                )
            return money
        if kind in ("number", "percent"):
            return self.number(raw, field)
        if kind == "date":
            return structure(raw, dt.date)
        if kind == "bool":
            if isinstance(raw, str) and raw.strip().lower() in _BOOL_WORDS:
                return _BOOL_WORDS[raw.strip().lower()]
            return structure(raw, bool)
        if kind == "choice":
            if raw not in field.choices:
                # Python data may put any object here, a list nested past repr's reach too.
                hint = did_you_mean(raw, field.choices) if isinstance(raw, str) else None
                allowed = ", ".join(field.choices)
                message = msg(
                    "{what} is not one of: {allowed}", what=_describe(raw), allowed=allowed
                )
                raise DataError(join([message, hint], "; ") if hint else message)
            return raw
        if kind == "list" and field.item is not None:
            items = raw.split("|") if isinstance(raw, str) else raw
            if not isinstance(items, list | tuple):
                raise DataError(msg("expected a list, got {got}", got=_describe(raw)))
            out = [
                self._value(
                    item.strip() if isinstance(item, str) else item,
                    field.item,
                    f"{path}[{i}]",
                    refs,
                )
                for i, item in enumerate(items)
            ]
            return tuple(out)
        if kind == "identifier":
            validate, _doc = SCHEMES[field.name or "text"]
            return validate(structure(raw, str))
        if kind == "ref":
            key = structure(raw, str)
            refs.append(Reference(path, str(field.name), key))
            return key
        return structure(raw, str)

    def number(self, raw: object, field: FieldType) -> Decimal:
        text = raw
        if isinstance(raw, str):
            text = raw.strip()
            if field.kind == "percent":
                text = text.removesuffix("%").strip()
            elif field.unit is not None:
                for word in _unit_words(field.unit, self.schema):
                    if text.endswith(f" {word}"):
                        text = text[: -len(word)].strip()
                        break
        value: Decimal = structure(text, Decimal)
        return value


_BOOL_WORDS = {
    "true": True,
    "yes": True,
    "1": True,
    "да": True,
    "false": False,
    "no": False,
    "0": False,
    "нет": False,
}


def _unit_words(unit: str, schema: Schema) -> list[str]:
    """The words a number in ``unit`` may be written with (``0.8 FTE``)."""
    for names in schema.units:
        if unit in names:
            return list(names)
    return [unit]
