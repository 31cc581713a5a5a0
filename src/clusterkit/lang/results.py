"""Results are data: a verdict per (rule, entity), its trace, and the provenance of the run."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from decimal import Decimal, localcontext
from typing import Any, overload

import attrs

from clusterkit.formatting import format_money, format_number
from clusterkit.i18n import translator
from clusterkit.lang.compiler import Label, RequireInfo
from clusterkit.lang.runtime import entity_key, igap
from clusterkit.lang.types import BoolT, DateT, NumT, Type
from clusterkit.lang.units import DIMENSIONLESS, currency_dim, dim_text
from clusterkit.money import Money

__all__ = [
    "Failure",
    "Outcome",
    "Provenance",
    "Result",
    "ResultSet",
    "RulebookRef",
    "Trace",
    "TraceEntry",
    "format_value",
    "outcome_text",
    "raw_text",
]


class Outcome(enum.StrEnum):
    """The verdict of one rule on one entity."""

    PASS = "pass"
    FAIL = "fail"
    WARNING = "warning"
    BREACH = "breach"
    NOT_APPLICABLE = "not_applicable"
    UNDETERMINED = "undetermined"

    @property
    def is_failure(self) -> bool:
        return self in (Outcome.FAIL, Outcome.BREACH)


@attrs.frozen
class TraceEntry:
    """One value behind a verdict.

    The value is kept exact; its text for people is made only when asked for, since
    most verdicts of a large run are never read one by one.

    Attributes:
        label: what it is, as written in the rule (``p.cluster_amount``, ``share``).
        role: ``let``, ``left``, ``right``, ``criterion``, ``total``, ``rank``.
        exact: the value itself: a Decimal in base units (tenge, 0.30 for 30 %), an
            interval ``(low, high)`` for ``within precision``, a date, text, yes/no.
        type: its language type, which gives its unit.
        currency, locale: for the text.
    """

    label: str
    role: str
    exact: Any
    type: Type | None = None
    currency: str = ""
    locale: str = "en"

    @property
    def value(self) -> str:
        """The value for people (``33.6 mln KZT``, ``30 %``)."""
        if self.role == "total":
            return f"{format_value(self.exact, None, self.currency, self.locale)} points"
        return format_value(self.exact, self.type, self.currency, self.locale)

    @property
    def raw(self) -> str:
        """The exact value as text (``[low, high]`` for an interval)."""
        return raw_text(self.exact)

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "role": self.role, "value": self.value, "raw": self.raw}


class Trace(Sequence[TraceEntry]):
    """The values behind a verdict, made into :class:`TraceEntry` objects only when read.

    A large run gives a trace per verdict and most are never read one by one; keeping
    the raw values until then saves most of the cost of explaining.
    """

    __slots__ = ("_currency", "_entries", "_labels", "_lang", "_raw")

    def __init__(
        self, labels: Sequence[Label], raw: Sequence[tuple[int, Any]], currency: str, lang: str
    ) -> None:
        self._labels = labels
        self._raw = raw
        self._currency = currency
        self._lang = lang
        self._entries: tuple[TraceEntry, ...] | None = None

    def _built(self) -> tuple[TraceEntry, ...]:
        if self._entries is None:
            labels = self._labels
            self._entries = tuple(
                TraceEntry(
                    labels[i].text,
                    labels[i].role,
                    value,
                    labels[i].type,
                    self._currency,
                    self._lang,
                )
                for i, value in self._raw
            )
        return self._entries

    @overload
    def __getitem__(self, index: int) -> TraceEntry: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[TraceEntry, ...]: ...

    def __getitem__(self, index: int | slice) -> TraceEntry | tuple[TraceEntry, ...]:
        return self._built()[index]

    def __len__(self) -> int:
        return len(self._raw)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return self._built() == tuple(other)

    def __hash__(self) -> int:
        return hash(self._built())

    def __repr__(self) -> str:
        return f"Trace({list(self._built())!r})"


@attrs.frozen
class Failure:
    """A failed ``require`` comparison: what it compared, and the two values.

    Attributes:
        info: the comparison as the rule states it.
        left, right: the two values (intervals for ``within precision``).
        currency, locale: for the texts.
    """

    info: RequireInfo
    left: Any
    right: Any
    currency: str
    locale: str

    def _fmt(self, value: Any) -> str:
        return format_value(value, self.info.type, self.currency, self.locale)

    @property
    def threshold(self) -> str:
        info = self.info
        if info.op is None or self.left is None:
            return info.text
        return f"{info.text} ({self._fmt(self.left)} {info.op} {self._fmt(self.right)})"

    @property
    def gap(self) -> str | None:
        info, left, right = self.info, self.left, self.right
        if info.op is None or left is None:
            return None
        _ = translator(self.locale)
        if info.within:
            if not isinstance(left, tuple) or not isinstance(right, tuple):
                return None
            distance = igap(info.op, left, right)
            suffix = _(", allowing for the precision the figures are stated to")
        elif isinstance(left, Decimal | int) and isinstance(right, Decimal | int):
            distance = Decimal(right) - Decimal(left)
            if info.op not in (">=", ">"):
                distance = -distance
            suffix = ""
        else:
            return None
        amount = self._fmt(abs(distance))
        if isinstance(info.type, NumT) and info.type.percent:
            amount = amount.replace("%", "").strip() + " " + _("percentage points")
        words = {"left": info.left, "right": info.right, "amount": amount}
        if info.op in (">=", ">"):
            text = _("{left} is {amount} short of {right}")
        elif info.op in ("<=", "<"):
            text = _("{left} is {amount} over {right}")
        elif info.op == "=":
            text = _("{left} differs from {right} by {amount}")
        else:
            return _("{left} equals {right}").format(**words)
        return text.format(**words) + suffix


@attrs.frozen
class Result:
    """The verdict of one rule on one entity, and why.

    Attributes:
        rulebook, version: the rulebook id and version that gave it.
        rule, kind: the rule's name and kind (rule, monitor, score).
        entity_kind, entity: what it judged (``project``, ``project-milk-akmola``);
            ``dataset`` for rules without ``for each``.
        outcome: pass, fail, warning, breach, not applicable, or undetermined.
        title, message: in the chosen language (message is for non-pass outcomes).
        source: the legal source.
        trace: the values read and computed.
        failure: for a failed comparison, the comparison and its two values; the
            ``threshold`` and ``gap`` texts are made from it when asked for.
        note: for a score not selected, why (rank or minimum).
        lang: the language of the texts (``en``, ``ru``, ``kk``).
        needs: for undetermined, what data is missing.
        score, rank, selected: for scores.
    """

    rulebook: str
    version: str
    rule: str
    kind: str
    entity_kind: str
    entity: str
    outcome: Outcome
    title: str = ""
    message: str = ""
    source: str = ""
    trace: Sequence[TraceEntry] = ()
    failure: Failure | None = None
    note: str | None = None
    needs: str | None = None
    score: str | None = None
    rank: int | None = None
    lang: str = "en"

    @property
    def threshold(self) -> str | None:
        """What was required, with both values (``p.x >= 30 % * p.budget (29 … >= 30 …)``)."""
        return None if self.failure is None else self.failure.threshold

    @property
    def gap(self) -> str | None:
        """How far from passing, in words (``3.1 mln KZT short of ...``)."""
        return self.note if self.failure is None else self.failure.gap

    def explain(self) -> str:
        """One paragraph a minister can read, in the result's language."""
        _ = translator(self.lang)
        outcome = outcome_text(self.outcome, self.lang).upper()
        lines = [f"{self.rulebook} / {self.rule} — {self.entity}: {outcome}"]
        if self.title:
            lines.append(f"  {self.title}")
        if self.outcome in (Outcome.FAIL, Outcome.BREACH, Outcome.WARNING) and self.message:
            lines.append(f"  {self.message}")
        if self.threshold:
            lines.append("  " + _("required: {threshold}").format(threshold=self.threshold))
        if self.gap:
            lines.append(f"  {self.gap}")
        if self.needs:
            lines.append("  " + _("needs {what}").format(what=self.needs))
        if self.score is not None:
            lines.append(
                "  " + _("score {score}, rank {rank}").format(score=self.score, rank=self.rank)
            )
        lines.extend(f"    {entry.label} = {entry.value}" for entry in self.trace)
        if self.source:
            lines.append("  " + _("Source: {source}").format(source=self.source))
        return "\n".join(lines)


