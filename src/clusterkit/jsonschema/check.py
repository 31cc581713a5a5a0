"""Checking a document against a clusterkit JSON Schema, with the problems as
:class:`~clusterkit.diagnostics.Diagnostic` values: the data codes (``D103`` a wrong
value, ``D104`` an unknown key, ``D105`` a missing field), data paths, plain messages.

Needs the ``jsonschema`` library (in the ``server`` and ``test`` extras).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, relevance

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Severity
from clusterkit.jsonschema import build
from clusterkit.messages import join, msg
from clusterkit.schema import Schema
from clusterkit.suggestions import did_you_mean

__all__ = ["check"]

_TYPES = {
    "string": msg("text"),
    "number": msg("a number"),
    "integer": msg("a whole number"),
    "boolean": msg("true or false"),
    "object": msg("an object"),
    "array": msg("a list"),
    "null": "null",
}


# A server sees few distinct schemas (its rules', and those a request's rules declare).
@lru_cache(maxsize=32)
def _validator(name: str, schema: Schema | None) -> Draft202012Validator:
    return Draft202012Validator(build(name, schema))


def check(
    document: Any,
    name: str = "data",
    schema: Schema | None = None,
    *,
    file: str | None = None,
    prefix: str = "",
) -> list[Diagnostic]:
    """Every way ``document`` departs from schema ``name`` (for data, with what ``schema``
    declares), each with its data path (after ``prefix``)."""
    validator = _validator(name, None if schema is None or schema.is_default else schema)
    found: list[Diagnostic] = []
    for error in validator.iter_errors(document):
        for path, message, code in _explain(error):
            where = ".".join(p for p in (prefix, path) if p).replace(".[", "[")
            found.append(Diagnostic(code, Severity.ERROR, message, file=file, path=where))
    return sorted(found, key=lambda d: (d.path or "", d.message))


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return msg("an object")
    if isinstance(value, list):
        return msg("a list")
    if isinstance(value, int | float):
        return msg("the number {number}", number=value)
    return repr(value)


def _form(schema: Mapping[str, Any]) -> str | None:
    """What a format's schema says a value looks like (not a field's meaning)."""
    description = schema.get("description")
    alternatives = schema.get("anyOf", [])
    if not isinstance(description, str) or {"type": "null"} in alternatives:
        return None
    return description if ("pattern" in schema or alternatives) else None


def _explain(error: ValidationError, about: str | None = None) -> Iterator[tuple[str, str, str]]:
    """``(data path, message, code)`` for one validation error, in clusterkit's words."""
    path = _path(error.absolute_path)
    kind = error.validator
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    wanted: Any = error.validator_value
    about = _form(schema) or about
    if kind in ("anyOf", "oneOf") and error.context:
        yield from _alternatives(error, path, about)
    elif kind == "required":
        for key in wanted:
            if isinstance(error.instance, dict) and key not in error.instance:
                yield _join(path, key), msg("required field is missing"), codes.DATA_MISSING
    elif kind == "additionalProperties" and isinstance(error.instance, dict):
        known = list(schema.get("properties", {}))
        for key in error.instance:
            if key not in known:
                hint = did_you_mean(str(key), known)
                message = (
                    msg("unknown key {key!r}; {hint}", key=key, hint=hint)
                    if hint
                    else msg(
                        "unknown key {key!r} (expected one of: {known})",
                        key=key,
                        known=", ".join(known),
                    )
                )
                yield _join(path, str(key)), message, codes.DATA_UNKNOWN_KEY
    elif kind == "enum":
        allowed = ", ".join(str(v) for v in wanted)
        message = msg(
            "{value} is not one of: {allowed}", value=_describe(error.instance), allowed=allowed
        )
        yield path, message, codes.DATA_INVALID
    elif kind == "type" and _form(schema):
        yield path, _expected(_form(schema), error.instance), codes.DATA_INVALID
    elif kind == "type":
        names = [wanted] if isinstance(wanted, str) else list(wanted)
        expected = join([_TYPES.get(n, n) for n in names], msg(" or "))
        message = msg("expected {what}, got {got}", what=expected, got=_describe(error.instance))
        yield path, message, codes.DATA_INVALID
    elif kind in ("pattern", "format", "anyOf", "oneOf") and about:
        yield path, _expected(about, error.instance), codes.DATA_INVALID
    else:
        yield path, error.message, codes.DATA_INVALID


def _alternatives(
    error: ValidationError, path: str, about: str | None
) -> Iterator[tuple[str, str, str]]:
    """Explain the alternative that was meant: the only one whose type fits, else all."""
    branches: dict[Any, list[ValidationError]] = {}
    for inner in error.context or ():
        branches.setdefault(inner.relative_schema_path[0], []).append(inner)

    def mismatched(found: list[ValidationError]) -> bool:
        return any(e.validator == "type" and len(e.relative_schema_path) <= 2 for e in found)

    meant = [found for found in branches.values() if not mismatched(found)]
    if not meant:
        meant = [f for f in branches.values() if not any(e.validator_value == "null" for e in f)]
    if len(meant) == 1:
        yield from _explain(max(meant[0], key=relevance), about)
    else:
        yield path, _expected(about, error.instance), codes.DATA_INVALID


def _expected(about: str | None, value: Any) -> str:
    what = _lower(about) if about else msg("a value of another form")
    return msg("expected {what}, got {got}", what=what, got=_describe(value))


def _lower(description: str) -> str:
    """A description's first sentence, lower case: ``"A date, YYYY-MM-DD."`` → ``"a date,
    YYYY-MM-DD"``."""
    first = description.split(". ", maxsplit=1)[0].rstrip(".")
    return first[:1].lower() + first[1:]
