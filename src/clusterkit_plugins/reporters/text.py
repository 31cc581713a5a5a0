"""The text reporter: aligned tables for a terminal, outcomes coloured on a TTY.

Text from data (names, titles, messages) reaches the terminal without its control
characters: an escape sequence in a cluster's name is removed, not obeyed.
"""

from __future__ import annotations

import click

from clusterkit import Outcome
from clusterkit.plugins import ReportContext
from clusterkit_plugins.reporters.common import Reporter, labels_for, terminal_text
from clusterkit_plugins.reporters.sections import Section, report_sections

__all__ = ["TextReporter", "plugin"]

_COLOURS = {
    Outcome.FAIL: "red",
    Outcome.BREACH: "red",
    Outcome.WARNING: "yellow",
    Outcome.UNDETERMINED: "magenta",
    Outcome.PASS: "green",
}


def _cell(text: str, width: int, right: bool) -> str:
    return text.rjust(width) if right else text.ljust(width)


def _table(section: Section, colour: bool) -> list[str]:
    title = terminal_text(section.title)
    columns = [terminal_text(c) for c in section.columns]
    rows = [[terminal_text(c) for c in row] for row in section.rows]
    widths = [len(c) for c in columns]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [title, "=" * len(title)]
    header = (
        _cell(c, w, i in section.numeric)
        for i, (c, w) in enumerate(zip(columns, widths, strict=True))
    )
    lines.append("  ".join(header).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for index, row in enumerate(rows):
        line = "  ".join(
            _cell(cell, w, i in section.numeric)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        outcome = section.outcomes[index] if index < len(section.outcomes) else None
        if colour and outcome in _COLOURS:
            line = click.style(line, fg=_COLOURS[outcome])
        lines.append(line)
    if section.note:
        lines.append(terminal_text(section.note))
    return lines


class TextReporter(Reporter):
    name = "text"
    description = "aligned tables for a terminal (coloured on a TTY)"
    suffix = ".txt"

    def render(self, context: ReportContext) -> str:
        t = labels_for(context.lang)
        title = terminal_text(context.dataset.info.title.get(context.lang))
        lines = [title, ""]
        for section in report_sections(context, t):
            lines.extend(_table(section, context.colour))
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


plugin = TextReporter()
