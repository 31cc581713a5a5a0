"""The text reporter: aligned tables for a terminal, outcomes coloured on a TTY."""

from __future__ import annotations

import click

from clusterkit import Outcome
from clusterkit.plugins import ReportContext
from clusterkit_plugins.reporters.common import Reporter, labels_for
from clusterkit_plugins.reporters.sections import Section, report_sections

__all__ = ["TextReporter", "plugin"]

_COLOURS = {
    Outcome.FAIL: "red",
    Outcome.BREACH: "red",
    Outcome.WARNING: "yellow",
    Outcome.UNDETERMINED: "magenta",
    Outcome.PASS: "green",
}


def _table(section: Section, colour: bool) -> list[str]:
    widths = [len(c) for c in section.columns]
    for row in section.rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [section.title, "=" * len(section.title)]
    lines.append(
        "  ".join(c.ljust(w) for c, w in zip(section.columns, widths, strict=True)).rstrip()
    )
    lines.append("  ".join("-" * w for w in widths))
    for index, row in enumerate(section.rows):
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        outcome = section.outcomes[index] if index < len(section.outcomes) else None
        if colour and outcome in _COLOURS:
            line = click.style(line, fg=_COLOURS[outcome])
        lines.append(line)
    if section.note:
        lines.append(section.note)
    return lines


class TextReporter(Reporter):
    name = "text"
    description = "aligned tables for a terminal (coloured on a TTY)"
    suffix = ".txt"

    def render(self, context: ReportContext) -> str:
        t = labels_for(context.lang)
        title = context.dataset.info.title.get(context.lang)
        lines = [title, ""]
        for section in report_sections(context, t):
            lines.extend(_table(section, context.colour))
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


plugin = TextReporter()
