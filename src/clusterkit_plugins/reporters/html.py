"""The HTML reporter: one self-contained page with tables and bar charts.

Every value from data or rules is escaped; the page loads nothing from elsewhere.
Each indicator gets a chart of the base year against the target year per cluster,
as the source document's slides show them.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from clusterkit.plugins import ReportContext
from clusterkit.tables import IndicatorTable, build_tables
from clusterkit_plugins.reporters.common import Labels, Reporter, labels_for
from clusterkit_plugins.reporters.sections import Section, report_sections

__all__ = ["HtmlReporter", "plugin"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; max-width: 72rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #c8c8c8; padding: 0.25rem 0.6rem; text-align: left; }
th { background: #eef2f6; } tr.total td { font-weight: bold; background: #f7f7f7; }
td.outcome-fail, td.outcome-breach { color: #b00020; font-weight: bold; }
td.outcome-warning { color: #a05a00; font-weight: bold; }
td.outcome-undetermined { color: #6a1b9a; }
.note { color: #555; font-size: 0.9rem; }
td.num { white-space: nowrap; text-align: right; }
svg text { font-size: 12px; font-family: system-ui, sans-serif; }
"""
_BAR_BASE = "#9fb4c7"
_BAR_TARGET = "#1f5f8b"


def _table(section: Section) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in section.columns)
    body = []
    first_total = len(section.rows) - section.totals
    for index, row in enumerate(section.rows):
        outcome = section.outcomes[index] if index < len(section.outcomes) else None
        cells = []
        for column, cell in enumerate(row):
            if outcome is not None and column == 3:
                css = f' class="outcome-{outcome.value}"'
            elif len(cell) < 30 and any(ch.isdigit() for ch in cell):
                css = ' class="num"'  # figures stay on one line
            else:
                css = ""
            cells.append(f"<td{css}>{escape(cell)}</td>")
        css_row = ' class="total"' if index >= first_total else ""
        body.append(f"<tr{css_row}>{''.join(cells)}</tr>")
    note = f'<p class="note">{escape(section.note)}</p>' if section.note else ""
    return (
        f"<h2>{escape(section.title)}</h2>\n<table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>{note}"
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chart(table: IndicatorTable, t: Labels) -> str:
    """Horizontal bars, base year against target year, one pair per cluster."""
    rows = [r for r in table.rows if r.base is not None or r.target is not None]
    if not rows:
        return ""
    top = max(max(r.base or Decimal(0), r.target or Decimal(0)) for r in rows) or Decimal(1)
    label_width, bar_width, row_height = 330, 420, 34
    height = row_height * len(rows) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 160}" '
        f'height="{height}" role="img" aria-label="{escape(t.indicator(table))}">'
    ]
    for index, row in enumerate(rows):
        y = 10 + index * row_height
        parts.append(f'<text x="0" y="{y + 14}">{escape(_shorten(row.name, 44))}</text>')
        for offset, value, colour in ((0, row.base, _BAR_BASE), (13, row.target, _BAR_TARGET)):
            length = int(bar_width * (value or 0) / top)
            parts.append(
                f'<rect x="{label_width}" y="{y + offset}" width="{length}" height="11" '
                f'fill="{colour}"><title>{escape(t.value(value, table.unit))}</title></rect>'
            )
            parts.append(
                f'<text x="{label_width + length + 4}" y="{y + offset + 10}">'
                f"{escape(t.value(value, table.unit))}</text>"
            )
    legend_y = height - 12
    parts.append(
        f'<rect x="{label_width}" y="{legend_y - 9}" width="10" height="10" fill="{_BAR_BASE}"/>'
        f'<text x="{label_width + 14}" y="{legend_y}">{table.base_year}</text>'
        f'<rect x="{label_width + 70}" y="{legend_y - 9}" width="10" height="10" '
        f'fill="{_BAR_TARGET}"/><text x="{label_width + 84}" y="{legend_y}">'
        f"{table.target_year}</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts)


class HtmlReporter(Reporter):
    name = "html"
    description = "one self-contained HTML page with tables and bar charts"
    suffix = ".html"

    def render(self, context: ReportContext) -> str:
        t = labels_for(context.lang)
        info = context.dataset.info
        title = escape(info.title.get(context.lang))
        charts = {
            table.indicator: _chart(table, t)
            for table in build_tables(context.dataset, context.lang).indicators
        }
        body = [f"<h1>{title}</h1>"]
        if info.source:
            body.append(
                f'<p class="note">{escape(t._("Source: {source}").format(source=info.source))}</p>'
            )
        if context.results is not None:
            p = context.results.provenance
            body.append(
                '<p class="note">'
                + escape(t._("As of {date}").format(date=p.as_of.isoformat()))
                + "</p>"
            )
        for section in report_sections(context, t):
            body.append(_table(section))
            if section.key in charts:
                body.append(charts[section.key])
        return (
            f'<!DOCTYPE html>\n<html lang="{escape(context.lang)}">\n<head>\n'
            f'<meta charset="utf-8">\n<title>{title}</title>\n<style>{_STYLE}</style>\n'
            f"</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
        )


plugin = HtmlReporter()
