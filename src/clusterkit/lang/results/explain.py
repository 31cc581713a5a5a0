"""Verdicts for people, in a language chosen when they are shown: one paragraph a
minister can read, what a failed comparison required, the gap to passing, what a
verdict rests on. Values are shown in their units by :mod:`clusterkit.lang.results.display`
(whose names are re-exported here), a whole result set by :mod:`clusterkit.lang.results.render`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from clusterkit.i18n import translator
from clusterkit.lang.results.display import (
    DISPLAY_DIGITS,
    entry_text,
    format_value,
    outcome_text,
    raw_text,
)
from clusterkit.lang.results.outcome import Outcome
from clusterkit.lang.runtime.intervals import Interval, igap
from clusterkit.lang.types.units import DAYS
from clusterkit.lang.types.value_types import NumT

if TYPE_CHECKING:
    from clusterkit.lang.results.result import Result

__all__ = [
    "DISPLAY_DIGITS",
    "basis_text",
    "entry_text",
    "explain",
    "explain_for",
    "format_value",
    "gap_text",
    "outcome_text",
    "raw_text",
    "threshold_text",
]


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
        points = _("percentage point") if abs(distance) == 1 else _("percentage points")
        amount = amount.replace("%", "").strip() + " " + points
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
    return explain_for(result, lang, result.entity)


def explain_for(result: Result, lang: str, entities: str) -> str:
    """The paragraph of :func:`explain`, its first line naming ``entities`` (a group of
    entities with the same verdict, in a report)."""
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
        for name, kind, note in result.parameters
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
