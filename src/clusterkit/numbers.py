"""Exact parsing of the numbers people write in policy documents.

"112.1 mln", "3,896.5", "766 thousand", "4,7 млрд" (refused: see below), "30 %".
Every number becomes a :class:`~decimal.Decimal` whose exponent keeps the stated
precision: "33.6 mln" is ``Decimal("3.36E+7")``, exact to 0.1 mln, and
:func:`quantum` recovers that step. A float is never produced or accepted.

The decimal separator is always ``.``; ``,`` and spaces only group thousands
(``3,896.5``, ``66 740``). A comma that does not group thousands (``1,25``) is an
error rather than a guess, because in Russian text it is a decimal comma and in
English a grouping one. Tables that say they use decimal commas (a spreadsheet's CSV
with ``;`` between cells, or one named so) are rewritten cell by cell with
:func:`from_decimal_comma` before they are read: there ``,`` is the decimal separator
and spaces group thousands (``1 234,5``).
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal, InvalidOperation

from clusterkit.messages import msg

__all__ = [
    "EXACT",
    "SCALES",
    "SCALE_NAMES",
    "SCALE_POWERS",
    "NumberFormatError",
    "format_plain",
    "from_decimal_comma",
    "parse_decimal",
    "parse_scaled",
    "quantum",
    "scale_word",
    "shift",
    "to_decimal",
]


#: A context that never rounds: domain arithmetic must not depend on the caller's
#: decimal context (whose default precision is 28 digits and may be set lower).
EXACT = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[InvalidOperation]
)


def shift(value: Decimal, places: int) -> Decimal:
    """``value * 10**places``, exactly, keeping the stated digits."""
    return value.scaleb(places, EXACT)


class NumberFormatError(ValueError):
    """A number could not be read exactly."""


#: Scale words and the power of ten they stand for. Russian and Kazakh forms are
#: accepted because the source documents use them.
SCALES: dict[str, int] = {
    "thousand": 3,
    "thousands": 3,
    "тыс": 3,
    "тыс.": 3,
    "мың": 3,
    "mln": 6,
    "million": 6,
    "millions": 6,
    "млн": 6,
    "млн.": 6,
    "bn": 9,
    "billion": 9,
    "billions": 9,
    "млрд": 9,
    "млрд.": 9,
}

#: The canonical scale word for each power of ten, and the power of each word.
SCALE_NAMES: dict[int, str] = {3: "thousand", 6: "mln", 9: "bn"}
SCALE_POWERS: dict[str, int] = {word: power for power, word in SCALE_NAMES.items()}

_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?:\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_SPLIT = re.compile(r"^\s*([+-]?[\d.,\u00a0\u202f ]*\d[\d.]*(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")


#: The numbers data and rules may state: at most this many significant digits …
MAX_DIGITS = 34
#: … and, unless zero, a magnitude from 10**-MAX_EXPONENT to under 10**(MAX_EXPONENT+1).
#: Computations beyond these stay exact up to the bounds of Python's decimal context;
#: an overflow there makes a verdict undetermined, never a wrong number.
MAX_EXPONENT = 30


def check_bounds(value: Decimal, text: object = None) -> Decimal:
    """``value`` if it is within :data:`MAX_DIGITS` and :data:`MAX_EXPONENT`; else
    :class:`NumberFormatError` saying so (``text`` is the value as written)."""
    if value.is_finite() and value:
        stated = value.as_tuple().digits
        # Trailing zeros are not precision: 1.50E+6 and 1500000 have the same digits.
        digits = len(stated) - (len(stated) - len("".join(map(str, stated)).rstrip("0")))
        exponent = value.adjusted()
        if digits > MAX_DIGITS or not -MAX_EXPONENT <= exponent <= MAX_EXPONENT:
            shown = text if text is not None else value
            raise NumberFormatError(
                msg(
                    "{shown!r} is beyond the numbers clusterkit handles (at most "
                    "{digits} digits, magnitudes from 1e-{exponent} to 1e{exponent})",
                    shown=str(shown)[:40],
                    digits=MAX_DIGITS,
                    exponent=MAX_EXPONENT,
                )
            )
    return value


def to_decimal(value: object) -> Decimal:
    """Coerce an int, a Decimal or a numeric string to Decimal; refuse floats and bools.

    A float is refused because it has already lost the exact value the user wrote.
    """
    if isinstance(value, bool):
        raise TypeError(msg("a boolean is not a number"))
    if isinstance(value, float):
        raise TypeError(
            msg(
                "float {value!r} refused: write the number as a string or Decimal to keep it exact",
                value=value,
            )
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        result = parse_decimal(value)
    else:
        raise TypeError(msg("expected a number, got {got}", got=type(value).__name__))
    if not result.is_finite():
        raise NumberFormatError(msg("{text!r} is not a finite number", text=value))
    return result


def parse_decimal(text: str) -> Decimal:
    """Parse a plain or thousands-grouped decimal number exactly."""
    raw = text.strip()
    if _GROUPED.match(raw):
        raw = re.sub(r"[,\u00a0\u202f ]", "", raw)
    elif not _PLAIN.match(raw):
        if "," in raw:
            raise NumberFormatError(
                msg(
                    "{text!r}: use '.' as the decimal separator; ',' may only group thousands",
                    text=text,
                )
            )
        raise NumberFormatError(msg("{text!r} is not a number", text=text))
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the regexes admit only valid input
        raise NumberFormatError(msg("{text!r} is not a number", text=text)) from exc
    if not value.is_finite():
        raise NumberFormatError(msg("{text!r} is not a finite number", text=text))
    return value


_COMMA_NUMBER = re.compile(
    r"^(?P<lead>\s*[$€£₸₽]?\s*)"
    r"(?P<number>[+-]?[\d.,\u00a0\u202f ]*\d(?:[eE][+-]?\d+)?)"
    r"(?P<rest>.*)$",
    re.DOTALL,
)
_COMMA_DECIMAL = re.compile(
    r"^(?P<sign>[+-]?)(?P<whole>\d{1,3}(?:[\u00a0\u202f ]\d{3})+|\d+),(?P<fraction>\d+)"
    r"(?P<exponent>[eE][+-]?\d+)?$"
)


def from_decimal_comma(text: str) -> str:
    """The text with its leading number rewritten from a decimal comma to a point.

    ``"30,5"`` gives ``"30.5"``, ``"1 234,5 млн KZT"`` gives ``"1234.5 млн KZT"``, and
    ``"30,5 %"`` gives ``"30.5 %"``; text without a comma is returned unchanged (a
    point is read as a decimal point, as everywhere). A number with both ``.`` and
    ``,``, or with more than one ``,``, is refused rather than guessed at.
    """
    match = _COMMA_NUMBER.match(text)
    if match is None or "," not in match["number"]:
        return text
    number = match["number"].strip()
    if "." in number:
        raise NumberFormatError(
            msg(
                "{text!r}: with decimal commas, write the number without '.' (1234,5 or 1 234,5)",
                text=text,
            )
        )
    parts = _COMMA_DECIMAL.match(number)
    if parts is None:
        raise NumberFormatError(
            msg(
                "{text!r}: with decimal commas, ',' is the decimal separator and spaces group "
                "thousands (1 234,5)",
                text=text,
            )
        )
    whole = re.sub(r"[\u00a0\u202f ]", "", parts["whole"])
    exponent = parts["exponent"] or ""
    return f"{match['lead']}{parts['sign']}{whole}.{parts['fraction']}{exponent}{match['rest']}"


def parse_scaled(text: str) -> tuple[Decimal, str]:
    """Split ``"112.1 mln KZT"`` into ``(Decimal("1.121E+8"), "KZT")``.

    The returned unit text is whatever follows the number and the optional scale word.
    """
    match = _SPLIT.match(text)
    if match is None:
        raise NumberFormatError(msg("{text!r} does not start with a number", text=text))
    number, rest = match.group(1).strip(), match.group(2)
    value = parse_decimal(number)
    words = rest.split(maxsplit=1)
    if words and words[0].lower() in SCALES:
        value = shift(value, SCALES[words[0].lower()])
        rest = words[1] if len(words) > 1 else ""
    return value, rest.strip()


def quantum(value: Decimal) -> Decimal:
    """The step to which ``value`` is stated: ``quantum(Decimal("33.6E6")) == Decimal("1E5")``."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):  # pragma: no cover - finite decimals only
        raise NumberFormatError(f"{value} has no quantum")
    return shift(Decimal(1), exponent)


def scale_word(value: Decimal) -> tuple[Decimal, str]:
    """Choose a scale for display and serialisation: ``1.121E+8`` gives ``(112.1, "mln")``.

    The scaled number keeps every stated digit, so parsing the result back is exact.
    """
    magnitude = abs(value)
    for power in (9, 6, 3):
        if magnitude >= shift(Decimal(1), power):
            return shift(value, -power), SCALE_NAMES[power]
    return value, ""


def format_plain(value: Decimal) -> str:
    """Fixed-point text of a Decimal with every stated digit and no exponent."""
    return format(value, "f")
