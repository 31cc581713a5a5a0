"""What the built-in reporters share: localized labels, value formatting, names of
entities, and making text from data safe for each output (terminal, Markdown, CSV)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from clusterkit import Outcome, Result, ResultSet
from clusterkit.formatting import (
    format_date,
    format_money,
    format_number,
    format_ratio,
    money_unit,
)
from clusterkit.i18n import N_, translator
from clusterkit.lang.results import RulebookRef
from clusterkit.lang.results.explain import basis_text
from clusterkit.model import Dataset, LocalizedText, Record
from clusterkit.money import Money
from clusterkit.numbers import SCALE_NAMES, shift
from clusterkit.plugins import PLUGIN_API, ReportContext
from clusterkit.tables import IndicatorTable, Tables, build_tables
from clusterkit.units import Measure, Unit

__all__ = [
    "Labels",
    "Reporter",
    "entity_names",
    "labels_for",
    "markdown_text",
    "report_tables",
    "spreadsheet_text",
    "terminal_text",
]

#: Count units as people read them (the data states them in English).
_COUNT_WORDS = {
    "person": N_("person"),
    "product": N_("product"),
    "organisation": N_("organisation"),
    "project": N_("project"),
    "cluster": N_("cluster"),
    "application": N_("application"),
    "year": N_("year"),
}


@attrs.frozen
class Labels:
    """Translated words and formatters for one language."""

    lang: str
    gettext: Callable[[str], str]

    def _(self, message: str) -> str:
        return self.gettext(message)

    def indicator_name(self, indicator: str, fallback: str = "") -> str:
        names = {
            "output": self._("Output"),
            "exports": self._("Exports"),
            "tax_revenue": self._("Tax revenues"),
            "labour_productivity": self._("Labour productivity"),
            "employment": self._("Employment"),
            "participants": self._("Number of participants"),
            "new_products": self._("New products"),
            "investment": self._("Investment"),
        }
        return names.get(indicator, fallback or indicator)

    def indicator(self, table: IndicatorTable) -> str:
        return self.indicator_name(table.indicator, table.title)

    def outcome(self, outcome: Outcome) -> str:
        return outcome.text(self.lang)

    def unit_word(self, word: str) -> str:
        """A count unit in this language (``person`` → ``чел.``)."""
        return self._(_COUNT_WORDS[word]) if word in _COUNT_WORDS else word

    def unit(self, unit: Unit) -> str:
        """A unit for people: ``mln KZT/person``, ``млн ₸/чел.``; ``""`` for a bare number."""
        if unit.is_money:
            head = money_unit(unit.base, self.lang, SCALE_NAMES.get(unit.scale))
        elif unit.base == "1":
            head = ""
        else:
            scale = f"{SCALE_NAMES[unit.scale]} " if unit.scale else ""
            head = scale + self.unit_word(unit.base)
        if unit.per:
            return f"{head or '1'}/{self.unit_word(unit.per)}"
        return head

    def value(self, value: Decimal | None, unit: Unit) -> str:
        """A table value in its unit: ``66,740 mln KZT``, ``66 740 млн ₸``, ``45 млн ₸/чел.``."""
        if value is None:
            return "—"
        if unit.is_money:
            money = format_money(
                Money(shift(value, unit.scale), unit.base),
                self.lang,
                SCALE_NAMES.get(unit.scale, ""),
            )
            return f"{money}/{self.unit_word(unit.per)}" if unit.per else money
        text = format_number(value, self.lang)
        words = self.unit(unit)
        if unit.base == "%" and not unit.per:
            return f"{text}%" if self.lang == "en" else f"{text} %"
        return f"{text} {words}" if words else text

    def percent(self, ratio: Decimal | None, digits: int = 0) -> str:
        if ratio is None:
            return "—"
        return format_ratio(ratio, self.lang, digits)

    def number(self, value: Decimal) -> str:
        return format_number(value, self.lang)

    def measure(self, measure: Measure | None) -> str:
        if measure is None:
            return "—"
        if measure.unit.is_money and measure.unit.per is None:
            return format_money(Money(measure.value, measure.unit.base), self.lang)
        return self.value(measure.value, measure.unit)

    def money(self, money: Money) -> str:
        return format_money(money, self.lang, "mln")

    def date(self, day: dt.date) -> str:
        """``June 1, 2021``, ``1 июня 2021 г.``."""
        return format_date(day, self.lang)

    def basis(self, result: Result) -> str:
        """What the verdict rests on: stated in the source, inferred, illustrative."""
        text = basis_text(result.info.basis, self.lang)
        return text or self._("basis not stated")

    def assumed(self, result: Result) -> str:
        """The parameters the rule reads that are assumptions, with their basis."""
        return "; ".join(
            f"{name} ({basis_text((kind, note), self.lang)})"
            for name, kind, note in result.parameters
            if kind in ("inferred", "illustrative")
        )

    def plain(self, result: Result) -> str:
        """The verdict in words, without formulas: the rule's message for a failure, what
        data is missing, the score."""
        parts = []
        message = result.message(self.lang)
        if result.outcome in (Outcome.FAIL, Outcome.BREACH, Outcome.WARNING) and message:
            parts.append(message)
        if result.needs is not None:
            parts.append(self._("needs {what}").format(what=result.needs.text(self.lang)))
        if result.score is not None:
            score = format_number(result.score, self.lang)
            parts.append(self._("score {score}, rank {rank}").format(score=score, rank=result.rank))
        return "; ".join(parts)

    def explanation(self, result: Result) -> str:
        """One line: the message, what was required, how far, or what is missing."""
        parts = []
        message = result.message(self.lang)
        if result.outcome in (Outcome.FAIL, Outcome.BREACH, Outcome.WARNING) and message:
            parts.append(message)
        gap = result.gap(self.lang)
        if not gap and result.failure is not None:
            # No distance to give (an equality, a text or an id compared): say what was
            # required, with both values, so that the row is never left without a reason.
            threshold = result.threshold(self.lang)
            gap = self._("required: {threshold}").format(threshold=threshold) if threshold else None
        if gap:
            parts.append(gap)
        if result.needs is not None:
            parts.append(self._("needs {what}").format(what=result.needs.text(self.lang)))
        if result.score is not None:
            score = format_number(result.score, self.lang)
            parts.append(self._("score {score}, rank {rank}").format(score=score, rank=result.rank))
        return "; ".join(parts)


def rulebook_counts(results: ResultSet) -> list[tuple[RulebookRef, Mapping[Outcome, int]]]:
    """Verdicts per outcome for each rulebook version of the run, in its order; files that
    only declare a schema are left out. Two versions of one rulebook (a rule that says
    `version as of` judges each entity by the version of its date) each count their own
    verdicts."""
    counts: dict[tuple[str, str], dict[Outcome, int]] = {
        (ref.id, ref.version): dict.fromkeys(Outcome, 0) for ref in results.provenance.rulebooks
    }
    first: dict[str, tuple[str, str]] = {}
    for key in counts:
        first.setdefault(key[0], key)
    for result in results:
        key = (result.rulebook, result.version)
        counts[key if key in counts else first[result.rulebook]][result.outcome] += 1
    return [
        (ref, counts[(ref.id, ref.version)])
        for ref in results.provenance.rulebooks
        if not ref.schema
    ]


def report_tables(context: ReportContext) -> Tables:
    """The report's tables, members counted and rates taken on the report's date."""
    return build_tables(context.dataset, context.lang, context.day)


def labels_for(lang: str) -> Labels:
    return Labels(lang, translator(lang))


def entity_names(data: Dataset, t: Labels) -> Mapping[str, str]:
    """Names for the ids verdicts are given on, in ``t``'s language: clusters,
    participants, programmes, projects, applications, indicator series, obligations,
    regions, sectors and the dataset itself. Ids not here are shown as they are."""
    lang = t.lang
    clusters = {c.id: c.name.get(lang) for c in data.clusters}
    names: dict[str, str] = {data.info.id: data.info.title.get(lang)}
    names.update({r.code: r.name.get(lang) for r in data.regions})
    names.update({s.code: s.name.get(lang) for s in data.sectors})
    for cluster in data.clusters:
        names.update({p.id: p.name.get(lang) for p in cluster.participants})
    names.update(clusters)
    for programme in data.programmes:
        names[programme.id] = programme.title.get(lang)
        names.update({p.id: p.title.get(lang) for p in programme.projects})
    for application in data.applications:
        names[application.id] = t._("{cluster}: application of {date}").format(
            cluster=clusters.get(application.cluster, application.cluster),
            date=t.date(application.submitted),
        )
    for series in data.series:
        owner = clusters.get(series.cluster, series.cluster)
        indicator = t.indicator_name(series.indicator, series.title)
        names[f"{series.cluster}/{series.indicator}"] = f"{owner}: {indicator}"
    for obligation in data.obligations:
        names[obligation.id] = t._("{cluster}: {indicator} in {year}").format(
            cluster=clusters.get(obligation.cluster, obligation.cluster),
            indicator=t.indicator_name(obligation.indicator),
            year=obligation.target_year,
        )
    for records in data.records.values():
        for record in records:
            name = record_name(record, lang)
            owner = record.extra.get("cluster")
            if name is None and isinstance(owner, str) and owner in clusters:
                # no name of its own: the cluster it belongs to says whose it is
                name = f"{clusters[owner]}: {record.id}"
            if record.id is not None and name is not None:
                names.setdefault(record.id, name)
    return names


#: The fields a declared record's name is read from, most specific first.
_NAME_FIELDS = ("name_{lang}", "name", "title_{lang}", "title", "name_en", "name_ru", "title_en")


def record_name(record: Record, lang: str) -> str | None:
    """A declared record's name in ``lang``, from its ``name``/``title`` fields (plain
    or per language, as ``name_ru``), or ``None`` when it declares none."""
    for field in _NAME_FIELDS:
        value = record.extra.get(field.format(lang=lang))
        if isinstance(value, LocalizedText):
            return value.get(lang)
        if isinstance(value, str) and value.strip():
            return value
    return None


# -- text from data, made safe for each output ------------------------------------------------

# Escape sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-character ones) as a whole,
# so that their parameters do not remain as visible garbage.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[\x20-\x7e]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
)
# Bidirectional embeddings, overrides and isolates can reorder what a reader sees.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_text(text: str) -> str:
    """``text`` from data without terminal control: escape sequences are removed, other
    control characters (C0, DEL, C1) and bidirectional overrides are dropped, and line
    breaks and tabs become spaces."""
    text = _ESCAPES.sub("", text)
    out = []
    for ch in text:
        if ch in "\t\n\r\v\f":
            out.append(" ")
        elif ch in _BIDI or unicodedata.category(ch) == "Cc":
            continue
        else:
            out.append(ch)
    return "".join(out)


def visible_text(text: str) -> str:
    """``text`` without bidirectional overrides and control characters other than tabs
    and line breaks: what a page shows of it is what it says."""
    return "".join(
        ch for ch in text if ch in "\t\n\r" or not (ch in _BIDI or unicodedata.category(ch) == "Cc")
    )


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def markdown_text(text: str) -> str:
    """``text`` from data as literal Markdown: HTML metacharacters as entities (no tag or
    comment can start), Markdown's inline metacharacters backslash-escaped (no emphasis,
    link, image, code span or table cell break), control characters dropped."""
    text = terminal_text(text)
    text = "".join(_HTML_SPECIAL.get(ch, ch) for ch in text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


#: What a spreadsheet takes for the start of a formula (or of a DDE command).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_text(text: str) -> str:
    """A text cell a spreadsheet will not run: one starting like a formula gets a leading
    apostrophe, which spreadsheets show as text and never evaluate."""
    return "'" + text if text.startswith(_FORMULA_START) else text


class Reporter:
    """Base of the built-in reporters: subclasses set the names and write ``render``."""

    name = ""
    description = ""
    suffix = ""
    binary = False
    api_version = PLUGIN_API

    def render(self, context: ReportContext) -> str | bytes:
        raise NotImplementedError

    @staticmethod
    def tables(context: ReportContext) -> Tables:
        return report_tables(context)

    @staticmethod
    def attention(context: ReportContext) -> list[Result]:
        """The verdicts a reader must see: everything but passes and not-applicables."""
        if context.results is None:
            return []
        quiet = (Outcome.PASS, Outcome.NOT_APPLICABLE)
        return [r for r in context.results.results if r.outcome not in quiet]
