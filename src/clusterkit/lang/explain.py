"""Results for people and for tools, in a language chosen when they are shown:
explanations, the gap to passing, values in their units, reports and JSON."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

import attrs

from clusterkit.formatting import format_money, format_number
from clusterkit.i18n import N_, translator
from clusterkit.lang.check.types import BoolT, DateT, NumT, Type
from clusterkit.lang.check.units import DAYS, DIMENSIONLESS, MONTHS, YEARS, currency_dim, dim_text
from clusterkit.lang.outcome import Outcome
from clusterkit.lang.runtime.access import entity_key
from clusterkit.lang.runtime.intervals import Interval, igap
from clusterkit.money import Money
from clusterkit.serde import unstructure

if TYPE_CHECKING:
    from clusterkit.diagnostics import Diagnostic
    from clusterkit.lang.results import Result, ResultSet, TraceEntry

__all__ = [
    "DISPLAY_DIGITS",
    "RESULTS_SCHEMA",
    "basis_text",
    "entry_text",
    "explain",
    "format_value",
    "gap_text",
    "outcome_text",
    "raw_text",
    "render_results",
    "results_to_json",
    "threshold_text",
]

RESULTS_SCHEMA = "clusterkit.results/1"
#: Computed values (a growth, a ratio) can carry 34 digits; people see this many.
DISPLAY_DIGITS = 6

_QUIET = (Outcome.PASS, Outcome.NOT_APPLICABLE)
_DURATION_WORDS = {
    YEARS: (N_("year"), N_("years")),
    MONTHS: (N_("month"), N_("months")),
    DAYS: (N_("day"), N_("days")),
}


# -- values ----------------------------------------------------------------------------------


def _readable(number: Decimal) -> Decimal:
    """``number`` rounded to :data:`DISPLAY_DIGITS` significant digits if it has more.

    Only for display: results keep the exact value.
    """
    digits = len(number.as_tuple().digits)
    if digits <= DISPLAY_DIGITS or number == number.to_integral_value():
        return number
    with localcontext() as context:
        context.prec = DISPLAY_DIGITS
        return (+number).normalize()


def _number(number: Decimal, t: NumT, currency: str, lang: str) -> str:
    number = _readable(number)
    if t.dim in _DURATION_WORDS:
        one, many = _DURATION_WORDS[t.dim]
        _ = translator(lang)
        word = _(one) if abs(number) == 1 else _(many)
        return f"{format_number(number, lang)} {word}"
    if t.dim == DIMENSIONLESS:
        if t.percent:
            return f"{format_number(_readable(number * 100).normalize(), lang)} %"
        whole = number == number.to_integral()
        if whole and abs(number) < 10000:
            return str(int(number))  # counts and years read better without grouping
        return format_number(number.normalize() if whole else number, lang)
    money_dim = currency_dim(currency)
    if t.dim == money_dim:
        return format_money(Money(number, currency), lang)
    per = t.dim / money_dim
    if all(int(str(power)) < 0 for _, power in per.items()):
        # money per something (KZT/year): scale the money, then name the per-unit
        unit = translator(lang.split("_", maxsplit=1)[0])(dim_text(1 / per))
        return f"{format_money(Money(number, currency), lang)}/{unit}"
    return f"{format_number(number, lang)} {dim_text(t.dim)}"


def format_value(value: Any, t: Type | None, currency: str, lang: str = "en") -> str:
    """A value for people, in the unit its type gives it."""
    if value is None:
        return "none"
    if isinstance(value, Interval):
        middle = format_value((value.low + value.high) / 2, t, currency, lang)
        if value.low == value.high:
            return middle
        return f"{middle} ± {format_value((value.high - value.low) / 2, t, currency, lang)}"
    if isinstance(t, NumT) and isinstance(value, Decimal | int):
        return _number(Decimal(value), t, currency, lang)
    if isinstance(t, BoolT) or isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(t, DateT) or isinstance(value, dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, Decimal):
        return format_number(value, lang)
    if isinstance(value, list | tuple):
        return f"{len(value)} item(s)"
    if attrs.has(type(value)):
        return entity_key(value)
    return str(value)


def raw_text(value: Any) -> str:
    """An exact value as text: Decimals as written, intervals as ``[low, high]``."""
    if isinstance(value, Interval):
        return f"[{value.low}, {value.high}]"
    if isinstance(value, tuple):
        return "[" + ", ".join(raw_text(v) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | str | bool) or value is None:
        return str(value)
    return entity_key(value)


def entry_text(entry: TraceEntry, lang: str = "en") -> str:
    """A trace value for people (``33.6 mln KZT``, ``30 %``, ``6.45 points``)."""
    if entry.role == "total":
        return f"{format_value(entry.exact, None, entry.currency, lang)} points"
    return format_value(entry.exact, entry.type, entry.currency, lang)


def outcome_text(outcome: Outcome, lang: str = "en") -> str:
    """An outcome's name in ``lang``."""
    return outcome.text(lang)


