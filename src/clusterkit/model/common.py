"""Building blocks shared by the domain model: localized text, regions, sectors, checks."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator

import attrs

__all__ = [
    "FieldError",
    "InvalidFieldsError",
    "Lang",
    "LocalizedText",
    "Problems",
    "Region",
    "Sector",
    "check_identifier",
    "raise_problems",
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


def check_identifier(field: str, value: str) -> Problems:
    if not _IDENT.match(value):
        yield field, f"{value!r} is not an identifier (letters, digits, '_', '-', '.')"


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
                [FieldError("en", "give the text in at least one of ru, kk, en")]
            )

    def get(self, lang: Lang | str = Lang.EN) -> str:
        """The text in ``lang``, else in English, Russian, Kazakh (first one present)."""
        wanted = getattr(self, str(lang), "")
        return str(wanted or self.en or self.ru or self.kk)

    def __str__(self) -> str:
        return self.get(Lang.EN)


@attrs.frozen
class Region:
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
class Sector:
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
