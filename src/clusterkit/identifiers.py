"""Identifier schemes: Kazakhstan's business identification number (BIN) and activity
codes (OKED), Russia's taxpayer number (INN), EU VAT numbers, plain text ids.

A BIN has 12 digits; the first four are the year and month of registration and the
last is a check digit computed modulo 11 over the first eleven with weights 1..11,
and, if that gives 10, again with weights 3..11, 1, 2. A number for which the second
pass also gives 10 is never issued.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from clusterkit.messages import msg

__all__ = [
    "SCHEMES",
    "IdentifierError",
    "bin_check_digit",
    "validate_bin",
    "validate_eu_vat",
    "validate_oked",
    "validate_ru_inn",
    "validate_text_id",
]

_FIRST = tuple(range(1, 12))
_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_OKED = re.compile(r"^\d{2}(?:\.?\d{1,2}(?:\.?\d{1,2})?)?$")


class IdentifierError(ValueError):
    """An identifier is malformed for its scheme."""


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
            msg("a BIN is written as a string of 12 digits, got {got}", got=type(value).__name__)
        )
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise IdentifierError(msg("{value!r} is not 12 digits", value=value))
    month = int(value[2:4])
    if not 1 <= month <= 12:
        raise IdentifierError(
            msg(
                "{value!r}: digits 3-4 must be a month (01-12), got {got}",
                value=value,
                got=value[2:4],
            )
        )
    expected = bin_check_digit(value[:11])
    if expected is None:
        raise IdentifierError(
            msg("{value!r}: no valid BIN starts with these eleven digits", value=value)
        )
    if int(value[11]) != expected:
        raise IdentifierError(msg("check digit does not match"))
    return value


def validate_oked(value: str) -> str:
    """Return ``value`` if it looks like an OKED code (``23.61``, ``23610``, ``10.51.1``)."""
    if not isinstance(value, str) or not _OKED.match(value):
        raise IdentifierError(
            msg("{value!r} is not an OKED activity code such as '23.61' or '10.51.1'", value=value)
        )
    return value


_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _inn_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def validate_ru_inn(value: str) -> str:
    """A Russian taxpayer number (INN): 10 digits for an organisation, 12 for a person,
    with its check digits."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise IdentifierError(msg("{value!r} is not an INN (10 or 12 digits)", value=value))
    if len(value) == 10:
        if _inn_digit(value, _INN10) != int(value[9]):
            raise IdentifierError(msg("check digit does not match"))
        return value
    if len(value) == 12:
        if _inn_digit(value, _INN11) != int(value[10]) or _inn_digit(value, _INN12) != int(
            value[11]
        ):
            raise IdentifierError(msg("check digits do not match"))
        return value
    raise IdentifierError(msg("{value!r} is not an INN (10 or 12 digits)", value=value))


_EU_VAT = re.compile(
    r"^(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)"
    r"[0-9A-Z+*]{2,12}$"
)


def validate_eu_vat(value: str) -> str:
    """An EU VAT identification number by its form: a member state's prefix (``EL`` for
    Greece, ``XI`` for Northern Ireland) and 2 to 12 letters or digits. The national
    check digits are not verified."""
    if not isinstance(value, str) or not _EU_VAT.match(value):
        raise IdentifierError(
            msg(
                "{value!r} is not an EU VAT number (a country prefix such as DE, then 2-12 "
                "letters or digits)",
                value=value,
            )
        )
    return value


def validate_text_id(value: str) -> str:
    """Any identifier written as non-empty text without surrounding spaces."""
    if not isinstance(value, str) or not value or value != value.strip():
        raise IdentifierError(msg("{value!r} is not an identifier (non-empty text)", value=value))
    return value


#: Identifier schemes a schema may give a field, by name, with what each checks.
SCHEMES: dict[str, tuple[Callable[[str], str], str]] = {
    "kz_bin": (validate_bin, "Kazakhstan's 12-digit business identification number"),
    "kz_oked": (validate_oked, "Kazakhstan's activity code (OKED)"),
    "ru_inn": (validate_ru_inn, "Russia's 10- or 12-digit taxpayer number (INN)"),
    "eu_vat": (validate_eu_vat, "an EU VAT identification number"),
    "text": (validate_text_id, "any non-empty text"),
}
