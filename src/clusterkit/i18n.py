"""Messages in Russian, Kazakh and English, through gettext catalogs.

Catalogs live in ``clusterkit/locale/<lang>/LC_MESSAGES/clusterkit.po`` and are
compiled to ``.mo`` files shipped in the wheel (:func:`compile_catalogs` writes them;
a test checks the compiled files match their sources). The language is the one
asked for (``--lang``), else the usual locale environment variables, else English.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

__all__ = [
    "CHOSEN",
    "DOMAIN",
    "LANGUAGES",
    "N_",
    "choose_lang",
    "compile_catalog",
    "compile_catalogs",
    "known_language",
    "language_of",
    "local",
    "translator",
]

DOMAIN = "clusterkit"
LANGUAGES = ("en", "ru", "kk")
_ENVIRONMENT = ("CLUSTERKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


# The language a command was asked for (``--lang``), for messages made where the option
# does not reach (a store's errors): set by the command line for one command's run.
CHOSEN: ContextVar[str | None] = ContextVar("clusterkit_lang", default=None)


def choose_lang(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``explicit`` if given, else the language the running command was asked for
    (:data:`CHOSEN`), else the first supported language the environment names."""
    if explicit:
        return explicit
    if environ is None and (chosen := CHOSEN.get()) is not None:
        return chosen
    env = os.environ if environ is None else environ
    for name in _ENVIRONMENT:
        value = env.get(name, "")
        for part in value.split(":"):
            code = language_of(part)
            if code is not None:
                return code
    return "en"


def known_language(lang: object) -> str:
    """``lang`` if clusterkit speaks it; else :class:`ValueError` naming the languages it
    does (results are shown in them, numbers and dates formatted for them)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGUAGES)}")
    return str(lang)


def language_of(tag: str) -> str | None:
    """The supported language a locale or language tag names (``ru_RU.UTF-8``,
    ``kk-KZ``, ``en``), or None."""
    code = tag.split(".", 1)[0].replace("-", "_").split("_", 1)[0].lower()
    return code if code in LANGUAGES else None


@cache
def translator(lang: str) -> Callable[[str], str]:
    """The ``gettext`` function for ``lang``; English (the messages as written) if unknown."""
    if lang not in LANGUAGES:
        lang = "en"
    where = f"locale/{lang}/LC_MESSAGES/{DOMAIN}.mo"
    try:
        # Beside this module where clusterkit is installed as files, as it usually is;
        # else (a zip) through importlib.resources, which costs more to import than
        # all of gettext.
        data = (Path(__file__).parent / where).read_bytes()
    except OSError:
        from importlib import resources  # noqa: PLC0415

        try:
            data = resources.files("clusterkit").joinpath(where).read_bytes()
        except (FileNotFoundError, OSError):
            return gettext.NullTranslations().gettext
    return gettext.GNUTranslations(BytesIO(data)).gettext


def N_(message: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Mark ``message`` for translation where it is defined and translate it where it is
    shown (a verdict's "needs ..." is made during evaluation, shown in any language)."""
    return message


def local(message: str) -> str:
    """``message`` in the language the environment asks for (see :func:`choose_lang`).

    For messages made where no ``--lang`` reaches, such as a store's errors.
    """
    return translator(choose_lang(None))(message)


def compile_catalog(po_file: Path) -> bytes:
    """The ``.mo`` bytes for a ``.po`` file (babel's reader and writer)."""
    # babel only here: showing a message needs the compiled catalogs, not babel
    from babel.messages.mofile import write_mo  # noqa: PLC0415
    from babel.messages.pofile import read_po  # noqa: PLC0415

    with po_file.open("rb") as handle:
        # A broken entry (a msgid without its msgstr, after a merge) stops the build
        # instead of being dropped with a warning.
        catalog = read_po(handle, abort_invalid=True)
    out = BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_catalogs(root: Path | None = None) -> list[Path]:
    """Compile every ``.po`` file under ``root`` (default: the package's locale folder)."""
    from importlib import resources  # noqa: PLC0415

    base = root or Path(str(resources.files("clusterkit").joinpath("locale")))
    written = []
    for po_file in sorted(base.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        target = po_file.with_suffix(".mo")
        target.write_bytes(compile_catalog(po_file))
        written.append(target)
    return written


if __name__ == "__main__":  # python -m clusterkit.i18n: recompile the shipped catalogs
    for path in compile_catalogs():
        print(path)
