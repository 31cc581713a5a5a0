"""The report as sections of rows, which the text, Markdown and HTML reporters lay out.

Rows name clusters and projects, never their ids; every text is in the report's
language. A table shows the published effect and the part "due to cluster projects"
only where the source gives them, and a total row only for amounts that add up (not for
ratios such as productivity per person).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from clusterkit import Outcome
from clusterkit.international import SupportLevels
from clusterkit.plugins import ReportContext
from clusterkit.tables import IndicatorRow, IndicatorTable, Membership, Tables
from clusterkit_plugins.reporters import words
from clusterkit_plugins.reporters.common import Labels, entity_names, report_tables, rulebook_counts

__all__ = ["Section", "due_to_projects", "report_sections"]


@attrs.frozen
class Section:
    """A titled table; the last ``totals`` rows are totals (shown in bold).

    Attributes:
        key: ``projects``, an indicator's id, ``membership``, ``support_levels``,
            ``summary`` or ``verdicts``.
        numeric: the indexes of the columns that hold figures (aligned right).
        outcomes: the outcome of each row, for tables of verdicts.
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: int = 0
    note: str = ""
    outcomes: tuple[Outcome | None, ...] = ()
    numeric: frozenset[int] = frozenset()


def _projects(tables: Tables, t: Labels) -> Section:
    _ = t._
    rows = [
        (
            p.cluster_name,
            p.title,
            t.money(p.budget),
            t.money(p.cluster_share) if p.cluster_share is not None else "—",
            t.percent(p.share, 1),
        )
        for p in tables.projects
    ]
    for budget, share in zip(tables.budget_total, tables.share_total, strict=True):
        rows.append(
            (
                _("Total"),
                "",
                t.money(budget),
                t.money(share),
                t.percent(tables.share_ratio(budget, share), 1),
            )
        )
    return Section(
        "projects",
        _("Projects of the target cluster programmes"),
        (_("Cluster"), _("Project"), _("Budget"), _("Cluster share"), _("Share")),
        tuple(rows),
        totals=len(tables.budget_total),
        numeric=frozenset({2, 3, 4}),
    )


def due_to_projects(row: IndicatorRow, table: IndicatorTable, t: Labels) -> str:
    """The part due to cluster projects as the source gives it: a percentage, an
    amount in the table's unit, or both; ``—`` where it gives neither."""
    parts = []
    if row.due_to_projects is not None:
        parts.append(t.percent(row.due_to_projects))
    if row.attributed is not None:
        parts.append(t.value(row.attributed, table.unit))
    if not parts:
        return "—"
    return parts[0] if len(parts) == 1 else f"{parts[0]} ({parts[1]})"


def _indicator(table: IndicatorTable, t: Labels) -> Section:
    _ = t._
    attributed = table.attributed
    stated = any(r.stated_effect is not None for r in table.rows)
    columns = [_("Cluster"), str(table.base_year), str(table.target_year), _("Effect")]
    if stated:
        columns.append(_("Stated effect"))
    if attributed:
        columns.append(_("Due to cluster projects"))
    rows = []
    for r in table.rows:
        cells = [
            r.name,
            t.value(r.base, table.unit),
            t.value(r.target, table.unit),
            t.percent(r.effect),
        ]
        if stated:
            cells.append(t.percent(r.stated_effect))
        if attributed:
            cells.append(due_to_projects(r, table, t))
        rows.append(tuple(cells))
    blank = ("",) * (len(columns) - 3)
    totals = 0
    if table.total_base is not None and table.total_target is not None:
        rows.append(
            (
                _("Total"),
                t.value(table.total_base, table.unit),
                t.value(table.total_target, table.unit),
                t.percent(table.total_effect),
                *blank[1:],
            )
        )
        totals += 1
    if table.stated_base is not None or table.stated_target is not None:
        rows.append(
            (
                _("Published total"),
                t.measure(table.stated_base),
                t.measure(table.stated_target),
                *blank,
            )
        )
        totals += 1
    note = ""
    if table.total_change is not None:
        note = _("Change of the total: {change}").format(
            change=t.value(table.total_change, table.unit)
        )
    return Section(
        table.indicator,
        f"{t.indicator(table)}, {table.base_year} → {table.target_year}",
        tuple(columns),
        tuple(rows),
        totals=totals,
        note=note,
        numeric=frozenset(range(1, len(columns))),
    )


