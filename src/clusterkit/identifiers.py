"""Kazakhstan's business identification number (BIN) and activity codes (OKED).

A BIN has 12 digits; the first four are the year and month of registration and the
last is a check digit computed modulo 11 over the first eleven with weights 1..11,
and, if that gives 10, again with weights 3..11, 1, 2. A number for which the second
pass also gives 10 is never issued.
"""

from __future__ import annotations

import re

__all__ = ["IdentifierError", "bin_check_digit", "validate_bin", "validate_oked"]

_FIRST = tuple(range(1, 12))
_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_OKED = re.compile(r"^\d{2}(?:\.?\d{1,2}(?:\.?\d{1,2})?)?$")


class IdentifierError(ValueError):
    """A BIN or an OKED code is malformed."""


def bin_check_digit(first_eleven: str) -> int | None:
    """The check digit for eleven digits, or None when no valid BIN starts with them."""
    digits = [int(c) for c in first_eleven]
    for weights in (_FIRST, _SECOND):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if rest != 10:
            return rest
    return None


def validate_bin(value: str) -> str:
    """Return ``value`` if it is a valid BIN, else raise :class:`IdentifierError` saying why."""
    if not isinstance(value, str):
        raise IdentifierError(
            f"a BIN is written as a string of 12 digits, got {type(value).__name__}"
        )
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise IdentifierError(f"{value!r} is not 12 digits")
    month = int(value[2:4])
    if not 1 <= month <= 12:
        raise IdentifierError(f"{value!r}: digits 3-4 must be a month (01-12), got {value[2:4]}")
    expected = bin_check_digit(value[:11])
    if expected is None:
        raise IdentifierError(f"{value!r}: no valid BIN starts with these eleven digits")
    if int(value[11]) != expected:
        raise IdentifierError("check digit does not match")
    return value


def validate_oked(value: str) -> str:
    """Return ``value`` if it looks like an OKED code (``23.61``, ``23610``, ``10.51.1``)."""
    if not isinstance(value, str) or not _OKED.match(value):
        raise IdentifierError(
            f"{value!r} is not an OKED activity code such as '23.61' or '10.51.1'"
        )
    return value
