"""The CSV reporter: one flat table, for spreadsheets.

Columns (:data:`COLUMNS`): ``kind`` (``project``, ``indicator``, ``membership``,
``support_level``, ``total`` or ``verdict``), ``group`` (the programme, indicator,
``membership``, ``international`` or rulebook), ``item`` and ``name`` (the cluster,
support level or rule: its id, and its name, or the level's country, in the report's
language), ``entity`` and ``entity_name`` (the project or the entity a verdict is on;
what a support level is per), ``base_year``, ``base``, ``target_year``, ``target``,
``unit``, ``effect``, ``stated_effect``, ``due_to_projects``, ``attributed`` (the part
due to cluster projects in ``unit``), ``outcome`` (its code) and ``label`` (for
people), ``explanation``, ``basis``; then ``base_date`` and ``target_date``, ``rate``
and ``rate_date``, ``converted_base``, ``converted_target`` and ``converted_unit``,
and ``note``.

A ``membership`` row counts a cluster's members on its earliest date of joining
(``base_date``, ``base``) and on the report's date (``target_date``, ``target``), with
the growth in ``effect``; its ``total`` row has the published growth in
``stated_effect`` and says in ``note`` whether the participants are sample records. A
``support_level`` row has the level as stated (``base``, and ``target`` unless it is
only a lower bound, in ``unit``; the years it covers in ``base_year`` and
``target_year``), the rate in force on the report's date (``rate`` units of
``converted_unit`` for one of ``unit``, from ``rate_date``; the rate's own source in
``explanation``) and the level converted exactly (``converted_base``,
``converted_target``); a currency without a rate has ``no rate`` in ``label`` and no
converted amounts.

In English the file is plain CSV: ``,`` between cells, ``.`` as the decimal point, the
column names above. With ``--lang ru`` or ``kk`` it is what Excel and LibreOffice
write and read in those locales: a UTF-8 byte order mark, ``;`` between cells, a
decimal comma, and the column names translated. Numbers are as the report shows them:
values as stated, computed effects rounded to the whole percent shown (0.34), and a
number beyond the plain range in exponent form (``1E+999999999``), never expanded.
A text cell from data that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from decimal import Decimal

from clusterkit.formatting import plain_text, round_places
from clusterkit.i18n import N_
from clusterkit.international import SupportLevels
from clusterkit.lang.results.explain import basis_text
from clusterkit.numbers import shift
from clusterkit.plugins import ReportContext
from clusterkit.tables import Membership
from clusterkit_plugins.reporters.common import (
    Labels,
    Reporter,
    entity_names,
    labels_for,
    spreadsheet_text,
    terminal_text,
)
from clusterkit_plugins.reporters.words import country, membership_note, per

__all__ = ["COLUMNS", "HEADERS", "CsvReporter", "plugin"]

#: The columns, in order, as named in English files.
COLUMNS = (
    "kind",
    "group",
    "item",
    "name",
    "entity",
    "entity_name",
    "base_year",
    "base",
    "target_year",
    "target",
    "unit",
    "effect",
    "stated_effect",
    "due_to_projects",
    "attributed",
    "outcome",
    "label",
    "explanation",
    "basis",
    "base_date",
    "target_date",
    "rate",
    "rate_date",
    "converted_base",
    "converted_target",
    "converted_unit",
    "note",
)
#: The columns' headers in Russian and Kazakh files (these, translated).
HEADERS = {
    "kind": N_("Kind"),
    "group": N_("Group"),
    "item": N_("Item"),
    "name": N_("Name"),
    "entity": N_("Entity"),
    "entity_name": N_("Entity name"),
    "base_year": N_("Base year"),
    "base": N_("Base value"),
    "target_year": N_("Target year"),
    "target": N_("Target value"),
    "unit": N_("Unit"),
    "effect": N_("Effect"),
    "stated_effect": N_("Stated effect"),
    "due_to_projects": N_("Due to cluster projects"),
    "attributed": N_("Due to cluster projects, amount"),
    "outcome": N_("Outcome"),
    "label": N_("Verdict"),
    "explanation": N_("Explanation"),
    "basis": N_("Basis"),
    "base_date": N_("Base date"),
    "target_date": N_("Target date"),
    "rate": N_("Exchange rate"),
    "rate_date": N_("Rate date"),
    "converted_base": N_("Converted base value"),
    "converted_target": N_("Converted target value"),
    "converted_unit": N_("Converted unit"),
    "note": N_("Note"),
}
#: Places of a computed ratio: a whole percent, as the reports show effects.
EFFECT_PLACES = 2


class _Row:
    """One CSV row being filled in by column name."""

    def __init__(self, kind: str) -> None:
        self.cells = dict.fromkeys(COLUMNS, "")
        self.cells["kind"] = kind


class CsvReporter(Reporter):
    name = "csv"
    description = "one flat CSV table (BOM, ';' and decimal comma for ru/kk)"
    suffix = ".csv"

    def render(self, context: ReportContext) -> str:
        t = labels_for(context.lang)
        local = context.lang in ("ru", "kk")

        def number(value: Decimal | None, places: int | None = None) -> str:
            if value is None:
                return ""
            text = plain_text(value if places is None else round_places(value, places))
            return text.replace(".", ",") if local else text

        def text(value: str) -> str:
            return spreadsheet_text(terminal_text(value))

        tables = self.tables(context)
        names = entity_names(context.dataset, t)
        rows: list[_Row] = []
        for p in tables.projects:
            row = _Row("project")
            row.cells.update(
                group="programme",
                item=text(p.cluster),
                name=text(p.cluster_name),
                entity=text(p.project),
                entity_name=text(p.title),
                base=number(p.budget.amount),
                target=number(p.cluster_share.amount if p.cluster_share is not None else None),
                unit=p.budget.currency,
                effect=number(p.share, EFFECT_PLACES + 1),
            )
            rows.append(row)
        for table in tables.indicators:
            for r in table.rows:
                row = _Row("indicator")
                row.cells.update(
                    group=text(table.indicator),
                    item=text(r.cluster),
                    name=text(r.name),
                    base_year=str(table.base_year),
                    base=number(r.base),
                    target_year=str(table.target_year),
                    target=number(r.target),
                    unit=str(table.unit),
                    effect=number(r.effect, EFFECT_PLACES),
                    stated_effect=number(r.stated_effect),
                    due_to_projects=number(r.due_to_projects),
                    attributed=number(r.attributed),
                )
                rows.append(row)
            if table.total_base is None:
                continue  # ratios per person do not add up
            row = _Row("total")
            row.cells.update(
                group=text(table.indicator),
                name=t._("Total"),
                base_year=str(table.base_year),
                base=number(table.total_base),
                target_year=str(table.target_year),
                target=number(table.total_target),
                unit=str(table.unit),
                effect=number(table.total_effect, EFFECT_PLACES),
            )
            rows.append(row)
        if tables.membership is not None:
            rows.extend(_membership(tables.membership, t, number, text))
        if tables.support is not None:
            rows.extend(_support(tables.support, t, number, text))
        if context.results is not None:
            for result in context.results.results:
                row = _Row("verdict")
                row.cells.update(
                    group=text(result.rulebook),
                    item=text(result.rule),
                    name=text(result.title(context.lang)),
                    entity=text(result.entity),
                    entity_name=text(names.get(result.entity, result.entity)),
                    outcome=result.outcome.value,
                    label=text(result.label(context.lang)),
                    explanation=text(t.explanation(result)),
                    basis=text(t.basis(result)),
                )
                rows.append(row)
        header = [t._(HEADERS[c]) for c in COLUMNS] if local else list(COLUMNS)
        return _write(rows, header, local)


def _membership(
    members: Membership,
    t: Labels,
    number: Callable[..., str],
    text: Callable[[str], str],
) -> list[_Row]:
    rows = []
    for r in members.rows:
        row = _Row("membership")
        row.cells.update(
            group="membership",
            item=text(r.cluster),
            name=text(r.name),
            base_year=str(r.start.year),
            base=str(r.at_start),
            target_year=str(members.on.year),
            target=str(r.at_date),
            unit="organisation",
            effect=number(r.growth, EFFECT_PLACES),
            base_date=r.start.isoformat(),
            target_date=members.on.isoformat(),
        )
        rows.append(row)
    total = _Row("total")
    stated = members.stated_growth
    total.cells.update(
        group="membership",
        name=t._("Total"),
        base=str(members.total_start),
        target_year=str(members.on.year),
        target=str(members.total),
        unit="organisation",
        effect=number(members.growth, EFFECT_PLACES),
        stated_effect=number(shift(stated.value, -2) if stated is not None else None),
        target_date=members.on.isoformat(),
        note=text(membership_note(members, t)),
    )
    rows.append(total)
    return rows


def _support(
    levels: SupportLevels,
    t: Labels,
    number: Callable[..., str],
    text: Callable[[str], str],
) -> list[_Row]:
    rows = []
    for r in levels.rows:
        row = _Row("support_level")
        converted = r.low_converted is not None
        row.cells.update(
            group="international",
            item=text(r.id),
            name=text(country(r.country, t)),
            entity=text(r.per),
            entity_name=text(per(r, t)),
            base_year="" if r.first_year is None else str(r.first_year),
            base=number(r.low.amount),
            target_year="" if r.last_year is None else str(r.last_year),
            target=number(r.high.amount if r.high is not None else None),
            unit=r.low.currency,
            label="" if converted else t._("no rate"),
            explanation=text(r.rate_source),
            basis=text(basis_text((r.basis, r.line), t.lang) if r.basis else r.line),
            rate=number(r.rate),
            rate_date="" if r.rate_on is None else r.rate_on.isoformat(),
            converted_base=number(r.low_converted.amount if r.low_converted else None),
            converted_target=number(r.high_converted.amount if r.high_converted else None),
            converted_unit=levels.currency if converted else "",
            note=text(r.note),
        )
        rows.append(row)
    return rows


def _write(rows: Sequence[_Row], header: Sequence[str], local: bool) -> str:
    out = io.StringIO()
    if local:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=";" if local else ",", lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row.cells[c] for c in COLUMNS)
    return out.getvalue()


plugin = CsvReporter()
