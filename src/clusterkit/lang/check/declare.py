"""Declarations: ``unit``, ``kind`` and ``extend`` items of every file of a program
become one :class:`~clusterkit.schema.Schema`, with a diagnostic for each mistake
(an unknown kind or unit, a field declared twice, a field that clashes with the
built-in model, an identifier scheme that does not exist)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Severity, Span
from clusterkit.identifiers import SCHEMES
from clusterkit.lang import ast
from clusterkit.lang.check.schema import COLLECTIONS, ENTITIES, entity_fields
from clusterkit.lang.types.units import UnitError, known_unit_words, resolve_unit
from clusterkit.messages import msg
from clusterkit.money import MoneyError, check_currency
from clusterkit.schema import (
    BUILTIN_IDENTIFIERS,
    EXTENDABLE,
    FieldDecl,
    FieldType,
    KindDecl,
    Schema,
)
from clusterkit.suggestions import did_you_mean

__all__ = ["declare", "read_type"]

_RESERVED = {"as_of", "id"}


class _Declarer:
    def __init__(self, files: Sequence[ast.RuleFile], diagnostics: list[Diagnostic]) -> None:
        self.files = files
        self.diagnostics = diagnostics
        self.units: list[tuple[str, ...]] = []
        self.kinds: dict[str, ast.KindDecl | None] = {}

    def error(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(code, Severity.ERROR, message, file=span.file, span=span, hint=hint)
        )

    def items(self, kind: type) -> Iterable[object]:
        for file in self.files:
            yield from (item for item in file.items if isinstance(item, kind))

    def run(self) -> Schema:
        for item in self.items(ast.UnitDecl):
            assert isinstance(item, ast.UnitDecl)
            self.unit(item)
        for item in self.items(ast.KindDecl):
            assert isinstance(item, ast.KindDecl)
            if item.name in ENTITIES or item.name in self.kinds:
                self.error(
                    codes.DEFINED_TWICE,
                    item.span,
                    msg("kind {name!r} already exists", name=item.name),
                )
                continue
            self.kinds[item.name] = item
        kinds = tuple(
            k for k in (self.kind(item) for item in self.kinds.values() if item is not None) if k
        )
        extensions: list[tuple[str, FieldDecl]] = []
        allowed: list[tuple[str, str, tuple[str, ...]]] = []
        for item in self.items(ast.Extend):
            assert isinstance(item, ast.Extend)
            extensions.extend(self.extend(item, allowed))
        return Schema(kinds, tuple(extensions), tuple(allowed), tuple(self.units))

    def unit(self, item: ast.UnitDecl) -> None:
        taken = {*known_unit_words(), *(w for group in self.units for w in group)}
        for name in item.names:
            if name in taken or _is_currency(name):
                self.error(
                    codes.DEFINED_TWICE, item.span, msg("unit {name!r} already exists", name=name)
                )
                return
        self.units.append(item.names)

    def kind(self, item: ast.KindDecl) -> KindDecl | None:
        collection = item.collection or f"{item.name}s"
        others = [
            k.collection or f"{k.name}s"
            for k in self.kinds.values()
            if k is not None and k is not item
        ]
        if collection in COLLECTIONS or collection in others or collection in _RESERVED:
            self.error(
                codes.DEFINED_TWICE,
                item.span,
                msg("collection {name!r} already exists", name=collection),
                msg("name another with 'collection NAME'"),
            )
            return None
        parent_known = item.parent is None or self.known_kind(item.parent, item.span)
        if item.id_scheme is not None and item.id_scheme not in SCHEMES:
            self.unknown_scheme(item.id_scheme, item.span)
        fields = self.fields(item.fields, f"kind {item.name}", reserved={"id", item.parent})
        if not parent_known:
            return None
        return KindDecl(
            item.name,
            collection,
            item.parent,
            item.id_scheme or ("text" if item.id_required else None),
            item.id_required,
            fields,
            item.titles,
            str(item.span),
        )

    def extend(
        self, item: ast.Extend, allowed: list[tuple[str, str, tuple[str, ...]]]
    ) -> list[tuple[str, FieldDecl]]:
        if item.kind in self.kinds:
            self.error(
                codes.UNKNOWN_KIND,
                item.span,
                msg("{kind!r} is declared in the rules: give it its fields there", kind=item.kind),
            )
            return []
        if not self.known_kind(item.kind, item.span):
            return []
        for allow in item.allows:
            if (item.kind, allow.field) not in EXTENDABLE:
                options = [f for k, f in EXTENDABLE if k == item.kind]
                self.error(
                    codes.NOT_EXTENDABLE,
                    allow.span,
                    msg(
                        "{kind}.{field} takes no values but its own",
                        kind=item.kind,
                        field=allow.field,
                    ),
                    msg("values can be added to: {fields}", fields=", ".join(options))
                    if options
                    else None,
                )
            else:
                allowed.append((item.kind, allow.field, allow.values))
        builtin = set(entity_fields(item.kind, "KZT"))
        out = []
        for field in self.fields(item.fields, f"extend {item.kind}"):
            identifier = BUILTIN_IDENTIFIERS.get((item.kind, field.name))
            if identifier is not None and field.type.kind not in ("identifier", "text"):
                self.error(
                    codes.TYPE_ERROR,
                    _span_of(item, field.name),
                    msg(
                        "{kind}.{field} is an identifier: give it a scheme "
                        "('identifier kz_bin', 'identifier ru_inn', ...) or 'text'",
                        kind=item.kind,
                        field=field.name,
                    ),
                )
                continue
            if identifier is None and field.name in builtin:
                self.error(
                    codes.DEFINED_TWICE,
                    _span_of(item, field.name),
                    msg("a {kind} already has a field {field!r}", kind=item.kind, field=field.name),
                )
                continue
            out.append((item.kind, field))
        return out

    def fields(
        self, decls: Sequence[ast.FieldDecl], owner: str, reserved: set[str | None] | None = None
    ) -> tuple[FieldDecl, ...]:
        seen: set[str] = set()
        out = []
        for decl in decls:
            if decl.name in seen or decl.name in (reserved or set()):
                self.error(
                    codes.DEFINED_TWICE,
                    decl.span,
                    msg("{owner} already has a field {field!r}", owner=owner, field=decl.name),
                )
                continue
            seen.add(decl.name)
            field_type = self.type(decl.type)
            if field_type is not None:
                out.append(FieldDecl(decl.name, field_type, decl.required, str(decl.span)))
        return tuple(out)

    def type(self, spec: ast.TypeSpec) -> FieldType | None:
        """The declared type of a type as written, or None (reported) if it is wrong."""
        if spec.kind == "money" and spec.currency is not None:
            try:
                return FieldType("money", currency=check_currency(spec.currency))
            except MoneyError:
                self.error(
                    codes.UNKNOWN_CURRENCY,
                    spec.span,
                    msg("unknown currency {code!r}", code=spec.currency),
                )
                return None
        if spec.kind == "number" and spec.unit is not None:
            try:
                resolve_unit(spec.unit.scale, spec.unit.name, spec.unit.per, tuple(self.units))
            except UnitError as exc:
                words = known_unit_words(tuple(self.units))
                self.error(
                    codes.UNKNOWN_UNIT,
                    spec.unit.span,
                    msg("unknown unit {unit!r}", unit=str(exc)),
                    did_you_mean(str(exc), words) or msg("declare it: unit {unit}", unit=str(exc)),
                )
                return None
            return FieldType("number", unit=str(spec.unit))
        if spec.kind == "identifier":
            if spec.name not in SCHEMES:
                self.unknown_scheme(str(spec.name), spec.span)
                return None
            return FieldType("identifier", name=spec.name)
        if spec.kind == "ref":
            name = str(spec.name)
            return FieldType("ref", name=name) if self.known_kind(name, spec.span) else None
        if spec.kind == "list" and spec.item is not None:
            item = self.type(spec.item)
            return None if item is None else FieldType("list", item=item)
        return FieldType(spec.kind, choices=spec.choices)

    def known_kind(self, name: str, span: Span) -> bool:
        if name in ENTITIES or name in self.kinds:
            return True
        self.error(
            codes.UNKNOWN_KIND,
            span,
            msg("{name!r} is not an entity kind", name=name),
            did_you_mean(name, [*ENTITIES, *self.kinds]),
        )
        return False

    def unknown_scheme(self, name: str, span: Span) -> None:
        self.error(
            codes.UNKNOWN_SCHEME,
            span,
            msg("unknown identifier scheme {name!r}", name=name),
            did_you_mean(name, SCHEMES) or msg("schemes: {names}", names=", ".join(SCHEMES)),
        )


def _is_currency(word: str) -> bool:
    try:
        check_currency(word)
    except MoneyError:
        return False
    return len(word) == 3


def _span_of(item: ast.Extend, field: str) -> Span:
    return next((f.span for f in item.fields if f.name == field), item.span)


def declare(files: Sequence[ast.RuleFile]) -> tuple[Schema, list[Diagnostic]]:
    """The schema the files declare, and every mistake in the declarations."""
    declarer = _Declarer(files, [])
    schema = declarer.run()
    return schema, declarer.diagnostics


def read_type(
    spec: ast.TypeSpec, schema: Schema, diagnostics: list[Diagnostic]
) -> FieldType | None:
    """A type as written (a function's parameter), under ``schema``; None (reported in
    ``diagnostics``) if it names something unknown."""
    declarer = _Declarer((), diagnostics)
    declarer.units = list(schema.units)
    declarer.kinds = dict.fromkeys(k.name for k in schema.kinds)
    return declarer.type(spec)
