"""The HTML reporter: one self-contained page, written for a minister.

First a summary of the verdicts (counts, a bar chart, counts per rulebook), then the
findings in plain words of the report's language, each with what it rests on (stated
in the source, inferred from it, illustrative) and its formula and values in a
``<details>`` section; then the data's tables, each indicator with a bar chart of the
base year against the target year per cluster. Clusters and projects by name, never
by id; numbers, units and dates in the report's language.

The page is laid out by Jinja2 templates shipped in this package
(``templates/report.html.j2`` and ``templates/report.css``), with autoescaping: every
value from data or rules is escaped. It has no scripts and loads nothing from
elsewhere. Charts are HTML and CSS, so labels wrap rather than being cut off; a print
stylesheet lays the page out on A4.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

import attrs

from clusterkit import Outcome, Result
from clusterkit.plugins import ReportContext
from clusterkit.tables import IndicatorTable
from clusterkit_plugins.reporters.common import (
    Labels,
    Reporter,
    entity_names,
    labels_for,
    rulebook_counts,
    visible_text,
)
from clusterkit_plugins.reporters.sections import Section, data_sections

if TYPE_CHECKING:
    import jinja2

__all__ = ["HtmlReporter", "plugin"]

#: Findings in the order a reader needs them: the worst first.
_SEVERITY = (Outcome.BREACH, Outcome.FAIL, Outcome.WARNING, Outcome.UNDETERMINED)
_WIDTH = decimal.Context(
    prec=8, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[decimal.InvalidOperation]
)


@attrs.frozen
class ChartRow:
    """A cluster's pair of bars: its name, both values as shown, and bar lengths in %."""

    name: str
    base: str
    target: str
    base_width: str
    target_width: str


@attrs.frozen
class Chart:
    base_year: int
    target_year: int
    rows: tuple[ChartRow, ...]


@attrs.frozen
class Count:
    """The number of verdicts of one outcome, and its bar's length in %."""

    key: str
    label: str
    count: int
    width: str


@attrs.frozen
class Summary:
    lead: str
    counts: tuple[Count, ...]
    rulebooks: Section


@attrs.frozen
class Member:
    """One entity of a finding: its name, and the formula and values behind its verdict."""

    entity: str
    required: str
    gap: str
    trace: tuple[tuple[str, str], ...]


@attrs.frozen
class Finding:
    """Verdicts of one rule with one outcome and wording, on one or more entities."""

    outcome: str
    label: str
    title: str
    entities: str
    text: str
    basis: str
    basis_kind: str
    assumed: str
    rule: str
    source: str
    members: tuple[Member, ...]


@attrs.frozen
class Part:
    """A data table, with its chart if it has one."""

    section: Section
    chart: Chart | None


