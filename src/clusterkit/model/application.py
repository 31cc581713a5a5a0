"""Applications of cluster initiatives: to the registry, to a selection, for a programme."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import attrs

from clusterkit.messages import msg
from clusterkit.model.common import Declared, Problems, check_identifier, raise_problems

__all__ = [
    "Application",
    "ApplicationKind",
    "ApplicationStatus",
    "CriterionScore",
    "Document",
    "StatusChange",
]


class ApplicationKind(enum.StrEnum):
    """What an application asks for."""

    REGISTRY_ENTRY = "registry_entry"
    COMPETITIVE_SELECTION = "competitive_selection"
    PROGRAMME = "programme"


class ApplicationStatus(enum.StrEnum):
    """Where an application stands."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset(
    {ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
)


@attrs.frozen
class StatusChange(Declared):
    """One entry of an application's status history.

    Attributes:
        status: the new status.
        on: the date of the change.
        reason: why (required for a rejection).
        by: who decided or recorded it.
    """

    status: ApplicationStatus
    on: dt.date
    reason: str = ""
    by: str = ""

    def __attrs_post_init__(self) -> None:
        if self.status is ApplicationStatus.REJECTED and not self.reason.strip():
            raise_problems(iter([("reason", msg("a rejection must give its reason"))]))


@attrs.frozen
class Document(Declared):
    """A document filed with an application."""

    title: str
    kind: str = ""
    received: dt.date | None = None


@attrs.frozen
class CriterionScore(Declared):
    """Points an assessor gave on one selection criterion.

    Attributes:
        criterion: the criterion's identifier as the rulebook names it.
        points: the points given (a Decimal, never negative).
        assessor: who scored.
    """

    criterion: str
    points: Decimal
    assessor: str = ""

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        yield from check_identifier("criterion", self.criterion)
        if self.points < 0:
            yield "points", msg("must not be negative")


@attrs.frozen
class Application(Declared):
    """An application by a cluster initiative.

    Attributes:
        id: identifier, unique in a dataset.
        cluster: the applicant cluster's id.
        kind: what it applies for.
        submitted: the submission date.
        documents: documents filed.
        history: status changes in date order; the status is the last one's.
        scores: assessors' points per selection criterion.
        sample: True for illustrative records.
    """

    id: str
    cluster: str
    kind: ApplicationKind
    submitted: dt.date
    documents: tuple[Document, ...] = ()
    history: tuple[StatusChange, ...] = ()
    scores: tuple[CriterionScore, ...] = ()
    sample: bool = False

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        yield from check_identifier("id", self.id)
        previous = self.submitted
        for i, change in enumerate(self.history):
            if change.on < previous:
                yield (
                    f"history[{i}].on",
                    msg("status changes must be in date order, after submission"),
                )
            previous = change.on
            if i > 0 and self.history[i - 1].status.is_final:
                yield (
                    f"history[{i}].status",
                    msg(
                        "the application was already {status}",
                        status=self.history[i - 1].status.value,
                    ),
                )

    @property
    def status(self) -> ApplicationStatus:
        return self.history[-1].status if self.history else ApplicationStatus.SUBMITTED

    def status_on(self, day: dt.date) -> ApplicationStatus | None:
        """The status on ``day``, or None before submission."""
        if day < self.submitted:
            return None
        current = ApplicationStatus.SUBMITTED
        for change in self.history:
            if change.on <= day:
                current = change.status
        return current

    def points(self, criterion: str) -> Decimal | None:
        """The mean of all assessors' points on a criterion, or None if unscored."""
        values = [s.points for s in self.scores if s.criterion == criterion]
        if not values:
            return None
        return sum(values, Decimal(0)) / len(values)