def _membership(members: Membership, t: Labels) -> Section:
    """Members per cluster on its first date of joining and on the report's date, the
    total (counts add up), and the published growth where the data has it."""
    _ = t._
    rows = [
        (
            r.name,
            t.date(r.start),
            words.number(r.at_start, t),
            words.number(r.at_date, t),
            t.percent(r.growth),
        )
        for r in members.rows
    ]
    rows.append(
        (
            _("Total"),
            "",
            words.number(members.total_start, t),
            words.number(members.total, t),
            t.percent(members.growth),
        )
    )
    if members.stated_growth is not None:
        rows.append((_("Published growth"), "", "", "", t.measure(members.stated_growth)))
    return Section(
        "membership",
        _("Growth of cluster membership"),
        (
            _("Cluster"),
            _("First joined"),
            _("Members at the start"),
            _("Members on {date}").format(date=t.date(members.on)),
            _("Growth"),
        ),
        tuple(rows),
        totals=len(rows) - len(members.rows),
        note=words.membership_note(members, t),
        numeric=frozenset({2, 3, 4}),
    )


def _support(levels: SupportLevels, t: Labels) -> Section:
    """The support levels: country, what each is per, the level as stated, in tenge,
    the rate and its date, and the data's note."""
    _ = t._
    rows = tuple(
        (
            words.country(r.country, t),
            words.per(r, t),
            words.level(r, t),
            words.converted(r, t),
            words.rate(r, levels.currency, t),
            words.level_note(r, t),
        )
        for r in levels.rows
    )
    return Section(
        "support_levels",
        _("International comparison of support levels"),
        (
            _("Country"),
            _("Per"),
            _("Level"),
            _("In tenge"),
            _("Exchange rate"),
            _("Basis and note"),
        ),
        rows,
        note=words.support_note(levels, t),
        numeric=frozenset({2, 3, 4}),
    )


def _results(context: ReportContext, t: Labels, names: Mapping[str, str]) -> list[Section]:
    _ = t._
    if context.results is None:
        return []
    counts = [
        (ref.id, ref.version, *(str(n[o]) for o in Outcome))
        for ref, n in rulebook_counts(context.results)
    ]
    summary = Section(
        "summary",
        _("Check results"),
        (_("Rulebook"), _("Version"), *(t.outcome(o) for o in Outcome)),
        tuple(counts),
        numeric=frozenset(range(2, 2 + len(Outcome))),
    )
    shown = [
        r
        for r in context.results.results
        if r.outcome not in (Outcome.PASS, Outcome.NOT_APPLICABLE)
    ]
    details = Section(
        "verdicts",
        _("Verdicts that need attention"),
        (
            _("Rulebook"),
            _("Rule"),
            _("Entity"),
            _("Outcome"),
            _("Explanation"),
            _("Basis"),
        ),
        tuple(
            (
                r.rulebook,
                r.title(t.lang),
                names.get(r.entity, r.entity),
                r.label(t.lang),
                t.explanation(r),
                t.basis(r),
            )
            for r in shown
        ),
        outcomes=tuple(r.outcome for r in shown),
    )
    return [summary, details]


def data_sections(tables: Tables, t: Labels) -> list[Section]:
    """The data's tables: the projects, one per indicator, the growth of membership and
    the international comparison (each only where the data has it)."""
    sections = []
    if tables.projects:
        sections.append(_projects(tables, t))
    sections.extend(_indicator(table, t) for table in tables.indicators)
    if tables.membership is not None:
        sections.append(_membership(tables.membership, t))
    if tables.support is not None:
        sections.append(_support(tables.support, t))
    return sections


def report_sections(context: ReportContext, t: Labels) -> list[Section]:
    """Projects, indicator tables, then the check results (if rules were run)."""
    tables = report_tables(context)
    names = entity_names(context.dataset, t)
    return [*data_sections(tables, t), *_results(context, t, names)]