# -- verdicts --------------------------------------------------------------------------------


def threshold_text(result: Result, lang: str = "en") -> str | None:
    """What a failed comparison required, with both values."""
    failure = result.failure
    if failure is None:
        return None
    info = failure.require
    if info.op is None or failure.left is None:
        return info.text
    currency = result.info.currency
    left = format_value(failure.left, info.type, currency, lang)
    right = format_value(failure.right, info.type, currency, lang)
    return f"{info.text} ({left} {info.op} {right})"


def gap_text(result: Result, lang: str = "en") -> str | None:
    """How far a verdict is from passing, in words: a failed comparison's distance, or
    why a scored entity was not selected."""
    if result.failure is None:
        return _standing_text(result, lang)
    failure = result.failure
    info, left, right = failure.require, failure.left, failure.right
    if info.op is None or left is None:
        return None
    _ = translator(lang)
    if info.within:
        if not isinstance(left, Interval) or not isinstance(right, Interval):
            return None
        distance = igap(info.op, left, right)
        suffix = _(", allowing for the precision the figures are stated to")
    elif isinstance(left, Decimal | int) and isinstance(right, Decimal | int):
        distance = Decimal(right) - Decimal(left)
        if info.op not in (">=", ">"):
            distance = -distance
        suffix = ""
    elif isinstance(left, dt.date) and isinstance(right, dt.date):
        days = Decimal((right - left).days)
        distance = days if info.op in (">=", ">") else -days
        amount = format_value(abs(distance), NumT(DAYS), "", lang)
        return _gap_words(info.op, info.left, info.right, amount, lang, level=not days)
    else:
        return None
    amount = format_value(abs(distance), info.type, result.info.currency, lang)
    if isinstance(info.type, NumT) and info.type.percent:
        amount = amount.replace("%", "").strip() + " " + _("percentage points")
    words = _gap_words(info.op, info.left, info.right, amount, lang, level=not distance)
    return words + suffix


def _gap_words(
    op: str, left: str, right: str, amount: str, lang: str, *, level: bool = False
) -> str:
    _ = translator(lang)
    words = {"left": left, "right": right, "amount": amount}
    if level and op in (">", "<"):
        # A strict comparison that fails on equal sides: no distance to speak of.
        if op == ">":
            return _("{left} equals {right}, and must be more").format(**words)
        return _("{left} equals {right}, and must be less").format(**words)
    if op in (">=", ">"):
        text = _("{left} is {amount} short of {right}")
    elif op in ("<=", "<"):
        text = _("{left} is {amount} over {right}")
    elif op == "=":
        text = _("{left} differs from {right} by {amount}")
    else:
        return _("{left} equals {right}").format(**words)
    return text.format(**words)