@cache
def environment() -> jinja2.Environment:
    """The templates' environment: autoescaping on, undefined names an error.

    Jinja2 is imported here, when a page is made, not when the plugins are listed."""
    import jinja2  # noqa: PLC0415 - kept off the start-up path of every command

    return jinja2.Environment(
        loader=jinja2.PackageLoader("clusterkit_plugins.reporters", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,
    )


def _shown(value: object) -> object:
    """A value as the page shows it: text from data without bidirectional overrides and
    control characters, which would reorder or hide what a reader sees (as in the text
    and Markdown reports); markup the reporter made is left as it is."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return visible_text(value)
    return value


def _width(value: Decimal | int | None, top: Decimal | int) -> str:
    """A bar's length in percent of the longest, one decimal place (``45.3``); 0 for none
    or negative values. Any magnitude: the quotient is computed to 8 digits."""
    if value is None or value <= 0 or top <= 0:
        return "0"
    try:
        share = _WIDTH.multiply(_WIDTH.divide(Decimal(value), Decimal(top)), Decimal(100))
    except ArithmeticError:
        return "0"
    share = min(share, Decimal(100))
    return format(share.quantize(Decimal("0.1"), context=_WIDTH), "f")


def _chart(table: IndicatorTable, t: Labels) -> Chart | None:
    rows = [r for r in table.rows if r.base is not None or r.target is not None]
    if not rows:
        return None
    top = max(v for r in rows for v in (r.base, r.target) if v is not None)
    return Chart(
        table.base_year,
        table.target_year,
        tuple(
            ChartRow(
                r.name,
                t.value(r.base, table.unit),
                t.value(r.target, table.unit),
                _width(r.base, top),
                _width(r.target, top),
            )
            for r in rows
        ),
    )


def _summary(context: ReportContext, t: Labels, rulebooks: Section) -> Summary:
    assert context.results is not None
    by_outcome = context.results.by_outcome()
    total = len(context.results)
    attention = total - by_outcome[Outcome.PASS] - by_outcome[Outcome.NOT_APPLICABLE]
    top = max(by_outcome.values(), default=0)
    return Summary(
        t._("{attention} of {total} verdicts need attention").format(
            attention=attention, total=total
        ),
        tuple(
            Count(outcome.value, t.outcome(outcome), count, _width(count, top))
            for outcome, count in by_outcome.items()
        ),
        rulebooks,
    )


def _member(result: Result, t: Labels, names: Mapping[str, str]) -> Member:
    return Member(
        names.get(result.entity, result.entity),
        result.threshold(t.lang) or "",
        result.gap(t.lang) or "",
        tuple((entry.label, entry.text(t.lang)) for entry in result.trace),
    )


def _findings(results: Sequence[Result], t: Labels, names: Mapping[str, str]) -> list[Finding]:
    """The verdicts that need attention, one finding per rule, outcome and wording: the
    entities it concerns named together, the formula and values of each in details."""
    groups: dict[tuple[str, str, Outcome, str, str], list[Result]] = {}
    for result in results:
        if result.outcome in _SEVERITY:
            # Verdicts that read values of a parameter resting on different bases
            # (an example value, the source's value) are separate findings.
            key = (result.rulebook, result.rule, result.outcome, t.plain(result), t.assumed(result))
            groups.setdefault(key, []).append(result)
    ordered = sorted(groups.items(), key=lambda item: _SEVERITY.index(item[0][2]))
    findings = []
    for (_rulebook, _rule, outcome, text, _assumed), members in ordered:
        first = members[0]
        version = f" {first.version}" if first.version else ""
        findings.append(
            Finding(
                outcome=outcome.value,
                label=first.label(t.lang),
                title=first.title(t.lang),
                entities="; ".join(names.get(r.entity, r.entity) for r in members),
                text=text,
                basis=t.basis(first),
                basis_kind=first.info.basis[0] if first.info.basis else "none",
                assumed=t.assumed(first),
                rule=f"{first.rulebook}{version} / {first.rule}",
                source=first.source,
                members=tuple(_member(r, t, names) for r in members),
            )
        )
    return findings


def _meta(context: ReportContext, t: Labels) -> list[tuple[str, str]]:
    info = context.dataset.info
    meta = []
    if info.source:
        meta.append((t._("Source"), info.source))
    if info.published is not None:
        meta.append((t._("Published"), t.date(info.published)))
    if context.results is not None:
        meta.append((t._("Checked as of"), t.date(context.results.provenance.as_of)))
    if info.notes:
        meta.append((t._("Notes"), info.notes.strip()))
    return meta


def _footer(context: ReportContext, t: Labels) -> str:
    if context.results is None:
        return t._("Dataset {dataset}; no rules were checked.").format(
            dataset=context.dataset.info.id
        )
    p = context.results.provenance
    return t._("clusterkit {version}: dataset {dataset}, data sha256 {sha}").format(
        version=p.clusterkit_version, dataset=p.dataset, sha=p.data_sha256[:12]
    )


def _words(t: Labels) -> dict[str, str]:
    _ = t._
    return {
        "summary": _("Summary of the verdicts"),
        "verdicts_by_outcome": _("Verdicts by outcome"),
        "findings": _("Findings"),
        "no_findings": _("No verdict needs attention."),
        "basis": _("Basis"),
        "assumed": _("Assumed"),
        "formula": _("Formula and values"),
        "rule": _("Rule"),
        "source": _("Source"),
        "entity": _("Entity"),
        "required": _("Required"),
        "gap": _("Gap"),
        "data": _("The data"),
    }


class HtmlReporter(Reporter):
    name = "html"
    description = "one self-contained HTML page for people (summary, findings, charts)"
    suffix = ".html"

    def render(self, context: ReportContext) -> str:
        t = labels_for(context.lang)
        tables = self.tables(context)
        charts = {table.indicator: _chart(table, t) for table in tables.indicators}
        summary = findings = None
        if context.results is not None:
            rulebooks = _rulebook_counts(context, t)
            summary = _summary(context, t, rulebooks)
            names = entity_names(context.dataset, t)
            findings = _findings(context.results.results, t, names)
        page = environment().get_template("report.html.j2")
        return page.render(
            lang=context.lang,
            title=context.dataset.info.title.get(context.lang),
            meta=_meta(context, t),
            words=_words(t),
            summary=summary,
            findings=findings,
            data=[Part(section, charts.get(section.key)) for section in data_sections(tables, t)],
            footer=_footer(context, t),
        )


def _rulebook_counts(context: ReportContext, t: Labels) -> Section:
    """Verdicts per rulebook, a column for each outcome that occurs (all six are in the
    summary's counts above it)."""
    assert context.results is not None
    by_outcome = context.results.by_outcome()
    outcomes = [o for o in Outcome if by_outcome[o]]
    rows = [
        (ref.id, ref.version, *(str(counts[o]) for o in outcomes))
        for ref, counts in rulebook_counts(context.results)
    ]
    return Section(
        "rulebooks",
        t._("Verdicts by rulebook"),
        (t._("Rulebook"), t._("Version"), *(t.outcome(o) for o in outcomes)),
        tuple(rows),
        numeric=frozenset(range(2, 2 + len(outcomes))),
    )


plugin = HtmlReporter()
