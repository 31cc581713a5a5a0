"""The one cattrs converter everything that serialises goes through.

Structuring is strict: unknown keys are errors, a string is not silently a number
nor a number a string, a float never becomes a Decimal, and every failure is
reported with its data path (``clusters[2].participants[5].bin``) by
:func:`structure_errors`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import re
import typing
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import (
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from clusterkit.messages import msg, text_of
from clusterkit.model.common import Declared, Extra, FieldError, InvalidFieldsError
from clusterkit.model.dataset import Record
from clusterkit.money import Money, MoneyError, parse_money
from clusterkit.numbers import NumberFormatError, check_bounds, to_decimal
from clusterkit.units import Measure, Unit, UnitError, parse_unit

__all__ = ["MISSING", "converter", "iso_date", "structure", "structure_errors", "unstructure"]

T = TypeVar("T")


class DataError(ValueError):
    """A value in a data file has the wrong form; the message is shown to the user."""


#: The message for a field that is not given.
MISSING = msg("required field is missing")


def _structure_decimal(value: object, _type: type) -> Decimal:
    if isinstance(value, float):
        # JSON and TOML are parsed with Decimal for floats, so a float here came from
        # Python code; it has already lost the exact value.
        raise DataError(msg("a float is not exact: give the number as a string or Decimal"))
    try:
        return check_bounds(to_decimal(value), value)
    except (TypeError, ValueError) as exc:
        raise DataError(text_of(exc)) from None


def _structure_int(value: object, _type: type) -> int:
    if isinstance(value, bool):
        raise DataError(msg("expected a whole number, got a boolean"))
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    raise DataError(msg("expected a whole number, got {value!r}", value=value))


def _structure_str(value: object, _type: type) -> str:
    if not isinstance(value, str):
        raise DataError(msg("expected text, got {got}", got=_describe(value)))
    return value


def _structure_bool(value: object, _type: type) -> bool:
    if not isinstance(value, bool):
        raise DataError(msg("expected true or false, got {got}", got=_describe(value)))
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> dt.date:
    """The date ``text`` writes as ``YYYY-MM-DD``; :class:`ValueError` otherwise.

    Stricter than :meth:`datetime.date.fromisoformat`, which also takes ``20210601``
    and week dates such as ``2021-W23-1``: data and options say YYYY-MM-DD, and a
    value in another form is refused rather than read as some date.
    """
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return dt.date.fromisoformat(text)


def _structure_date(value: object, _type: type) -> dt.date:
    if isinstance(value, dt.datetime):
        raise DataError(msg("expected a date (YYYY-MM-DD), got a date and time"))
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DataError(msg("expected a date (YYYY-MM-DD), got {got}", got=_describe(value)))
    try:
        return iso_date(value)
    except ValueError:
        raise DataError(
            msg("{value!r} is not a date that exists (expected YYYY-MM-DD)", value=value)
        ) from None


def _structure_money(value: object, _type: type) -> Money:
    try:
        if isinstance(value, str):
            money = parse_money(value)
            check_bounds(money.amount, value)
            return money
        if isinstance(value, dict) and set(value) == {"amount", "currency"}:
            return Money(_structure_decimal(value["amount"], Decimal), str(value["currency"]))
    except (MoneyError, NumberFormatError) as exc:
        raise DataError(text_of(exc)) from None
    raise DataError(msg("expected money such as '112.1 mln KZT', got {got}", got=_describe(value)))


def _structure_unit(value: object, _type: type) -> Unit:
    if not isinstance(value, str):
        raise DataError(msg("expected a unit such as 'mln KZT', got {got}", got=_describe(value)))
    try:
        return parse_unit(value)
    except UnitError as exc:
        raise DataError(text_of(exc)) from None


def _structure_measure(value: object, _type: type) -> Measure:
    if not isinstance(value, str):
        raise DataError(
            msg(
                "expected a figure such as '264.9 bn KZT' or '34 %', got {got}",
                got=_describe(value),
            )
        )
    try:
        measure = Measure.parse(value)
        check_bounds(measure.value, value)
        return measure
    except (UnitError, NumberFormatError) as exc:
        raise DataError(text_of(exc)) from None


def _structure_enum(value: object, type_: type[enum.Enum]) -> enum.Enum:
    try:
        return type_(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in type_)
        raise DataError(
            msg("{value!r} is not one of: {allowed}", value=value, allowed=allowed)
        ) from None


def _describe(value: object) -> str:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return msg("the number {number}", number=value)
    if isinstance(value, dict):
        return msg("an object")
    if isinstance(value, list):
        return msg("a list")
    return repr(value)


def _is_list_of(t: object) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_declared(t: object) -> bool:
    return isinstance(t, type) and issubclass(t, Declared) and t is not Declared


def _unstructure_record(conv: cattrs.Converter) -> Any:
    def unstructure(record: Record) -> dict[str, Any]:
        data: dict[str, Any] = {} if record.id is None else {"id": record.id}
        data.update((k, conv.unstructure(v)) for k, v in record.extra.items())
        return data

    return unstructure


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(Decimal, _structure_decimal)
    # Type-dispatched hooks, which come before cattrs' own lenient ones for primitives
    # (those would make "no" true and 5 a text); StrEnums get their own, as str's
    # would otherwise catch them.
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(enum.StrEnum, _structure_enum)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_structure_hook(Money, _structure_money)
    conv.register_structure_hook(Unit, _structure_unit)
    conv.register_structure_hook(Measure, _structure_measure)
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _structure_enum
    )

    def structure_declared(cls: type[Declared]) -> Any:
        # Declared fields arrive inline in data and are split off by the loaders; here
        # ``extra`` is not a key a data file may use.
        base = make_dict_structure_fn(
            cls,
            conv,
            _cattrs_forbid_extra_keys=True,
            _cattrs_detailed_validation=True,
            extra=override(omit=True),
        )

        def structure(value: object, type_: type) -> Any:
            # Objects already built (participants read from CSV files) pass through.
            if isinstance(value, cls):
                return value
            if not isinstance(value, Mapping):
                raise DataError(msg("expected an object, got {got}", got=_describe(value)))
            return base(value, type_)

        return structure

    def unstructure_declared(cls: type[Declared]) -> Any:
        base = make_dict_unstructure_fn(cls, conv, extra=override(omit=True))

        def unstructure(value: Declared) -> dict[str, Any]:
            data: dict[str, Any] = base(value)
            data.update((k, conv.unstructure(v)) for k, v in value.extra.items())
            return data

        return unstructure

    def structure_list_of(type_: Any) -> Any:
        base = homogenous_tuple_structure_factory(type_, conv)

        def structure(value: object, t: type) -> Any:
            # cattrs takes any iterable: "KZ-AKM" would be a list of six letters, an
            # object a list of its keys.
            if not isinstance(value, list | tuple):
                raise DataError(msg("expected a list, got {got}", got=_describe(value)))
            return base(value, t)

        return structure

    conv.register_structure_hook_factory(_is_list_of, structure_list_of)
    conv.register_structure_hook_factory(_is_declared, structure_declared)
    conv.register_unstructure_hook_factory(_is_declared, unstructure_declared)
    conv.register_unstructure_hook(Record, _unstructure_record(conv))
    conv.register_unstructure_hook(Extra, lambda e: {k: conv.unstructure(v) for k, v in e.items()})
    # Out: exact strings, never JSON numbers that a reader could turn into floats.
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook(Money, str)
    conv.register_unstructure_hook(Unit, str)
    conv.register_unstructure_hook(Measure, str)
    return conv


#: The shared converter. Use :func:`structure` and :func:`unstructure` rather than it
#: directly, so that errors come back as data paths.
converter: cattrs.Converter = _make_converter()


def structure(data: object, type_: type[T]) -> T:
    """Structure ``data`` into ``type_``; raises cattrs errors (see :func:`structure_errors`)."""
    result: T = converter.structure(data, type_)
    return result


def unstructure(value: object) -> Any:
    """Plain JSON-ready data for a model value (strings for numbers, dates and money)."""
    return converter.unstructure(value)


def structure_errors(exc: BaseException, path: str) -> Iterator[tuple[str, str]]:
    """Flatten a structuring failure into ``(data path, message)`` pairs, every one of them."""
    if isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, item in with_notes:
            yield from structure_errors(inner, f"{path}[{item.index}]")
        for inner in without:
            yield from structure_errors(inner, path)
    elif isinstance(exc, ClassValidationError):
        attr_errors, others = exc.group_exceptions()
        for inner, note in attr_errors:
            if isinstance(inner, KeyError):
                yield _join(path, note.name), MISSING
            else:
                yield from structure_errors(inner, _join(path, note.name))
        for inner in others:
            yield from structure_errors(inner, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        known = [a.name for a in attrs.fields(exc.cl)] if attrs.has(exc.cl) else []
        # Keys from Python data need not be text (``{7: ...}``).
        for key in sorted(exc.extra_fields, key=str):
            message = msg("unknown key {key!r}", key=key)
            close = difflib.get_close_matches(str(key), known, n=1)
            if close:
                message = msg(
                    "unknown key {key!r}; did you mean {close!r}?", key=key, close=close[0]
                )
            elif known:
                message = msg(
                    "unknown key {key!r} (expected one of: {known})",
                    key=key,
                    known=", ".join(known),
                )
            yield _join(path, str(key)), message
    elif isinstance(exc, InvalidFieldsError):
        for error in exc.errors:
            yield _join(path, error.field), error.message
    elif isinstance(exc, FieldError):
        yield _join(path, exc.field), exc.message
    elif isinstance(exc, BaseValidationError):
        for inner in exc.exceptions:
            yield from structure_errors(inner, path)
    elif isinstance(exc, DataError | ValueError | MoneyError):
        yield path, text_of(exc)
    elif isinstance(exc, TypeError) and "missing" in str(exc) and "argument" in str(exc):
        yield path, MISSING
    elif isinstance(exc, AttributeError | TypeError):
        yield path, msg("has the wrong shape ({why})", why=_shape_hint(exc))
    elif isinstance(exc, RecursionError):  # Python data nested past what repr can show
        yield path, msg("is nested too deeply (expected a single value)")
    else:
        raise exc


def _shape_hint(exc: BaseException) -> str:
    text = str(exc)
    if "Mapping" in text or "items" in text or "keys" in text:
        return msg("expected an object")
    return msg("expected a different kind of value")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
