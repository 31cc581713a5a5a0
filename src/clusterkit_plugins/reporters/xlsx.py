"""The xlsx reporter: an Excel workbook, through openpyxl (``pip install 'clusterkit[xlsx]'``).

Sheets, named in the report's language: a summary (the dataset, its source and dates,
the verdicts by outcome and by rulebook), the projects, one sheet per indicator, the
growth of membership, the international comparison of support levels, and the
findings (every verdict, one row each, with a filter). Figures are numeric cells
with number formats that show their unit and the places they are stated to
(``#,##0.0 "млн ₸"``), percentages are ratios formatted ``0%``, dates are date cells;
nothing a reader computes with is text. A number beyond what a spreadsheet holds
(about 1E+308) is written as text in exponent form. Text from data is written as text
cells: a name starting with ``=`` is shown, never run as a formula.

Here are the sheets, each a function; how a value becomes a cell, and the number
formats, are in :mod:`clusterkit_plugins.reporters.xlsx_cells`. openpyxl is imported
when a report is made, so the reporter is listed (and says what to install) where
openpyxl is missing.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING

from clusterkit import Outcome
from clusterkit.international import SupportLevels
from clusterkit.money import Money
from clusterkit.numbers import shift
from clusterkit.plugins import ReportContext, ReportError
from clusterkit.tables import IndicatorTable, Membership, Tables
from clusterkit.units import Unit
from clusterkit_plugins.reporters.common import (
    Labels,
    Reporter,
    entity_names,
    labels_for,
    rulebook_counts,
)
from clusterkit_plugins.reporters.words import (
    CONVERTED_PLACES,
    country,
    level_note,
    membership_note,
    per,
    support_note,
)
from clusterkit_plugins.reporters.xlsx_cells import (
    Cell,
    SheetWriter,
    amount_cells,
    bounded_format,
    date_format_for,
    new_sheet,
    percent_format,
    places_of,
    sheet_name,
    unit_format,
)

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

__all__ = ["XlsxReporter", "plugin"]


def _summary(book: Workbook, context: ReportContext, t: Labels) -> None:
    _ = t._
    info = context.dataset.info
    sheet = SheetWriter(book.create_sheet(sheet_name(book, _("Summary"))))
    date_format = date_format_for(t)
    sheet.write([info.title.get(t.lang)], bold=True)
    if info.source:
        sheet.write([_("Source"), info.source])
    if info.published is not None:
        sheet.write([_("Published"), info.published], [None, date_format])
    results = context.results
    if results is not None:
        sheet.write([_("Checked as of"), results.provenance.as_of], [None, date_format])
        sheet.skip()
        sheet.write([_("Outcome"), _("Verdicts")], header=True)
        for outcome, count in results.by_outcome().items():
            sheet.write([t.outcome(outcome), count], [None, "0"])
        sheet.write([_("Total"), len(results)], [None, "0"], bold=True)
        sheet.skip()
        sheet.write([_("Rulebook"), _("Version"), *(t.outcome(o) for o in Outcome)], header=True)
        for ref, n in rulebook_counts(results):
            counts = [n[o] for o in Outcome]
            sheet.write([ref.id, ref.version, *counts], [None, None, *("0" for _o in Outcome)])
    sheet.widths([28, 60, *(14 for _o in Outcome)])


def _projects(book: Workbook, tables: Tables, t: Labels) -> None:
    _ = t._
    sheet = new_sheet(book, _("Projects"))
    sheet.write(
        [_("Cluster"), _("Project"), _("Budget"), _("Cluster share"), _("Share")], header=True
    )

    def write(
        name: str,
        title: str,
        budget: Money,
        share: Money | None,
        ratio: Decimal | None,
        *,
        bold: bool = False,
    ) -> None:
        unit = t.unit(Unit(6, budget.currency))
        values = [shift(budget.amount, -6), shift(share.amount, -6) if share else None]
        formats = [unit_format(places_of(v), unit) if v is not None else None for v in values]
        sheet.write(
            [name, title, *values, ratio], [None, None, *formats, percent_format(1)], bold=bold
        )

    for p in tables.projects:
        write(p.cluster_name, p.title, p.budget, p.cluster_share, p.share)
    for budget, share in zip(tables.budget_total, tables.share_total, strict=True):
        write(_("Total"), "", budget, share, tables.share_ratio(budget, share), bold=True)
    sheet.sheet.freeze_panes = "A2"
    sheet.widths([44, 70, 18, 18, 10])


def _indicator(book: Workbook, table: IndicatorTable, t: Labels) -> None:
    _ = t._
    sheet = new_sheet(book, t.indicator(table))
    unit = t.unit(table.unit)
    stated = any(r.stated_effect is not None for r in table.rows)
    percent = any(r.due_to_projects is not None for r in table.rows)
    amount = any(r.attributed is not None for r in table.rows)
    header = [_("Cluster"), str(table.base_year), str(table.target_year), _("Effect")]
    if stated:
        header.append(_("Stated effect"))
    if percent:
        header.append(_("Due to cluster projects"))
    if amount:
        header.append(_("Due to cluster projects") + (f", {unit}" if unit else ""))
    sheet.write(header, header=True)

    def value_format(value: Decimal | None) -> str | None:
        return None if value is None else unit_format(places_of(value), unit)

    for r in table.rows:
        cells: list[Cell] = [r.name, r.base, r.target, r.effect]
        formats = [None, value_format(r.base), value_format(r.target), percent_format()]
        if stated:
            cells.append(r.stated_effect)
            formats.append(percent_format())
        if percent:
            cells.append(r.due_to_projects)
            formats.append(percent_format())
        if amount:
            cells.append(r.attributed)
            formats.append(value_format(r.attributed))
        sheet.write(cells, formats)
    if table.total_base is not None and table.total_target is not None:
        sheet.write(
            [_("Total"), table.total_base, table.total_target, table.total_effect],
            [
                None,
                value_format(table.total_base),
                value_format(table.total_target),
                percent_format(),
            ],
            bold=True,
        )
    published: list[Cell] = [_("Published total")]
    published_formats: list[str | None] = [None]
    for measure in (table.stated_base, table.stated_target):
        if measure is None or measure.unit.base != table.unit.base:
            published.append(t.measure(measure) if measure is not None else None)
            published_formats.append(None)
        else:
            value = shift(measure.value, -table.unit.scale)
            published.append(value)
            published_formats.append(value_format(value))
    if [c for c in published[1:] if c is not None]:
        sheet.write(published, published_formats, bold=True)
    sheet.sheet.freeze_panes = "B2"
    sheet.widths([44, 20, 20, 12, 14, 16, 20])


def _membership(book: Workbook, members: Membership, t: Labels) -> None:
    """Members per cluster then and on the report's date: counts as numbers, growth as a
    ratio, dates as date cells; the total, the published growth, the note."""
    _ = t._
    sheet = new_sheet(book, _("Membership growth"))
    on = _("Members on {date}").format(date=t.date(members.on))
    header = [_("Cluster"), _("First joined"), _("Members at the start"), on, _("Growth")]
    sheet.write(header, header=True)
    date_format = date_format_for(t)
    formats = [None, date_format, "#,##0", "#,##0", percent_format()]
    for r in members.rows:
        sheet.write([r.name, r.start, r.at_start, r.at_date, r.growth], formats)
    total: list[Cell] = [_("Total"), None, members.total_start, members.total, members.growth]
    sheet.write(total, formats, bold=True)
    if members.stated_growth is not None and members.stated_growth.unit.base == "%":
        stated = shift(members.stated_growth.value, -2)
        sheet.write([_("Published growth"), None, None, None, stated], formats, bold=True)
    sheet.skip()
    sheet.write([membership_note(members, t)])
    sheet.sheet.freeze_panes = "B2"
    sheet.widths([44, 16, 14, 26, 10])


def _support(book: Workbook, levels: SupportLevels, t: Labels) -> None:
    """The support levels: the stated amounts and the converted ones as numbers in
    millions of the home currency (a lower bound formatted "at least"), the rate as a
    number and its date as a date cell."""
    _ = t._
    sheet = new_sheet(book, _("International comparison"))
    home = t.unit(Unit(6, levels.currency))
    header = [
        _("Country"),
        _("Per"),
        _("Level"),
        _("Level, high end"),
        _("In tenge"),
        _("In tenge, high end"),
        _("Exchange rate"),
        _("Rate date"),
        _("Basis and note"),
    ]
    sheet.write(header, header=True)
    for r in levels.rows:
        bound = r.high is None
        low, low_format = amount_cells(r.low, t, bound)
        high, high_format = amount_cells(r.high, t)
        cells: list[Cell] = [country(r.country, t), per(r, t), low, high]
        formats: list[str | None] = [None, None, low_format, high_format]
        if r.low_converted is None:
            cells += [_("no rate"), None]
            formats += [None, None]
        else:
            for money, at_least in ((r.low_converted, bound), (r.high_converted, False)):
                cells.append(None if money is None else shift(money.amount, -6))
                converted = unit_format(CONVERTED_PLACES, home)
                formats.append(bounded_format(converted, at_least, t))
        rate_unit = t.unit(Unit(0, levels.currency))
        rate_format = None if r.rate is None else unit_format(places_of(r.rate), rate_unit)
        cells += [r.rate, r.rate_on, level_note(r, t)]
        formats += [rate_format, date_format_for(t), None]
        sheet.write(cells, formats)
    sheet.skip()
    sheet.write([support_note(levels, t)])
    sheet.sheet.freeze_panes = "B2"
    sheet.widths([16, 30, 20, 20, 24, 20, 16, 14, 80])


def _findings(book: Workbook, context: ReportContext, t: Labels) -> None:
    _ = t._
    assert context.results is not None
    names = entity_names(context.dataset, t)
    sheet = new_sheet(book, _("Findings"))
    columns = [
        _("Outcome"),
        _("Rule"),
        _("Entity"),
        _("Explanation"),
        _("Required"),
        _("Gap"),
        _("Basis"),
        _("Assumed"),
        _("Source"),
        _("Rulebook"),
        _("Version"),
        "rule",
        "entity",
        "outcome",
    ]
    sheet.write(columns, header=True)
    order = {o: i for i, o in enumerate(Outcome)}
    severity = {Outcome.BREACH: 0, Outcome.FAIL: 1, Outcome.WARNING: 2, Outcome.UNDETERMINED: 3}
    ordered = sorted(
        context.results.results, key=lambda r: severity.get(r.outcome, 4 + order[r.outcome])
    )
    for r in ordered:
        sheet.write(
            [
                r.label(t.lang),
                r.title(t.lang),
                names.get(r.entity, r.entity),
                t.plain(r),
                r.threshold(t.lang) or "",
                r.gap(t.lang) or "",
                t.basis(r),
                t.assumed(r),
                r.source,
                r.rulebook,
                r.version,
                r.rule,
                r.entity,
                r.outcome.value,
            ]
        )
    sheet.sheet.freeze_panes = "A2"
    sheet.sheet.auto_filter.ref = sheet.sheet.dimensions
    sheet.widths([16, 50, 44, 60, 50, 50, 30, 30, 40, 22, 12, 22, 30, 16])


class XlsxReporter(Reporter):
    name = "xlsx"
    description = "an Excel workbook: a sheet per table, a sheet of findings (needs openpyxl)"
    suffix = ".xlsx"
    binary = True

    def render(self, context: ReportContext) -> bytes:
        t = labels_for(context.lang)
        try:
            from openpyxl import Workbook  # noqa: PLC0415 - optional, imported when used
        except ImportError:
            raise ReportError(
                t._("the xlsx report needs openpyxl: pip install 'clusterkit[xlsx]'")
            ) from None
        book = Workbook()
        assert book.active is not None
        book.remove(book.active)
        tables = self.tables(context)
        _summary(book, context, t)
        if tables.projects:
            _projects(book, tables, t)
        for table in tables.indicators:
            _indicator(book, table, t)
        if tables.membership is not None:
            _membership(book, tables.membership, t)
        if tables.support is not None:
            _support(book, tables.support, t)
        if context.results is not None:
            _findings(book, context, t)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


plugin = XlsxReporter()
