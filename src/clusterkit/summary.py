"""A dataset at a glance: counts and exact totals."""

from __future__ import annotations

import attrs

from clusterkit.formatting import format_money
from clusterkit.model import Dataset, FundingSource
from clusterkit.money import Money

__all__ = ["DatasetSummary", "summarize"]


@attrs.frozen
class DatasetSummary:
    """Counts and totals of a dataset; money totals per currency, computed exactly."""

    dataset_id: str
    clusters: int
    participants: int
    sample_participants: int
    applications: int
    programmes: int
    projects: int
    budget: tuple[Money, ...]
    cluster_share: tuple[Money, ...]
    series: int
    obligations: int
    observations: int
    figures: int

    def render(self, locale: str = "en") -> str:
        budget = ", ".join(format_money(m, locale, "mln") for m in self.budget) or "none"
        share = ", ".join(format_money(m, locale, "mln") for m in self.cluster_share) or "none"
        lines = [
            f"dataset {self.dataset_id}",
            f"  clusters:      {self.clusters}",
            f"  participants:  {self.participants} ({self.sample_participants} sample records)",
            f"  applications:  {self.applications}",
            f"  programmes:    {self.programmes} with {self.projects} projects",
            f"  budget total:  {budget}",
            f"  cluster share: {share}",
            f"  indicator series: {self.series}, counter-obligations: {self.obligations}, "
            f"observations: {self.observations}",
            f"  published figures: {self.figures}",
        ]
        return "\n".join(lines)


def _totals(amounts: list[Money]) -> tuple[Money, ...]:
    currencies = sorted({m.currency for m in amounts})
    return tuple(Money.total((m for m in amounts if m.currency == c), c) for c in currencies)


def summarize(dataset: Dataset) -> DatasetSummary:
    projects = [p for _, p in dataset.projects()]
    participants = [p for c in dataset.clusters for p in c.participants]
    return DatasetSummary(
        dataset_id=dataset.info.id,
        clusters=len(dataset.clusters),
        participants=len(participants),
        sample_participants=sum(1 for p in participants if p.sample),
        applications=len(dataset.applications),
        programmes=len(dataset.programmes),
        projects=len(projects),
        budget=_totals([p.budget for p in projects]),
        cluster_share=_totals([p.funding(FundingSource.CLUSTER) for p in projects]),
        series=len(dataset.series),
        obligations=len(dataset.obligations),
        observations=len(dataset.observations),
        figures=len(dataset.figures),
    )
