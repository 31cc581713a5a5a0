"""Target Cluster Programmes (TCPs), their projects, financing and staged tranches."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter

import attrs

from clusterkit.messages import msg
from clusterkit.model.common import (
    Declared,
    LocalizedText,
    Problems,
    check_identifier,
    raise_problems,
    valid_year,
)
from clusterkit.money import Money

__all__ = [
    "Funding",
    "FundingSource",
    "Milestone",
    "Programme",
    "Project",
    "Tranche",
]


class FundingSource(enum.StrEnum):
    """Who pays."""

    STATE = "state"
    CLUSTER = "cluster"  # the cluster's participants
    OTHER = "other"


@attrs.frozen
class Funding(Declared):
    """An amount a source commits to a project.

    Attributes:
        source: state, cluster participants, or other.
        amount: the amount, in the project budget's currency.
        stated: True when the figure is published (and so rounded to its last digit).
    """

    source: FundingSource
    amount: Money
    stated: bool = True

    def __attrs_post_init__(self) -> None:
        if self.amount.is_negative():
            raise_problems(iter([("amount", msg("must not be negative"))]))


@attrs.frozen
class Milestone(Declared):
    """A verifiable step of a project, used as a tranche's release condition.

    Attributes:
        id: identifier, unique within the project.
        description: what must be achieved.
        due: when it is planned.
        achieved: when it was achieved (None = not yet).
    """

    id: str
    description: str
    due: dt.date | None = None
    achieved: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        raise_problems(check_identifier("id", self.id))


@attrs.frozen
class Tranche(Declared):
    """One stage of a project's financing.

    Attributes:
        number: 1, 2, ... unique within the project.
        year: the year the money is planned for.
        source: who pays this tranche.
        amount: how much.
        condition: the id of the milestone that must be achieved before release
            (empty: unconditional).
        released: when it was released (None = not yet).
    """

    number: int
    year: int = attrs.field(validator=valid_year)
    source: FundingSource
    amount: Money
    condition: str = ""
    released: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        if self.number < 1:
            yield "number", msg("tranches are numbered from 1")
        if self.amount.is_negative():
            yield "amount", msg("must not be negative")


@attrs.frozen
class Project(Declared):
    """A project within a TCP.

    Attributes:
        id: identifier, unique in a dataset.
        title: the project's title.
        budget: the total budget.
        financing: committed amounts by source.
        tranches: staged releases, each with its condition.
        milestones: steps that tranche conditions refer to.
        new_products: names of the new products planned, where known.
        planned_new_products: how many new products are planned, where known.
        sample: True for illustrative records.
    """

    id: str
    title: LocalizedText
    budget: Money
    financing: tuple[Funding, ...] = ()
    tranches: tuple[Tranche, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    new_products: tuple[str, ...] = ()
    planned_new_products: int | None = None
    sample: bool = False

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        yield from check_identifier("id", self.id)
        if self.budget.is_negative():
            yield "budget", msg("must not be negative")
        for i, funding in enumerate(self.financing):
            if funding.amount.currency != self.budget.currency:
                yield (
                    f"financing[{i}].amount",
                    msg(
                        "is in {currency}, the budget in {budget}",
                        currency=funding.amount.currency,
                        budget=self.budget.currency,
                    ),
                )
        for i, tranche in enumerate(self.tranches):
            if tranche.amount.currency != self.budget.currency:
                yield (
                    f"tranches[{i}].amount",
                    msg(
                        "is in {currency}, the budget in {budget}",
                        currency=tranche.amount.currency,
                        budget=self.budget.currency,
                    ),
                )
        numbers = Counter(t.number for t in self.tranches)
        for i, tranche in enumerate(self.tranches):
            if numbers[tranche.number] > 1:
                yield (
                    f"tranches[{i}].number",
                    msg("tranche {number} appears twice", number=tranche.number),
                )
        milestone_ids = {m.id for m in self.milestones}
        for i, tranche in enumerate(self.tranches):
            if tranche.condition and tranche.condition not in milestone_ids:
                yield (
                    f"tranches[{i}].condition",
                    msg("{id!r} is not a milestone of this project", id=tranche.condition),
                )
        if self.planned_new_products is not None and self.planned_new_products < 0:
            yield "planned_new_products", msg("must not be negative")

    def funding(self, source: FundingSource) -> Money:
        """The amount committed by ``source`` (zero when it commits nothing)."""
        return Money.total(
            (f.amount for f in self.financing if f.source is source), self.budget.currency
        )

    def milestone(self, milestone_id: str) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)


@attrs.frozen
class Programme(Declared):
    """A Target Cluster Programme.

    Attributes:
        id: identifier, unique in a dataset.
        cluster: the cluster's id.
        title: the programme's title.
        start, end: the programme period (end inclusive).
        projects: the projects it co-finances.
    """

    id: str
    cluster: str
    title: LocalizedText
    start: dt.date
    end: dt.date
    projects: tuple[Project, ...] = ()

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        yield from check_identifier("id", self.id)
        if self.end < self.start:
            yield (
                "end",
                msg(
                    "{end} is before start {start}",
                    end=self.end.isoformat(),
                    start=self.start.isoformat(),
                ),
            )
        counts = Counter(p.id for p in self.projects)
        for i, project in enumerate(self.projects):
            if counts[project.id] > 1:
                yield f"projects[{i}].id", msg("{id!r} appears twice", id=project.id)