def _standing_text(result: Result, lang: str) -> str | None:
    standing, total = result.standing, result.score
    if standing is None or total is None:
        return None
    _ = translator(lang)
    if standing.minimum is not None and total < standing.minimum:
        return _("{below} points below the minimum of {minimum}").format(
            below=format_value(standing.minimum - total, None, "", lang),
            minimum=format_value(standing.minimum, None, "", lang),
        )
    if standing.cutoff is not None:
        return _(
            "rank {rank}: only the top {top} are selected "
            "({behind} points behind the last selected)"
        ).format(
            rank=result.rank,
            top=standing.top,
            behind=format_value(standing.cutoff - total, None, "", lang),
        )
    return None


def explain(result: Result, lang: str = "en") -> str:
    """One paragraph a minister can read."""
    return _explain(result, lang, result.entity)


def _explain(result: Result, lang: str, entities: str) -> str:
    _ = translator(lang)
    outcome = outcome_text(result.outcome, lang).upper()
    label = result.info.outcome_label(result.outcome, lang)
    if label:
        outcome = f"{label.upper()} ({outcome_text(result.outcome, lang)})"
    version = f" {result.version}" if result.info.version else ""
    lines = [f"{result.rulebook}{version} / {result.rule} — {entities}: {outcome}"]
    lines.append(f"  {result.info.title(lang)}")
    message = result.info.message(lang)
    if result.outcome in (Outcome.FAIL, Outcome.BREACH, Outcome.WARNING) and message:
        lines.append(f"  {message}")
    threshold = threshold_text(result, lang)
    if threshold:
        lines.append("  " + _("required: {threshold}").format(threshold=threshold))
    gap = gap_text(result, lang)
    if gap:
        lines.append(f"  {gap}")
    if result.needs is not None:
        lines.append("  " + _("needs {what}").format(what=result.needs.text(lang)))
    if result.score is not None:
        score = format_value(result.score, None, result.info.currency, lang)
        lines.append("  " + _("score {score}, rank {rank}").format(score=score, rank=result.rank))
    lines.extend(f"    {entry.label} = {entry_text(entry, lang)}" for entry in result.trace)
    if result.source:
        lines.append("  " + _("Source: {source}").format(source=result.source))
    basis = basis_text(result.info.basis, lang)
    if basis:
        lines.append("  " + _("Basis: {basis}").format(basis=basis))
    assumed = [
        f"{name} ({basis_text((kind, note), lang)})"
        for name, kind, note in result.info.parameters
        if kind in ("inferred", "illustrative")
    ]
    if assumed:
        lines.append("  " + _("Assumed: {names}").format(names="; ".join(assumed)))
    return "\n".join(lines)


def basis_text(basis: tuple[str, str] | None, lang: str = "en") -> str:
    """What a parameter or rule rests on, for people: ``inferred: six projects at 30%``."""
    if basis is None:
        return ""
    _ = translator(lang)
    kind, note = basis
    words = {
        "source": _("stated in the source"),
        "inferred": _("inferred from the source"),
        "illustrative": _("illustrative, not in the source"),
    }
    text = words.get(kind, kind)
    return f"{text}: {note}" if note else text


# -- result sets -----------------------------------------------------------------------------


def render_results(results: ResultSet, lang: str = "en", *, show_all: bool = False) -> str:
    """A report: provenance, counts per rulebook, and every verdict that needs attention
    (the undetermined verdicts of one rule that lack the same data as one line naming
    their entities and what they lack, unless ``show_all``, which explains every result
    alone). Counts are read from the verdicts; only the results shown are made."""
    _ = translator(lang)
    p = results.provenance

    def counts(selected: Sequence[Outcome]) -> str:
        by = Counter(selected)
        return ", ".join(f"{by[o]} {outcome_text(o, lang)}" for o in Outcome if by[o])

    lines = [
        _("clusterkit {version}: dataset {dataset} as of {date}").format(
            version=p.clusterkit_version, dataset=p.dataset, date=p.as_of.isoformat()
        )
    ]
    for ref in p.rulebooks:
        version = f" {ref.version}" if ref.version else ""
        lines.append(f"  {ref.id}{version} ({ref.path}, sha256 {ref.sha256[:12]})")
    lines.append("")
    verdicts = results.verdicts()
    for ref in p.rulebooks:
        own = [outcome for rulebook, _rule, _entity, outcome in verdicts if rulebook == ref.id]
        if not ref.schema:
            lines.append(f"{ref.id}: {counts(own) or _('no results')}")
    loud = [o for o in Outcome if o not in _QUIET]
    shown = results.results if show_all else results.select(*loud)
    if shown:
        lines.append("")
    for group in _grouped(shown, show_all):
        lines.append(_explain_group(group, lang))
        lines.append("")
    if verdicts:
        lines.append(
            _("{count} results: {summary}").format(
                count=len(verdicts), summary=counts([v[3] for v in verdicts])
            )
        )
    else:
        lines.append(_("no results: no rule in force applies to anything in the dataset"))
    return "\n".join(lines)


