"""Expected values in rule tests: numbers with their units, compared with the trace.

An expected value with a unit compares only with a value of the same dimension:
``"33.6 mln USD"`` never matches 33.6 mln KZT, and ``"0.2 RUB"`` never matches 20 %.
A plain number is dimensionless, as is a percentage (``"30 %"`` is 0.30). A value
known within a precision (an interval) compares by its midpoint, the value shown
before ``±``. A tolerance, in the value's unit, allows that much either way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any

import attrs

from clusterkit.lang.results.result import TraceEntry
from clusterkit.lang.runtime.intervals import Interval
from clusterkit.lang.types.units import (
    DIMENSIONLESS,
    OBLIGATION,
    SERIES,
    Declared,
    Dim,
    UnitError,
    dim_text,
    resolve_unit,
    unit_dim,
)
from clusterkit.lang.types.value_types import NumT
from clusterkit.messages import msg
from clusterkit.numbers import NumberFormatError, parse_scaled

__all__ = [
    "Quantity",
    "ValueSpec",
    "read_quantity",
    "read_values",
    "toml_kind",
    "unit_words",
    "value_failure",
]

_UNIT_LIKE = re.compile(r"^[^\W\d_][\w /%]*$")
#: Digits enough that the arithmetic of a comparison is exact.
_EXACT_DIGITS = 1000


@attrs.frozen
class Quantity:
    """An expected number with its unit, as written in a test file.

    Attributes:
        value: the number in base units (tenge for ``mln KZT``, 0.30 for ``30 %``).
        dim: its dimension (``[KZT]``, dimensionless, ...).
        percent: written with ``%``.
        text: as written (``33.6 mln KZT``).
    """

    value: Decimal
    dim: Dim
    percent: bool
    text: str


@attrs.frozen
class ValueSpec:
    """An expected trace value: its label, what was written, and when it is a number,
    the number with its unit and the tolerance allowed either way."""

    name: str
    written: Any
    quantity: Quantity | None
    tolerance: Quantity | None = None


def toml_kind(value: object) -> str:
    """A TOML value's type as a test author knows it."""
    if isinstance(value, bool):
        return msg("true/false")
    names: list[tuple[type, str]] = [
        (str, msg("text")), (int, msg("an integer")), (Decimal, msg("a decimal number")),
        (dt.datetime, msg("a date and time")), (dt.date, msg("a date")), (dt.time, msg("a time")),
        (list, msg("an array")), (dict, msg("a table")),
    ]  # fmt: skip
    return next((name for kind, name in names if isinstance(value, kind)), msg("a value"))


def unit_words(dim: Dim, percent: bool) -> str:
    """A unit as a failure message names it: ``KZT``, ``a percentage``, ``a plain number``."""
    if dim == DIMENSIONLESS:
        return msg("a percentage") if percent else msg("a plain number")
    return dim_text(dim)


def read_quantity(written: object, units: Declared = ()) -> Quantity | str | None:
    """An expected value as a number with its unit; ``None`` if it is not a number at
    all (a date, yes/no, a word); a message if it is a number with an unknown unit."""
    if isinstance(written, bool) or not isinstance(written, str | int | Decimal):
        return None
    if not isinstance(written, str):
        if not Decimal(written).is_finite():  # TOML's nan and inf
            return msg(
                "{written} is not a number clusterkit compares (expected a finite number)",
                written=written,
            )
        return Quantity(Decimal(written), DIMENSIONLESS, False, str(written))
    try:
        number, unit = parse_scaled(written)
    except (NumberFormatError, ArithmeticError):
        return None
    percent = unit == "%"
    if unit and not percent and not _UNIT_LIKE.match(unit):
        return None  # "2021-06-30": not a number with a unit
    try:
        factor, dim = _unit(unit, units)
        with localcontext() as context:
            context.prec = _EXACT_DIGITS
            return Quantity(number * factor, dim, percent, written)
    except UnitError as exc:
        return msg("unknown unit {unit!r} in {written!r}", unit=str(exc) or unit, written=written)
    except ArithmeticError:
        return msg("{written!r} is too large a number", written=written)


def _unit(text: str, units: Declared = ()) -> tuple[Decimal, Dim]:
    """``(factor, dimension)`` of a unit after the number: ``KZT/year``, ``%``, ``points``."""
    if not text:
        return Decimal(1), DIMENSIONLESS
    name, per = text, None
    for separator in ("/", " per "):
        if separator in text:
            name, per = (part.strip() for part in text.split(separator, 1))
            break
    if " " in name or (per is not None and " " in per):
        raise UnitError(text)
    return resolve_unit(0, name, per, units)


def _actual_unit(entry: TraceEntry) -> tuple[Dim, bool] | None:
    """The dimension of a trace value, or None when the rule does not fix it (a value
    in the unit an obligation or a series states in the data)."""
    if isinstance(entry.type, NumT):
        if entry.type.dim in (OBLIGATION, SERIES):
            return None
        return entry.type.dim, entry.type.percent
    if entry.role == "total":
        return unit_dim("points"), False
    if entry.role == "rank":
        return DIMENSIONLESS, False
    return None


def _shown(written: object) -> str:
    """An expected value as the trace shows values: dates as YYYY-MM-DD."""
    if isinstance(written, dt.date):
        return written.isoformat()
    return str(written)


def _actual_number(exact: object) -> Decimal | None:
    if isinstance(exact, Interval):
        return (exact.low + exact.high) / 2
    if isinstance(exact, bool) or not isinstance(exact, Decimal | int):
        return None
    return Decimal(exact)


