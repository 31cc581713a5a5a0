"""Splitting a dataset by cluster, for evaluation in parts (:mod:`clusterkit.distributed`).

Each part holds whole clusters, in the dataset's order, with everything that belongs
to them: participants, programmes with their projects and tranches, applications,
counter-obligations, observations, indicator series, and the records of declared
kinds that belong to one of them (by ``belongs to``, or by a reference to something
of that cluster). Reference data is in every part: regions, sectors, figures, rates,
benchmarks, and declared records tied to no cluster. Collections keep their order,
so a part's entities are the whole dataset's, with the other clusters' left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from clusterkit.model import Dataset, Observation
from clusterkit.model.dataset import Records
from clusterkit.schema import FieldType, KindDecl

__all__ = ["PartitionError", "Split", "split_dataset"]

#: The home of a record tied to no cluster: it goes in every part.
_REFERENCE = -1
#: In an index by id: an id two entities share (so it names neither).
_SHARED = object()


@attrs.frozen
class Split:
    """A dataset in parts.

    Attributes:
        parts: the parts, each a dataset, clusters in the whole dataset's order.
        home: the part each entity that belongs to a cluster is in, by ``id()``.
        homed: the declared collections whose every record belongs to a cluster.
        crossing: kinds with an entity or record that refers to another cluster's:
            a rule reading them needs the whole dataset.
    """

    parts: tuple[Dataset, ...]
    home: dict[int, int]
    homed: frozenset[str]
    crossing: frozenset[str]


class PartitionError(ValueError):
    """The dataset cannot be evaluated by partitions (see the message)."""


def split_dataset(dataset: Dataset, count: int) -> Split:
    """``dataset`` in at most ``count`` parts of whole clusters, of about equal size."""
    part_of = _assign(dataset, count)
    parts = max(part_of.values(), default=0) + 1
    home: dict[int, int] = {}
    crossing: set[str] = set()
    for cluster in dataset.clusters:
        home[id(cluster)] = part_of[cluster.id]
        for participant in cluster.participants:
            home[id(participant)] = part_of[cluster.id]
    programmes = {}
    for programme in dataset.programmes:
        programmes[programme.id] = programme
        part = home[id(programme)] = part_of[programme.cluster]
        for project in programme.projects:
            home[id(project)] = part
            for tranche in project.tranches:
                home[id(tranche)] = part
    for application in dataset.applications:
        home[id(application)] = part_of[application.cluster]
    for series in dataset.series:
        home[id(series)] = part_of[series.cluster]
    for obligation in dataset.obligations:
        home[id(obligation)] = part_of[obligation.cluster]
        owner = programmes.get(obligation.programme or "")
        if owner is not None and owner.cluster != obligation.cluster:
            crossing.add("obligation")
    observations = _observations(dataset.observations, part_of, parts)
    for observation in dataset.observations:
        home[id(observation)] = part_of[observation.cluster]
    homes = _RecordHomes(dataset, home)
    homed = frozenset(
        kind.collection
        for kind in dataset.schema.kinds
        if all(homes.of(kind, r) >= 0 for r in dataset.records_of(kind.collection))
    )
    homes.check_extensions()
    split = []
    for part in range(parts):
        mine = [c for c in dataset.clusters if part_of[c.id] == part]
        ids = {c.id for c in mine}
        records = Records(
            {
                name: tuple(r for r in items if homes.of_record(name, r) in (part, _REFERENCE))
                for name, items in dataset.records.items()
            }
        )
        split.append(
            attrs.evolve(
                dataset,
                clusters=tuple(mine),
                applications=tuple(a for a in dataset.applications if a.cluster in ids),
                programmes=tuple(p for p in dataset.programmes if p.cluster in ids),
                series=tuple(s for s in dataset.series if s.cluster in ids),
                obligations=tuple(o for o in dataset.obligations if o.cluster in ids),
                observations=observations[part],
                records=records,
            )
        )
    return Split(tuple(split), home, homed, frozenset(crossing | homes.crossing))


def _assign(dataset: Dataset, count: int) -> dict[str, int]:
    """Each cluster's part: runs of clusters in order, of about equal weight (a cluster
    weighs one more than its participants and projects)."""
    projects: dict[str, int] = {}
    for programme in dataset.programmes:
        projects[programme.cluster] = projects.get(programme.cluster, 0) + len(programme.projects)
    weights = [1 + len(c.participants) + projects.get(c.id, 0) for c in dataset.clusters]
    total = sum(weights) or 1
    count = max(1, min(count, len(weights)))
    part_of: dict[str, int] = {}
    running = 0
    for cluster, weight in zip(dataset.clusters, weights, strict=True):
        part_of[cluster.id] = min(count - 1, running * count // total)
        running += weight
    return part_of


def _observations(
    observations: Sequence[Observation], part_of: dict[str, int], parts: int
) -> list[tuple[Observation, ...]]:
    """Each part's observations, a correction's ``supersedes`` renumbered to the
    position of what it corrects within the part."""
    where: dict[int, tuple[int, int]] = {}  # position in the whole (from 1) -> part, position
    out: list[list[Observation]] = [[] for _ in range(parts)]
    for number, observation in enumerate(observations, start=1):
        part = part_of[observation.cluster]
        out[part].append(observation)
        where[number] = (part, len(out[part]))
    for part, mine in enumerate(out):
        for index, observation in enumerate(mine):
            if observation.supersedes is None:
                continue
            target = where.get(observation.supersedes)
            if target is None or target[0] != part:
                raise PartitionError(
                    f"an observation of {observation.cluster} ({observation.indicator}, "
                    f"{observation.year}) corrects observation {observation.supersedes}, "
                    "which is not one of the same cluster's: evaluate in one process"
                )
            mine[index] = attrs.evolve(observation, supersedes=target[1])
    return [tuple(mine) for mine in out]


class _RecordHomes:
    """The part each record of a declared kind belongs to: its parent's, else that of
    the first entity of a cluster it refers to; :data:`_REFERENCE` for a record tied to
    no cluster (it goes in every part)."""

    def __init__(self, dataset: Dataset, home: dict[int, int]) -> None:
        self.dataset = dataset
        self.home = home
        self.crossing: set[str] = set()
        self.memo: dict[int, int] = {}
        self.targets: dict[str, dict[str, Any]] = {}
        self.builtin: dict[str, Sequence[Any]] = {
            "cluster": dataset.clusters,
            "participant": [p for c in dataset.clusters for p in c.participants],
            "application": dataset.applications,
            "programme": dataset.programmes,
            "project": [p for programme in dataset.programmes for p in programme.projects],
            "obligation": dataset.obligations,
            "region": dataset.regions,
            "sector": dataset.sectors,
            "figure": dataset.figures,
        }

    def of_record(self, collection: str, record: Any) -> int:
        kind = self.dataset.schema.kind_of_collection(collection)
        return _REFERENCE if kind is None else self.of(kind, record)

    def of(self, kind: KindDecl, record: Any) -> int:
        found = self.memo.get(id(record))
        if found is not None:
            return found
        self.memo[id(record)] = _REFERENCE  # a cycle of references ends here
        homes = [self.target(target, key) for target, key in self.refs(kind, record.extra)]
        placed = [h for h in homes if h >= 0]
        part = placed[0] if placed else _REFERENCE
        if any(h not in (part, _REFERENCE) for h in homes):
            self.crossing.add(kind.name)
        self.memo[id(record)] = part
        if part >= 0:
            self.home[id(record)] = part
        return part

    def refs(self, kind: KindDecl, values: Any) -> Iterator[tuple[str, str]]:
        """``(kind, key)`` of each entity ``values`` refer to, the parent first."""
        if kind.parent is not None and values.get(kind.parent) is not None:
            yield kind.parent, values.get(kind.parent)
        for field in kind.fields:
            yield from _keys(field.type, values.get(field.name))

    def target(self, kind: str, key: str) -> int:
        """The part of the entity of ``kind`` that ``key`` names."""
        index = self.targets.get(kind)
        if index is None:
            index = self.targets[kind] = self.index(kind)
        found = index.get(key)
        if found is None:
            return _REFERENCE
        if found is _SHARED:
            # Found in one part but not in the whole: whatever reads it needs the whole.
            self.crossing.add(kind)
            return _REFERENCE
        declared = self.dataset.schema.kind(kind)
        if declared is not None:
            return self.of(declared, found)
        part: int = self.home.get(id(found), _REFERENCE)
        return part

    def index(self, kind: str) -> dict[str, Any]:
        declared = self.dataset.schema.kind(kind)
        items = (
            self.builtin.get(kind, ())
            if declared is None
            else self.dataset.records_of(declared.collection)
        )
        index: dict[str, Any] = {}
        for item in items:
            key = getattr(item, "id", None) or getattr(item, "code", None)
            if key is not None:
                index[key] = _SHARED if key in index else item
        return index

    def check_extensions(self) -> None:
        """A built-in entity whose declared fields refer to another cluster's records."""
        for kind, field in self.dataset.schema.extensions:
            for entity in self.builtin.get(kind, ()):
                part = self.home.get(id(entity), _REFERENCE)
                for target, key in _keys(field.type, entity.extra.get(field.name)):
                    if self.target(target, key) not in (part, _REFERENCE):
                        self.crossing.update((kind, target))


def _keys(t: FieldType, value: Any) -> Iterator[tuple[str, str]]:
    if value is None:
        return
    if t.kind == "ref" and t.name is not None:
        yield t.name, value
    elif t.kind == "list" and t.item is not None:
        for item in value:
            yield from _keys(t.item, item)