#: Entities named in a summarised group before "and N more".
_GROUP_NAMES = 6


def _grouped(results: Sequence[Result], show_all: bool) -> list[list[Result]]:
    """Results in order, with the undetermined verdicts of one rule that lack the same
    data gathered into one group (each result alone when ``show_all``)."""
    if show_all:
        return [[r] for r in results]
    groups: list[list[Result]] = []
    by_key: dict[tuple[str, str, str], list[Result]] = {}
    for result in results:
        if result.outcome is not Outcome.UNDETERMINED or result.needs is None:
            groups.append([result])
            continue
        key = (result.rulebook, result.rule, result.needs.text("en"))
        if key in by_key:
            by_key[key].append(result)
        else:
            by_key[key] = [result]
            groups.append(by_key[key])
    return groups


def _explain_group(group: Sequence[Result], lang: str) -> str:
    first = group[0]
    if len(group) == 1:
        return explain(first, lang)
    _ = translator(lang)
    names = ", ".join(r.entity for r in group[:_GROUP_NAMES])
    if len(group) > _GROUP_NAMES:
        names += " " + _("and {count} more").format(count=len(group) - _GROUP_NAMES)
    entities = _("{count} entities ({names})").format(count=len(group), names=names)
    # One line: the rule, its entities and what they lack (--all explains each).
    head = _explain(first, lang, entities).splitlines()[0]
    assert first.needs is not None
    return f"{head}; " + _("needs {what}").format(what=first.needs.text(lang))


def results_to_json(
    results: ResultSet, lang: str = "en", diagnostics: Sequence[Diagnostic] = ()
) -> dict[str, Any]:
    """The JSON form of a result set (see docs/language.md, "Results as JSON")."""
    return {
        "schema": RESULTS_SCHEMA,
        "provenance": unstructure(results.provenance),
        "summary": {o.value: n for o, n in results.by_outcome().items()},
        "results": [_result_json(r, lang) for r in results.results],
        "diagnostics": [d.to_json(lang) for d in diagnostics],
    }


def _result_json(result: Result, lang: str) -> dict[str, Any]:
    info = result.info
    return {
        "rulebook": info.rulebook,
        "version": info.version,
        "rule": info.rule,
        "kind": info.kind,
        "entity_kind": info.entity_kind,
        "entity": result.entity,
        "outcome": result.outcome.value,
        "label": result.label(lang),
        "title": info.title(lang),
        "message": info.message(lang),
        "source": info.source,
        "trace": [
            {
                "label": entry.label,
                "role": entry.role,
                "value": entry_text(entry, lang),
                "raw": raw_text(entry.exact),
            }
            for entry in result.trace
        ],
        "needs": None if result.needs is None else result.needs.text(lang),
        "score": None if result.score is None else str(result.score),
        "rank": result.rank,
        "lang": lang,
        "threshold": threshold_text(result, lang),
        "gap": gap_text(result, lang),
        "basis": None
        if result.info.basis is None
        else {"kind": result.info.basis[0], "note": result.info.basis[1]},
        "parameters": [
            {"name": name, "basis": kind or None, "note": note}
            for name, kind, note in result.info.parameters
        ],
    }
