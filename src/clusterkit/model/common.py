"""Building blocks shared by the domain model: localized text, regions, sectors, checks."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from clusterkit.messages import msg

__all__ = [
    "NO_EXTRA",
    "Declared",
    "Extra",
    "FieldError",
    "InvalidFieldsError",
    "Lang",
    "LocalizedText",
    "Problems",
    "Region",
    "Sector",
    "check_identifier",
    "raise_problems",
    "valid_year",
]

_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

#: (field name, message) pairs produced by a model class's checks.
Problems = Iterator[tuple[str, str]]


class FieldError(ValueError):
    """One field of a model object is invalid.

    Attributes:
        field: the attribute name, possibly with an index path (``participants[3].id``).
        message: what is wrong, in plain language.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidFieldsError(ValueError):
    """Several fields of one object are invalid; raised with all of them at once."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def raise_problems(problems: Problems) -> None:
    """Raise :class:`InvalidFieldsError` if the checks found anything."""
    errors = [FieldError(field, message) for field, message in problems]
    if errors:
        raise InvalidFieldsError(errors)


def valid_year(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    """An attrs validator: a calendar year clusterkit can make dates in (1 to 9999)."""
    if not 1 <= value <= 9999:
        raise FieldError(attribute.name, msg("{value} is not a year (1 to 9999)", value=value))


def check_identifier(field: str, value: str) -> Problems:
    if not _IDENT.match(value):
        yield (
            field,
            msg("{value!r} is not an identifier (letters, digits, '_', '-', '.')", value=value),
        )


class Lang(enum.StrEnum):
    """The languages clusterkit speaks."""

    RU = "ru"
    KK = "kk"
    EN = "en"


@attrs.frozen
class LocalizedText:
    """Text in Russian, Kazakh and English; at least one must be given.

    Attributes:
        ru, kk, en: the text in each language, empty when not known.
    """

    ru: str = ""
    kk: str = ""
    en: str = ""

    def __attrs_post_init__(self) -> None:
        if not (self.ru or self.kk or self.en):
            raise InvalidFieldsError(
                [FieldError("en", msg("give the text in at least one of ru, kk, en"))]
            )

    def get(self, lang: Lang | str = Lang.EN) -> str:
        """The text in ``lang``, else in English, Russian, Kazakh (first one present)."""
        wanted = getattr(self, str(lang), "")
        return str(wanted or self.en or self.ru or self.kk)

    def __str__(self) -> str:
        return self.get(Lang.EN)


class Extra(Mapping[str, Any]):
    """The values of the fields a schema declares for an entity, beyond the built-in
    model's: immutable and hashable, like the entity that holds them.

    Values are exact: ``Decimal``, ``Money``, dates, text, yes/no, tuples for lists.
    """

    __slots__ = ("_hash", "_values")

    def __init__(self, values: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._values: dict[str, Any] = dict(values)
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(sorted(self._values.items())))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Extra):
            return self._values == other._values
        return NotImplemented

    def __repr__(self) -> str:
        return f"Extra({self._values!r})"

    def __reduce__(self) -> tuple[type[Extra], tuple[dict[str, Any]]]:
        return (Extra, (self._values,))


#: An entity with no declared fields.
NO_EXTRA = Extra()


@attrs.frozen
class Declared:
    """Base of every entity kind of the model: the values of the fields a schema
    declares for it (``extra``, empty under the built-in schema)."""

    extra: Extra = attrs.field(default=NO_EXTRA, kw_only=True, repr=False)


@attrs.frozen
class Region(Declared):
    """An administrative region (oblast or city of republican significance).

    Attributes:
        code: ISO 3166-2 code, e.g. ``KZ-KAR`` for Karaganda region.
        name: the region's name.
    """

    code: str
    name: LocalizedText

    def __attrs_post_init__(self) -> None:
        raise_problems(check_identifier("code", self.code))


@attrs.frozen
class Sector(Declared):
    """An industry a cluster belongs to.

    Attributes:
        code: a short identifier (``construction``, ``pharma``).
        name: the sector's name.
        oked: OKED activity codes (prefixes) that belong to it.
    """

    code: str
    name: LocalizedText
    oked: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        raise_problems(check_identifier("code", self.code))