@attrs.frozen
class RulebookRef:
    """Which rulebook version ran: its id, version, file and content hash."""

    id: str
    version: str
    path: str
    sha256: str


@attrs.frozen
class Provenance:
    """Where a result set comes from, so a verdict can be shown again exactly."""

    rulebooks: tuple[RulebookRef, ...]
    data_sha256: str
    dataset: str
    as_of: dt.date
    clusterkit_version: str


@attrs.frozen
class ResultSet:
    """All verdicts of one evaluation, and its provenance."""

    results: tuple[Result, ...]
    provenance: Provenance

    def by_outcome(self) -> dict[Outcome, int]:
        counts = dict.fromkeys(Outcome, 0)
        for result in self.results:
            counts[result.outcome] += 1
        return counts

    @property
    def failed(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.outcome.is_failure)

    def find(self, rule: str, entity: str | None = None) -> tuple[Result, ...]:
        return tuple(
            r for r in self.results if r.rule == rule and (entity is None or r.entity == entity)
        )


#: Computed values (a growth, a ratio) can carry 34 digits; people see this many.
DISPLAY_DIGITS = 6


def _readable(number: Decimal) -> Decimal:
    """``number`` rounded to :data:`DISPLAY_DIGITS` significant digits if it has more.

    Only for display: results keep the exact value in ``TraceEntry.raw``.
    """
    digits = len(number.as_tuple().digits)
    if digits <= DISPLAY_DIGITS or number == number.to_integral_value():
        return number
    with localcontext() as context:
        context.prec = DISPLAY_DIGITS
        return (+number).normalize()


