"""The Markdown reporter: the report's tables as GitHub-flavoured Markdown."""

from __future__ import annotations

from clusterkit.plugins import ReportContext
from clusterkit_plugins.reporters.common import Reporter, labels_for
from clusterkit_plugins.reporters.sections import report_sections

__all__ = ["MarkdownReporter", "plugin"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class MarkdownReporter(Reporter):
    name = "markdown"
    description = "Markdown tables"
    suffix = ".md"

    def render(self, context: ReportContext) -> str:
        t = labels_for(context.lang)
        info = context.dataset.info
        lines = [f"# {_cell(info.title.get(context.lang))}", ""]
        if info.source:
            lines += [t._("Source: {source}").format(source=_cell(info.source)), ""]
        for section in report_sections(context, t):
            lines += [f"## {_cell(section.title)}", ""]
            lines.append("| " + " | ".join(_cell(c) for c in section.columns) + " |")
            lines.append("|" + "|".join("---" for _ in section.columns) + "|")
            first_total = len(section.rows) - section.totals
            for index, row in enumerate(section.rows):
                cells = [_cell(c) for c in row]
                if index >= first_total:
                    cells = [f"**{c}**" if c else c for c in cells]
                lines.append("| " + " | ".join(cells) + " |")
            if section.note:
                lines += ["", _cell(section.note)]
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


plugin = MarkdownReporter()
