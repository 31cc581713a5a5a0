"""The value formats of data files and outputs as JSON Schema: exact numbers, money,
units, figures, dates, identifiers, and the types a schema file declares for fields.

Each pattern is written from the parser it describes (:mod:`clusterkit.numbers`,
:mod:`clusterkit.money`, :mod:`clusterkit.units`, :mod:`clusterkit.identifiers`, the
loader's declared-field reader) in the regular-expression syntax JSON Schema uses
(ECMA-262), and tests compare the two on samples. What a pattern cannot say (that a
date exists, that a BIN's check digit matches, that a currency code is in ISO 4217
where a currency is written as text) the loader still checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from clusterkit.identifiers import SCHEMES
from clusterkit.money import CURRENCY_ALIASES
from clusterkit.numbers import SCALES
from clusterkit.schema import FieldType, Schema
from clusterkit.units import _ALIASES as UNIT_WORDS
from clusterkit.units import COUNT_UNITS

__all__ = [
    "IDENTIFIER",
    "NULL",
    "SCHEME_PATTERNS",
    "declared_field",
    "input_defs",
    "insensitive",
    "output_defs",
    "ref",
]

Json = dict[str, Any]

NULL: Json = {"type": "null"}

#: Built-in identifiers (ids, codes): what ``check_identifier`` accepts.
IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"

#: Each identifier scheme a field may have, as a pattern (check digits are the loader's).
SCHEME_PATTERNS: dict[str, str] = {
    "kz_bin": r"^[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{8}$",
    "kz_oked": r"^[0-9]{2}(?:\.?[0-9]{1,2}(?:\.?[0-9]{1,2})?)?$",
    "ru_inn": r"^(?:[0-9]{10}|[0-9]{12})$",
    "eu_vat": (
        r"^(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK"
        r"|XI)[0-9A-Z+*]{2,12}$"
    ),
    "text": r"^\S(?:[\s\S]*\S)?$",
}
assert set(SCHEME_PATTERNS) == set(SCHEMES), "every identifier scheme needs a pattern"


def number(*, signed: bool = True) -> str:
    """A number as text: plain (``21.9``, ``1e3``) or with its thousands grouped
    (``3,896.5``); without ``signed``, no minus sign. Exponents have at most nine
    digits (the parser refuses some larger ones)."""
    sign = "[+-]?" if signed else r"\+?"
    plain = sign + r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,9})?"
    grouped = sign + r"[0-9]{1,3}(?:[,\u00a0\u202f ][0-9]{3})+(?:\.[0-9]+)?"
    return f"(?:{plain}|{grouped})"


NUMBER = number()
#: The decimal text clusterkit writes (``str(Decimal)``: ``66740``, ``1.121E+8``).
DECIMAL_OUT = r"^-?[0-9]+(?:\.[0-9]+)?(?:E[+-][0-9]+)?$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def insensitive(word: str) -> str:
    """A pattern matching ``word`` in any letter case (JSON Schema has no flags)."""
    out = []
    for char in word:
        if char.lower() != char.upper():
            out.append(f"[{char.lower()}{char.upper()}]")
        else:
            out.append(re.escape(char))
    return "".join(out)


def _either(words: Iterable[str], *, any_case: bool = False) -> str:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(insensitive(w) if any_case else re.escape(w) for w in ordered) + ")"


#: Space inside money or a figure's unit, where a line break is not read.
_GAP = r"[^\S\n]+"
#: Scale words (``mln``, ``bn``, ``тыс.``), read in any letter case.
SCALE = _either(SCALES, any_case=True)
_SYMBOLS = ("$", "€", "£", "₸", "₽")


def _currency_text(code: str | None = None) -> str:
    """A currency as money text may name it: an ISO code in any case, or a symbol or word."""
    aliases = [a for a, c in CURRENCY_ALIASES.items() if code is None or c == code]
    # Any code: three letters that are not a scale word standing alone ('5 mln').
    codes = r"(?![Mm][Ll][Nn]\s*$)[A-Za-z]{3}" if code is None else insensitive(code)
    return f"(?:{codes}|{_either(aliases, any_case=True)})"


def money_text(code: str | None = None, *, signed: bool = True) -> str:
    """Money as text: ``112.1 mln KZT``, ``766 thousand GBP``, ``$ 281.5 mln``."""
    symbols = [s for s in _SYMBOLS if code is None or CURRENCY_ALIASES[s] == code]
    amount = number(signed=signed)
    # Between the scale word and the currency, any space but a line break.
    suffixed = rf"{amount}\s*(?:{SCALE}{_GAP})?{_currency_text(code)}"
    if not symbols:
        return rf"^\s*{suffixed}\s*$"
    prefixed = rf"{_either(symbols)}\s*{amount}(?:\s*{SCALE})?"
    return rf"^\s*(?:{prefixed}|{suffixed})\s*$"


def _unit_word() -> str:
    named = _either([w for w in UNIT_WORDS if w], any_case=True)
    counts = _either([*COUNT_UNITS, "%"])
    return rf"(?:{named}|{counts}|{_currency_text()})"


def unit_text(gap: str = r"\s+") -> str:
    """A unit: ``mln KZT``, ``person``, ``%``, ``mln KZT/person``, ``KZT per year``;
    ``gap`` is the space allowed between its words."""
    word = _unit_word()
    head = rf"(?:{SCALE}(?:{gap}{word})?|{word})?"
    space = gap.replace("+", "*")
    return rf"^\s*{head}{space}(?:(?:/| per ){space}{word})?\s*$"


def measure_text() -> str:
    """A figure with its unit: ``264.9 bn KZT``, ``34 %``, ``24 product``, ``6``."""
    # A figure's unit is read as one line: no line break inside it.
    body = unit_text(_GAP).removeprefix(r"^\s*")
    return rf"^\s*{NUMBER}\s*{body}"


def ref(name: str) -> Json:
    return {"$ref": f"#/$defs/{name}"}


def _decimal(*, signed: bool = True) -> Json:
    return {
        "description": ("An exact number" if signed else "An exact number, not negative")
        + ": a JSON number (read exactly, never as a float) or text ('3,896.5', '21.9'); "
        "'.' is the decimal separator, ',' only groups thousands.",
        "anyOf": [
            {"type": "number"} if signed else {"type": "number", "minimum": 0},
            {"type": "string", "pattern": rf"^\s*{number(signed=signed)}\s*$"},
        ],
    }


def _money(*, signed: bool = True) -> Json:
    amount = "decimal" if signed else "decimal_non_negative"
    return {
        "description": ("Money" if signed else "Money, not negative")
        + ": text such as '112.1 mln KZT' or '$ 281.5 mln', or an object with the amount "
        "in whole currency units and the ISO 4217 code.",
        "anyOf": [
            {"type": "string", "pattern": money_text(signed=signed)},
            {
                "type": "object",
                "properties": {"amount": ref(amount), "currency": ref("currency")},
                "required": ["amount", "currency"],
                "additionalProperties": False,
            },
        ],
    }


def input_defs() -> dict[str, Json]:
    """The value formats data files use, as ``$defs`` entries."""
    return {
        "decimal": _decimal(),
        "decimal_non_negative": _decimal(signed=False),
        "date": {
            "description": "A date written YYYY-MM-DD (in TOML files, a TOML date). It must exist.",
            "type": "string",
            "format": "date",
            "pattern": DATE,
        },
        "currency": {
            "description": "An ISO 4217 currency code in capitals (KZT, USD).",
            "type": "string",
            "pattern": "^[A-Z]{3}$",
        },
        "money": _money(),
        "money_non_negative": _money(signed=False),
        "unit": {
            "description": "A unit: 'mln KZT', 'person', '%', 'mln KZT/person'.",
            "type": "string",
            "pattern": unit_text(),
        },
        "measure": {
            "description": "A figure as stated, with its unit: '264.9 bn KZT', '34 %'.",
            "type": "string",
            "pattern": measure_text(),
        },
        "identifier": {
            "description": "An identifier: letters, digits, '_', '-', '.'; starts with a "
            "letter or digit.",
            "type": "string",
            "pattern": IDENTIFIER,
        },
    }


def output_defs() -> dict[str, Json]:
    """The value formats clusterkit writes (always text, so no reader turns them to floats)."""
    scale = "(?: (?:thousand|mln|bn))?"
    return {
        "decimal_text": {
            "description": "An exact number as text ('66740', '0.34', '1.121E+8').",
            "type": "string",
            "pattern": DECIMAL_OUT,
        },
        "money_text": {
            "description": "Money as text: '112.1 mln KZT'.",
            "type": "string",
            "pattern": rf"^-?[0-9]+(?:\.[0-9]+)?{scale} [A-Z]{{3}}$",
        },
        "unit_text": {"description": "A unit: 'mln KZT'.", "type": "string", "minLength": 1},
        "measure_text": {
            "description": "A figure with its unit: '264.9 bn KZT', '34 %'.",
            "type": "string",
            "pattern": r"^-?[0-9]+(?:\.[0-9]+)?(?: \S.*)?$",
        },
        "date": input_defs()["date"],
    }


_BOOL_WORDS = ("true", "yes", "1", "да", "false", "no", "0", "нет")


def _number_with(suffix: str) -> Json:
    return {
        "anyOf": [
            {"type": "number"},
            {"type": "string", "pattern": rf"^\s*{NUMBER}{suffix}\s*$"},
        ]
    }


def declared_field(field: FieldType, schema: Schema) -> Json:
    """A field's value as a schema file declares its type (``money in RUB``, ``one of``)."""
    kind = field.kind
    if kind == "money":
        if field.currency is None:
            return ref("money")
        return {
            "anyOf": [
                {"type": "string", "pattern": money_text(field.currency)},
                {
                    "type": "object",
                    "properties": {"amount": ref("decimal"), "currency": {"const": field.currency}},
                    "required": ["amount", "currency"],
                    "additionalProperties": False,
                },
            ]
        }
    if kind == "percent":
        return _number_with(r"\s*%?")
    if kind == "number":
        if field.unit is None:
            return ref("decimal")
        words = next((list(u) for u in schema.units if field.unit in u), [field.unit])
        return _number_with(rf"(?:\s* {_either(words)})?")
    if kind == "date":
        return ref("date")
    if kind == "bool":
        yes_no = _either(_BOOL_WORDS, any_case=True)
        return {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": rf"^\s*{yes_no}\s*$"}]}
    if kind == "choice":
        return {"type": "string", "enum": list(field.choices)}
    if kind == "list" and field.item is not None:
        return {
            "anyOf": [
                {"type": "array", "items": declared_field(field.item, schema)},
                {"type": "string", "description": "items separated by '|'"},
            ]
        }
    if kind == "identifier":
        scheme = field.name or "text"
        return {"type": "string", "pattern": SCHEME_PATTERNS[scheme]}
    if kind == "ref":
        return {"type": "string", "x-references": field.name}
    return {"type": "string"}
