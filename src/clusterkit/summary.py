"""A dataset at a glance: counts and exact totals."""

from __future__ import annotations

import attrs

from clusterkit.formatting import format_money
from clusterkit.i18n import translator
from clusterkit.model import Dataset, FundingSource
from clusterkit.model.dataset import require_dataset
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
    #: Records of each kind a schema declares, by collection (``kkk_applications``).
    records: dict[str, int] = attrs.field(factory=dict)

    def render(self, locale: str = "en") -> str:
        """The summary for people, labels and numbers in ``locale`` (en, ru, kk)."""
        _ = translator(locale.split("_", maxsplit=1)[0])
        none = _("none")
        budget = ", ".join(format_money(m, locale, "mln") for m in self.budget) or none
        share = ", ".join(format_money(m, locale, "mln") for m in self.cluster_share) or none
        rows = [
            (_("clusters"), str(self.clusters)),
            (
                _("participants"),
                _("{count} ({sample} sample records)").format(
                    count=self.participants, sample=self.sample_participants
                ),
            ),
            (_("applications"), str(self.applications)),
            (
                _("programmes"),
                _("{count} with {projects} projects").format(
                    count=self.programmes, projects=self.projects
                ),
            ),
            (_("budget total"), budget),
            (_("cluster share"), share),
            (_("indicator series"), str(self.series)),
            (_("counter-obligations"), str(self.obligations)),
            (_("observations"), str(self.observations)),
            (_("published figures"), str(self.figures)),
            *((name, str(count)) for name, count in self.records.items()),
        ]
        width = max(len(label) for label, _value in rows) + 1
        lines = [_("dataset {id}").format(id=self.dataset_id)]
        lines.extend(f"  {label + ':':<{width}} {value}" for label, value in rows)
        return "\n".join(lines)


def summarize(dataset: Dataset) -> DatasetSummary:
    require_dataset(dataset, "summarize")
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
        budget=Money.by_currency(p.budget for p in projects),
        cluster_share=Money.by_currency(p.funding(FundingSource.CLUSTER) for p in projects),
        series=len(dataset.series),
        obligations=len(dataset.obligations),
        observations=len(dataset.observations),
        figures=len(dataset.figures),
        records={
            kind.collection: len(dataset.records_of(kind.collection))
            for kind in dataset.schema.kinds
        },
    )
