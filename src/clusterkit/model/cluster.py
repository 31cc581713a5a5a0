"""Clusters and their participants, value-chain links, life-cycle stages and labels."""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from clusterkit.messages import msg
from clusterkit.model.common import (
    Declared,
    LocalizedText,
    Problems,
    check_identifier,
    raise_problems,
)
from clusterkit.money import Money

__all__ = [
    "Cluster",
    "Label",
    "Participant",
    "RegistryStatus",
    "Role",
    "Stage",
    "StagePeriod",
    "ValueChainLink",
]


class Role(enum.StrEnum):
    """What an organisation does in a cluster (the kinds the cluster definition names)."""

    LARGE_ENTERPRISE = "large_enterprise"
    MEDIUM_ENTERPRISE = "medium_enterprise"
    SMALL_ENTERPRISE = "small_enterprise"
    MICRO_ENTERPRISE = "micro_enterprise"
    SUPPLIER = "supplier"  # of equipment or components
    SERVICE_PROVIDER = "service_provider"  # specialised production and service providers
    RESEARCH = "research_organisation"
    EDUCATION = "educational_organisation"
    FINANCE = "financial_institution"
    INFRASTRUCTURE = "infrastructure_operator"
    COORDINATOR = "coordinator"  # the cluster organisation

    @property
    def is_enterprise(self) -> bool:
        return self in _ENTERPRISES

    @staticmethod
    def enterprise(role: str) -> bool:
        """Whether a role (a built-in one or one a schema adds) is an enterprise."""
        return role in _ENTERPRISES


_ENTERPRISES = frozenset(
    {Role.LARGE_ENTERPRISE, Role.MEDIUM_ENTERPRISE, Role.SMALL_ENTERPRISE, Role.MICRO_ENTERPRISE}
)


def _dates_in_order(
    start_field: str, start: dt.date, end_field: str, end: dt.date | None
) -> Problems:
    if end is not None and end < start:
        yield (
            end_field,
            msg(
                "{end} is before {start_field} {start}",
                end=end.isoformat(),
                start_field=start_field,
                start=start.isoformat(),
            ),
        )


@attrs.frozen
class Participant(Declared):
    """An organisation that is a member of a cluster.

    Attributes:
        id: identifier, unique within the cluster.
        name: the organisation's name in ru/kk/en.
        bin: its business identification number; under the default schema the 12-digit
            Kazakh BIN (check digit verified by the loaders), under another schema the
            scheme it declares, or none where it is optional.
        role: what the organisation does in the cluster: a :class:`Role` value, or a
            value the schema adds.
        region: the ISO 3166-2 code of the region it is registered in.
        oked: its main activity code (OKED under the default schema).
        member_from, member_until: membership period (until is inclusive; None = ongoing).
        sample: True for illustrative records not taken from a real source.
    """

    id: str
    name: LocalizedText
    bin: str | None
    role: str
    region: str
    oked: str | None
    member_from: dt.date
    member_until: dt.date | None = None
    sample: bool = False

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        yield from check_identifier("id", self.id)
        yield from _dates_in_order(
            "member_from", self.member_from, "member_until", self.member_until
        )

    def is_member_on(self, day: dt.date) -> bool:
        return self.member_from <= day and (self.member_until is None or day <= self.member_until)


@attrs.frozen
class ValueChainLink(Declared):
    """A supply relation between two participants: the cluster's functional dependence.

    Attributes:
        supplier, customer: participant ids in the same cluster.
        supplies: what is supplied.
        yearly_volume: the yearly value of the supplies, if known.
        sample: True for illustrative records.
    """

    supplier: str
    customer: str
    supplies: str
    yearly_volume: Money | None = None
    sample: bool = False

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        if self.supplier == self.customer:
            yield "customer", msg("a participant cannot supply itself")
        if self.yearly_volume is not None and self.yearly_volume.is_negative():
            yield "yearly_volume", msg("must not be negative")


class Stage(enum.StrEnum):
    """Life-cycle stages of a cluster initiative."""

    INITIATION = "initiation"
    ANALYSIS = "analysis"
    ENGAGEMENT = "engagement"
    SUPPORT = "support"


@attrs.frozen
class StagePeriod(Declared):
    """When a cluster was in a life-cycle stage (end inclusive; None = ongoing)."""

    stage: Stage
    start: dt.date
    end: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        raise_problems(_dates_in_order("start", self.start, "end", self.end))