def _number(number: Decimal, t: NumT, currency: str, locale: str) -> str:
    number = _readable(number)
    if t.dim == DIMENSIONLESS:
        if t.percent:
            return f"{format_number(_readable(number * 100).normalize(), locale)} %"
        whole = number == number.to_integral()
        if whole and abs(number) < 10000:
            return str(int(number))  # counts and years read better without grouping
        return format_number(number.normalize() if whole else number, locale)
    money_dim = currency_dim(currency)
    if t.dim == money_dim:
        return format_money(Money(number, currency), locale)
    per = t.dim / money_dim
    if all(int(str(power)) < 0 for _, power in per.items()):
        # money per something (KZT/year): scale the money, then name the per-unit
        unit = translator(locale.split("_", maxsplit=1)[0])(dim_text(1 / per))
        return f"{format_money(Money(number, currency), locale)}/{unit}"
    return f"{format_number(number, locale)} {dim_text(t.dim)}"


def format_value(value: Any, t: Type | None, currency: str, locale: str = "en") -> str:
    """A value for people, in the unit its type gives it."""
    if value is None:
        return "none"
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, Decimal) for v in value):
        low, high = value
        middle = format_value((low + high) / 2, t, currency, locale)
        if low == high:
            return middle
        return f"{middle} ± {format_value((high - low) / 2, t, currency, locale)}"
    if isinstance(t, NumT) and isinstance(value, Decimal | int):
        return _number(Decimal(value), t, currency, locale)
    if isinstance(t, BoolT) or isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(t, DateT) or isinstance(value, dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, Decimal):
        return format_number(value, locale)
    if isinstance(value, list | tuple):
        return f"{len(value)} item(s)"
    if attrs.has(type(value)):
        return entity_key(value)
    return str(value)


def raw_text(value: Any) -> str:
    """An exact value as text: Decimals as written, intervals as ``[low, high]``."""
    if isinstance(value, tuple):
        return "[" + ", ".join(raw_text(v) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | str | bool) or value is None:
        return str(value)
    return entity_key(value)


def outcome_text(outcome: Outcome, lang: str = "en") -> str:
    """An outcome's name in ``lang``."""
    _ = translator(lang)
    names = {
        Outcome.PASS: _("pass"),
        Outcome.FAIL: _("fail"),
        Outcome.WARNING: _("warning"),
        Outcome.BREACH: _("breach"),
        Outcome.NOT_APPLICABLE: _("not applicable"),
        Outcome.UNDETERMINED: _("undetermined"),
    }
    return names[outcome]
