"""The report as sections of rows, which the text, Markdown and HTML reporters lay out."""

from __future__ import annotations

import attrs

from clusterkit import Outcome
from clusterkit.plugins import ReportContext
from clusterkit.tables import IndicatorTable, Tables, build_tables
from clusterkit_plugins.reporters.common import Labels

__all__ = ["Section", "report_sections"]


@attrs.frozen
class Section:
    """A titled table; the last ``totals`` rows are totals (shown in bold)."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: int = 0
    note: str = ""
    outcomes: tuple[Outcome | None, ...] = ()


def _projects(tables: Tables, t: Labels) -> Section:
    _ = t._
    rows = [
        (p.cluster, p.title, t.money(p.budget), t.money(p.cluster_share), t.percent(p.share, 1))
        for p in tables.projects
    ]
    for budget, share in zip(tables.budget_total, tables.share_total, strict=True):
        rows.append(
            (
                _("Total"),
                "",
                t.money(budget),
                t.money(share),
                t.percent(share.ratio(budget) if budget.amount else None, 1),
            )
        )
    return Section(
        "projects",
        _("Projects of the target cluster programmes"),
        (_("Cluster"), _("Project"), _("Budget"), _("Cluster share"), _("Share")),
        tuple(rows),
        totals=len(tables.budget_total),
    )


def _indicator(table: IndicatorTable, t: Labels) -> Section:
    _ = t._
    rows = [
        (
            r.name,
            t.value(r.base, table.unit),
            t.value(r.target, table.unit),
            t.percent(r.effect),
            t.percent(r.stated_effect),
            t.percent(r.due_to_projects),
        )
        for r in table.rows
    ]
    effect = None
    if table.total_base:
        effect = table.total_target / table.total_base - 1
    rows.append(
        (
            _("Total"),
            t.value(table.total_base, table.unit),
            t.value(table.total_target, table.unit),
            t.percent(effect),
            "",
            "",
        )
    )
    totals = 1
    if table.stated_base is not None or table.stated_target is not None:
        rows.append(
            (
                _("Published total"),
                t.measure(table.stated_base),
                t.measure(table.stated_target),
                "",
                "",
                "",
            )
        )
        totals += 1
    note = _("Change of the total: {change}").format(change=t.value(table.total_change, table.unit))
    return Section(
        table.indicator,
        f"{t.indicator(table)}, {table.base_year} → {table.target_year}",
        (
            _("Cluster"),
            str(table.base_year),
            str(table.target_year),
            _("Effect"),
            _("Stated effect"),
            _("Due to cluster projects"),
        ),
        tuple(rows),
        totals=totals,
        note=note,
    )


def _results(context: ReportContext, t: Labels) -> list[Section]:
    _ = t._
    if context.results is None:
        return []
    counts = []
    refs = context.results.provenance.rulebooks
    for ref in refs:
        own = [r for r in context.results.results if r.rulebook == ref.id]
        cells = [str(sum(1 for r in own if r.outcome is o)) for o in Outcome]
        counts.append((ref.id, ref.version, *cells))
    summary = Section(
        "summary",
        _("Check results"),
        (_("Rulebook"), _("Version"), *(t.outcome(o) for o in Outcome)),
        tuple(counts),
    )
    shown = [
        r
        for r in context.results.results
        if r.outcome not in (Outcome.PASS, Outcome.NOT_APPLICABLE)
    ]
    details = Section(
        "verdicts",
        _("Verdicts that need attention"),
        (_("Rulebook"), _("Rule"), _("Entity"), _("Outcome"), _("Explanation")),
        tuple(
            (r.rulebook, r.title(t.lang), r.entity, t.outcome(r.outcome), t.explanation(r))
            for r in shown
        ),
        outcomes=tuple(r.outcome for r in shown),
    )
    return [summary, details]


def report_sections(context: ReportContext, t: Labels) -> list[Section]:
    """Projects, indicator tables, then the check results (if rules were run)."""
    tables = build_tables(context.dataset, context.lang)
    sections = []
    if tables.projects:
        sections.append(_projects(tables, t))
    sections.extend(_indicator(table, t) for table in tables.indicators)
    sections.extend(_results(context, t))
    return sections