@attrs.frozen
class Label(Declared):
    """A quality label such as the ESCA Bronze label.

    Attributes:
        name: e.g. "ESCA Bronze".
        awarded_by: the body that awarded it.
        awarded, expires: award and expiry dates (None when the source does not say).
        reported: the date of the source that reports the label, when the award date
            itself is not known.
    """

    name: str
    awarded_by: str
    awarded: dt.date | None = None
    expires: dt.date | None = None
    reported: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        if self.awarded is None and self.reported is None:
            raise_problems(
                iter([("awarded", msg("give the award date, or the date it was reported"))])
            )
        if self.awarded is not None:
            raise_problems(_dates_in_order("awarded", self.awarded, "expires", self.expires))

    def is_valid_on(self, day: dt.date) -> bool | None:
        """Whether the label is held on ``day``; None when the dates do not tell.

        Held from its award to its expiry. Without an expiry date nothing says it is
        still held after the award (None); with only the date a source reported it,
        it is known to be held on that date alone.
        """
        if self.expires is not None and day > self.expires:
            return False
        if self.awarded is not None:
            if day < self.awarded:
                return False
            return True if self.expires is not None else None
        if self.reported is not None and day == self.reported:
            return True
        return None


class RegistryStatus(enum.StrEnum):
    """A cluster's status in the registry of territorial clusters."""

    CANDIDATE = "candidate"
    REGISTERED = "registered"
    SUSPENDED = "suspended"
    REMOVED = "removed"


@attrs.frozen
class Cluster(Declared):
    """A territorial cluster.

    Attributes:
        id: identifier, unique in a dataset.
        name: names in ru/kk/en.
        regions: ISO 3166-2 codes of the regions it spans (at least one).
        sector: the sector code.
        stages: life-cycle stage periods, in order, not overlapping.
        coordinator: id of the participant that coordinates the cluster, if any.
        participants: member organisations.
        links: value-chain links between participants.
        labels: quality labels held.
        registry_status: status in the registry.
        registered_on: date of entry into the registry, if registered.
    """

    id: str
    name: LocalizedText
    regions: tuple[str, ...]
    sector: str
    stages: tuple[StagePeriod, ...] = ()
    coordinator: str | None = None
    participants: tuple[Participant, ...] = ()
    links: tuple[ValueChainLink, ...] = ()
    labels: tuple[Label, ...] = ()
    registry_status: RegistryStatus = RegistryStatus.CANDIDATE
    registered_on: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        raise_problems(self._problems())

    def _problems(self) -> Problems:
        yield from check_identifier("id", self.id)
        if not self.regions:
            yield "regions", msg("a cluster lies in at least one region")
        for field in ("id", "bin"):
            seen: set[object] = set()
            for index, participant in enumerate(self.participants):
                value = getattr(participant, field)
                if value is None:
                    continue
                if value in seen:
                    count = sum(1 for p in self.participants if getattr(p, field) == value)
                    yield (
                        f"participants[{index}].{field}",
                        msg("{value!r} appears {count} times", value=value, count=count),
                    )
                seen.add(value)
        ids = {p.id for p in self.participants}
        if self.coordinator is not None and self.coordinator not in ids:
            yield (
                "coordinator",
                msg("{id!r} is not a participant of this cluster", id=self.coordinator),
            )
        for i, link in enumerate(self.links):
            for end in ("supplier", "customer"):
                ref = getattr(link, end)
                if ref not in ids:
                    yield (
                        f"links[{i}].{end}",
                        msg("{id!r} is not a participant of this cluster", id=ref),
                    )
        for i in range(1, len(self.stages)):
            before, after = self.stages[i - 1], self.stages[i]
            if before.end is None or after.start <= before.end:
                yield (
                    f"stages[{i}].start",
                    msg("stages must follow one another without overlapping"),
                )
        if self.registry_status is RegistryStatus.REGISTERED and self.registered_on is None:
            yield "registered_on", msg("a registered cluster needs its registration date")

    def participant(self, participant_id: str) -> Participant | None:
        return next((p for p in self.participants if p.id == participant_id), None)

    def members_on(self, day: dt.date) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.is_member_on(day))

    def stage_on(self, day: dt.date) -> Stage | None:
        for period in self.stages:
            if period.start <= day and (period.end is None or day <= period.end):
                return period.stage
        return None
