"""The Markdown reporter: the report's tables as GitHub-flavoured Markdown.

Text from data is literal: HTML metacharacters become entities and Markdown's own are
backslash-escaped, so a name holding ``<script>``, ``<img onerror=...>``, ``[a](b)`` or
``|`` shows as written and does nothing.
"""

from __future__ import annotations

from clusterkit.plugins import ReportContext
from clusterkit_plugins.reporters.common import Reporter, labels_for, markdown_text
from clusterkit_plugins.reporters.sections import report_sections

__all__ = ["MarkdownReporter", "plugin"]


class MarkdownReporter(Reporter):
    name = "markdown"
    description = "Markdown tables"
    suffix = ".md"

    def render(self, context: ReportContext) -> str:
        t = labels_for(context.lang)
        info = context.dataset.info
        lines = [f"# {markdown_text(info.title.get(context.lang))}", ""]
        if info.source:
            lines += [markdown_text(t._("Source: {source}").format(source=info.source)), ""]
        for section in report_sections(context, t):
            lines += [f"## {markdown_text(section.title)}", ""]
            lines.append("| " + " | ".join(markdown_text(c) for c in section.columns) + " |")
            lines.append(
                "|"
                + "|".join(
                    "---:" if i in section.numeric else "---" for i in range(len(section.columns))
                )
                + "|"
            )
            first_total = len(section.rows) - section.totals
            for index, row in enumerate(section.rows):
                cells = [markdown_text(c) for c in row]
                if index >= first_total:
                    cells = [f"**{c}**" if c else c for c in cells]
                lines.append("| " + " | ".join(cells) + " |")
            if section.note:
                lines += ["", markdown_text(section.note)]
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


plugin = MarkdownReporter()
