"""Messages that can be shown in any of clusterkit's languages.

A :class:`Message` *is* its English text (a ``str``), so everything that passes a
message along as text keeps working and ``Diagnostic.message`` stays English. It also
remembers the template it was made from and the parameters filled in, so it can be
shown again in Russian or Kazakh: the template is the gettext msgid, looked up in the
catalogs of :mod:`clusterkit.i18n`, and filled with the same parameters.

Parameters that are themselves messages (a type's name, "the end of the file") are
shown in the same language; every other parameter (a name from a rule file, a file
path, a value from the data) is shown as it is.

    >>> m = msg("unknown name {name!r}", name="budgett")
    >>> m
    "unknown name 'budgett'"
    >>> m.template
    'unknown name {name!r}'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, overload

from clusterkit.i18n import translator

__all__ = ["Message", "join", "msg", "render", "text_of"]


class Message(str):
    """English text made from a template, that can be rendered in another language.

    Attributes:
        template: the ``str.format`` template in English, also the gettext msgid.
        params: the values filled in.
        verbatim: True for a template with no words in it (a list of messages),
            which is used as it is in every language.
    """

    __slots__ = ("params", "template", "verbatim")

    template: str
    params: Mapping[str, object]
    verbatim: bool

    def __new__(
        cls, template: str, params: Mapping[str, object], verbatim: bool = False
    ) -> Message:
        self = str.__new__(cls, template.format_map(params))
        self.template = template
        self.params = params  # msg's and join's own dicts: not copied again
        self.verbatim = verbatim
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.template, self.params, self.verbatim))

    def render(self, lang: str) -> str:
        """The message in ``lang``; English (the text itself) when there is no translation."""
        if lang == "en":
            return str.__str__(self)
        values = {
            key: value.render(lang) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        template = self.template
        if not self.verbatim:
            template = translator(lang)(template)
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):  # a broken translation: say it in English
            return self.template.format(**values)


def msg(template: str, /, **params: object) -> Message:
    """A message: ``template`` (English, a gettext msgid) filled with ``params``.

    The template must be a string literal, so the catalog tests find it.
    """
    return Message(template, params)


def join(parts: Iterable[object], separator: str = ", ") -> Message:
    """``parts`` joined with ``separator``, each shown in the message's language (the
    separator too, when it is a message such as ``msg(" or ")``)."""
    params: dict[str, object] = {f"p{index}": part for index, part in enumerate(parts)}
    if isinstance(separator, Message):
        params["sep"], between = separator, "{sep}"
    else:
        between = separator.replace("{", "{{").replace("}", "}}")
    template = between.join(f"{{p{index}}}" for index in range(len(params) - ("sep" in params)))
    return Message(template, params, True)


def text_of(error: BaseException) -> str:
    """The message ``error`` was raised with: a :class:`Message` when it was made from
    one (``str(error)`` would give its English text only)."""
    if len(error.args) == 1 and isinstance(error.args[0], Message):
        return error.args[0]
    return str(error)


@overload
def render(value: str, lang: str) -> str: ...
@overload
def render(value: object, lang: str) -> object: ...
def render(value: object, lang: str) -> object:
    """``value`` in ``lang`` if it is a :class:`Message`; anything else as it is."""
    if isinstance(value, Message):
        return value.render(lang)
    return value