def value_failure(label: str, spec: ValueSpec, entry: TraceEntry | None, names: str) -> str | None:
    """Why the trace value ``entry`` is not the expected one, or None if it is.

    ``names`` lists the trace's labels, for when the value is not in it.
    """
    if entry is None:
        return msg(
            "{label}: no value {name!r} in the trace (it has: {names})",
            label=label,
            name=spec.name,
            names=names or msg("none"),
        )
    got = entry.text()
    expected = spec.quantity
    with localcontext() as context:
        context.prec = _EXACT_DIGITS
        try:
            actual = _actual_number(entry.exact)
        except ArithmeticError:
            actual = None
        if expected is None or actual is None:
            written = _shown(spec.written)
            if written in (got, entry.raw):
                return None
            return msg(
                "{label}: {name} expected {written!r}, got {got!r}",
                label=label,
                name=spec.name,
                written=written,
                got=got,
            )
        unit = _actual_unit(entry)
        if unit is not None and unit[0] != expected.dim:
            return msg(
                "{label}: {name} expected {expected}, got {got}: {wanted_unit} is not {got_unit}",
                label=label,
                name=spec.name,
                expected=expected.text,
                got=got,
                wanted_unit=unit_words(expected.dim, expected.percent),
                got_unit=unit_words(*unit),
            )
        tolerance = spec.tolerance
        allowed = Decimal(0) if tolerance is None else tolerance.value
        try:
            if abs(actual - expected.value) <= allowed:
                return None
            as_percent = actual * 100 == expected.value
        except ArithmeticError:
            as_percent = False
        shown = expected.text if tolerance is None else f"{expected.text} ± {tolerance.text}"
        if unit is not None and unit[1] and not expected.percent and as_percent:
            return msg(
                "{label}: {name} expected {expected}, got {got} "
                "(a percentage is written with %: {text} %)",
                label=label,
                name=spec.name,
                expected=shown,
                got=got,
                text=expected.text,
            )
        return msg(
            "{label}: {name} expected {expected}, got {got}",
            label=label,
            name=spec.name,
            expected=shown,
            got=got,
        )


def read_values(
    expectation: dict[str, Any],
    where: str,
    report: Callable[[str, str], None],
    units: Declared = (),
) -> tuple[ValueSpec, ...]:
    """The ``values`` of an expectation at ``where``, with their tolerances; problems
    go to ``report(path, message)``."""
    shared = None
    if "tolerance" in expectation:
        shared = _tolerance(expectation["tolerance"], f"{where}.tolerance", report, units)
    table = expectation.get("values", {})
    if not isinstance(table, dict):
        report(
            f"{where}.values",
            msg("values is a table of trace labels, got {got}", got=toml_kind(table)),
        )
        return ()
    specs = (_value(name, raw, where, shared, report, units=units) for name, raw in table.items())
    return tuple(spec for spec in specs if spec is not None)


def _value(
    name: str,
    raw: object,
    where: str,
    shared: Quantity | None,
    report: Callable[[str, str], None],
    *,
    units: Declared,
) -> ValueSpec | None:
    """One expected value: ``"30 %"``, or ``{ value = "30 %", tolerance = "0.05 %" }``."""
    at = f"{where}.values.{_key(name)}"
    tolerance, tolerance_at, own = shared, f"{where}.tolerance", False
    written = raw
    if isinstance(raw, dict):
        for key in raw.keys() - {"value", "tolerance"}:
            report(f"{at}.{key}", msg("unknown key {key!r}; expected value or tolerance", key=key))
        if "value" not in raw:
            report(at, msg("a value given as a table needs value = ..."))
            return None
        if "tolerance" in raw:
            tolerance_at, own = f"{at}.tolerance", True
            tolerance = _tolerance(raw["tolerance"], tolerance_at, report, units)
        written, at = raw["value"], f"{at}.value"
    if isinstance(written, list | dict | dt.time):
        report(
            at,
            msg("an expected value is text, a number or a date, got {got}", got=toml_kind(written)),
        )
        return None
    quantity = read_quantity(written, units)
    if isinstance(quantity, str):
        report(at, quantity)
        return None
    if quantity is None:
        if own:  # an expectation's tolerance applies to its numbers only
            report(
                tolerance_at,
                msg("a tolerance needs a number to compare, not {written!r}", written=written),
            )
        tolerance = None
    elif tolerance is not None and tolerance.dim != quantity.dim:
        report(
            tolerance_at,
            msg(
                "tolerance {tolerance} does not fit {value}: {unit} is not {other}",
                tolerance=tolerance.text,
                value=quantity.text,
                unit=unit_words(tolerance.dim, tolerance.percent),
                other=unit_words(quantity.dim, quantity.percent),
            ),
        )
    return ValueSpec(name, written, quantity, tolerance)


def _tolerance(
    written: object, where: str, report: Callable[[str, str], None], units: Declared = ()
) -> Quantity | None:
    quantity = read_quantity(written, units)
    if isinstance(quantity, str):
        report(where, quantity)
        return None
    if quantity is None:
        report(
            where,
            msg(
                'a tolerance is a number with its unit ("0.1 mln KZT"), got {written!r}',
                written=written,
            ),
        )
        return None
    if quantity.value < 0:
        report(where, msg("a tolerance cannot be negative, got {value}", value=quantity.text))
        return None
    return quantity


def _key(name: str) -> str:
    """A TOML key as a data path part: bare when it can be, quoted otherwise."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else f'"{name}"'
