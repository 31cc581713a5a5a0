"""Values as JSON that reads back as the same values of the same types, for the cache
of compiled programs (:mod:`.program_cache`): every value is tagged with its type from
a short list of known types (numbers, dates, spans, dimensions, tables, intervals and
the few classes named here), and nothing else is ever made from an entry.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import attrs

from clusterkit.diagnostics import Span
from clusterkit.lang.compile.compiled import BookHeader, Generated, RulePlan
from clusterkit.lang.results.rule_info import Label, RequireInfo, RuleInfo
from clusterkit.lang.runtime.arith import Table
from clusterkit.lang.runtime.intervals import Interval
from clusterkit.lang.types import value_types as ty
from clusterkit.lang.types.units import Dim
from clusterkit.schema import FieldDecl, FieldType, KindDecl, Schema

__all__ = ["decode", "encode"]

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
