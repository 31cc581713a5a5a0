"""One diagnostic type for every problem a user can cause.

Data loaders, the rules checker and the CLI all report through :class:`Diagnostic`.
A diagnostic names where the problem is (a file, and a line and column in it or a
data path inside it), what is wrong in plain language, and optionally how to fix it.

Messages and hints are English; made with :func:`clusterkit.messages.msg` they can be
shown in Russian or Kazakh too (:meth:`Diagnostic.localized`), with the same code.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence

import attrs

from clusterkit.messages import Message, msg, render

__all__ = [
    "Diagnostic",
    "DiagnosticError",
    "Severity",
    "Span",
    "render_text",
    "source_lines",
    "unify_line_ends",
]


class Severity(enum.StrEnum):
    """How serious a diagnostic is; only ``error`` stops a run."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@attrs.frozen
class Span:
    """A region of a source file, 1-based lines and columns, end exclusive.

    Attributes:
        file: the file's path as the user gave it.
        line, column: where the region starts.
        end_line, end_column: where it ends (same as the start when unknown).
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, file: str, line: int, column: int) -> Span:
        return cls(file, line, column, line, column + 1)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@attrs.frozen
class Diagnostic:
    """A problem found in user input.

    Attributes:
        code: a stable identifier (``D104``, ``R201``) documented in docs/diagnostics.md.
        severity: error, warning or info.
        message: one plain-language sentence, in English; a
            :class:`~clusterkit.messages.Message` when it can be shown in other languages.
        file: the file the problem is in, if any.
        path: the data path inside the file (``clusters[2].participants[5].bin``).
        span: line and column in a text file such as a rule file.
        hint: what to do about it, if we can tell.
    """

    code: str
    severity: Severity
    message: str
    file: str | None = None
    path: str | None = None
    span: Span | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        """``file:line:col`` or ``file: path`` or whatever part is known."""
        if self.span is not None:
            return str(self.span)
        parts = [p for p in (self.file, self.path) if p]
        return ": ".join(parts)

    @property
    def template(self) -> str:
        """The message's template (its gettext msgid), or the message when it has none."""
        return self.message.template if isinstance(self.message, Message) else self.message

    @property
    def params(self) -> dict[str, object]:
        """The values filled into :attr:`template`."""
        return dict(self.message.params) if isinstance(self.message, Message) else {}

    def localized(self, lang: str) -> Diagnostic:
        """This diagnostic with its message and hint in ``lang``; code and place unchanged.

        Parts of a message that are not made from a template stay English.
        """
        if lang == "en":
            return self
        hint = None if self.hint is None else render(self.hint, lang)
        return attrs.evolve(self, message=render(self.message, lang), hint=hint)

    def __str__(self) -> str:
        return self.text()

    def text(self, lang: str = "en") -> str:
        """``where: severity[code]: message (hint: ...)``, in ``lang``."""
        where = self.location()
        head = f"{where}: " if where else ""
        if lang == "en":  # the common case, without looking anything up
            hint = f" (hint: {self.hint})" if self.hint else ""
            return f"{head}{self.severity.value}[{self.code}]: {self.message}{hint}"
        severity = render(_SEVERITY[self.severity], lang)
        text = f"{head}{severity}[{self.code}]: {render(self.message, lang)}"
        if self.hint:
            text += render(msg(" (hint: {hint})", hint=self.hint), lang)
        return text

    def to_json(self, lang: str = "en") -> dict[str, object]:
        """The diagnostic's fields; ``message`` and ``hint`` in ``lang``, and when that is
        not English, the English ones too as ``message_en`` and ``hint_en``."""
        shown = self.localized(lang)
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": shown.message,
        }
        if lang != "en":
            out["message_en"] = str(self.message)
        if self.file is not None:
            out["file"] = self.file
        if self.path is not None:
            out["path"] = self.path
        if self.span is not None:
            out["span"] = attrs.asdict(self.span)
        if shown.hint is not None:
            out["hint"] = str(shown.hint)
            if lang != "en":
                out["hint_en"] = str(self.hint)
        return out


# The severities' names in text output; JSON keeps the English value.
_SEVERITY = {
    Severity.ERROR: msg("error"),
    Severity.WARNING: msg("warning"),
    Severity.INFO: msg("info"),
}


class DiagnosticError(Exception):
    """Raised when input cannot be used; carries every diagnostic found, not just the first."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


_LINE_END = re.compile(r"\r\n|\r|\n")
_LONE_CR = re.compile(r"\r(?!\n)")
#: Characters an excerpt shows as ``?``: controls (a tab stays) and the bidirectional
#: formatting marks that would reorder the line on a terminal.
_UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: The widest excerpt shown; a longer line is cut around the column, with ``…``.
EXCERPT_WIDTH = 160


def unify_line_ends(text: str) -> str:
    """``text`` with each lone carriage return (old Mac line ends) made a line feed.

    The length and every offset stay the same, so positions in the result are
    positions in ``text``; CR LF pairs are left as they are.
    """
    return _LONE_CR.sub("\n", text) if "\r" in text else text


def source_lines(text: str) -> list[str]:
    """A source file's lines as diagnostics count them: split at line feeds, CR LF pairs
    and lone carriage returns (a form feed or U+2028 inside a line does not start a new
    one), without the line ends."""
    return _LINE_END.split(text)


def render_text(
    diagnostic: Diagnostic, source_lines: Sequence[str] | None = None, lang: str = "en"
) -> str:
    """Render a diagnostic for people in ``lang``, with a caret excerpt when the source is
    at hand."""
    text = diagnostic.text(lang)
    span = diagnostic.span
    if span is None or source_lines is None or not 1 <= span.line <= len(source_lines):
        return text
    line = source_lines[span.line - 1].rstrip("\n")
    width = max(1, (span.end_column - span.column) if span.end_line == span.line else 1)
    line, column, width = _window(line, span.column, width)
    gutter = f"{span.line:>4} | "
    # The caret line keeps the tabs of the line before the column, so that the caret
    # stands under its character whatever the terminal's tab width.
    lead = "".join("\t" if char == "\t" else " " for char in line[: column - 1])
    caret = " " * len(gutter) + lead + "^" * width
    return f"{text}\n{gutter}{_UNSHOWN.sub('?', line)}\n{caret}"


def _window(line: str, column: int, width: int) -> tuple[str, int, int]:
    """The part of ``line`` an excerpt shows, the column in it and the caret's width:
    at most :data:`EXCERPT_WIDTH` characters around the column."""
    if len(line) <= EXCERPT_WIDTH:
        return line, column, min(width, max(1, len(line) - column + 1))
    start = max(0, min(column - 1 - EXCERPT_WIDTH // 3, len(line) - EXCERPT_WIDTH))
    end = start + EXCERPT_WIDTH
    shown = ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")
    column = column - start + (1 if start else 0)
    return shown, column, max(1, min(width, end - start - (column - 1) + (1 if start else 0)))
