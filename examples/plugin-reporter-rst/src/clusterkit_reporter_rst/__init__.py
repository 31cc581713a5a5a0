"""A reStructuredText reporter for clusterkit: an example third-party plugin."""

from __future__ import annotations

from clusterkit.plugins import PLUGIN_API, ReportContext
from clusterkit.tables import build_tables


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    head_rule = rule.replace("-", "=")

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [rule, line(header), head_rule]
    for row in rows:
        out += [line(row), rule]
    return out


class RstReporter:
    name = "rst"
    api_version = PLUGIN_API
    description = "reStructuredText tables (example third-party plugin)"
    suffix = ".rst"

    def render(self, context: ReportContext) -> str:
        tables = build_tables(context.dataset, context.lang)
        title = context.dataset.info.title.get(context.lang)
        lines = [title, "=" * len(title), ""]
        for table in tables.indicators:
            heading = f"{table.indicator} {table.base_year}-{table.target_year} ({table.unit})"
            lines += [heading, "-" * len(heading), ""]
            rows = [[r.cluster, str(r.base or ""), str(r.target or "")] for r in table.rows]
            rows.append(["total", str(table.total_base), str(table.total_target)])
            lines += _grid(["cluster", str(table.base_year), str(table.target_year)], rows)
            lines.append("")
        if context.results is not None:
            failed = [r for r in context.results.results if r.outcome.is_failure]
            lines += [f"{len(failed)} failed verdict(s)", ""]
        return "\n".join(lines)


plugin = RstReporter()
