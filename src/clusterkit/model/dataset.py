"""A dataset: everything clusterkit knows about a cluster programme, in one value."""

from __future__ import annotations

import datetime as dt
import weakref
from collections import Counter
from collections.abc import Iterator

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity
from clusterkit.messages import msg
from clusterkit.model.application import Application
from clusterkit.model.cluster import Cluster
from clusterkit.model.common import NO_EXTRA, Extra, LocalizedText, Region, Sector
from clusterkit.model.indicators import CounterObligation, IndicatorSeries, Observation
from clusterkit.model.programme import Programme, Project
from clusterkit.model.published import StatedFigure, SupportBenchmark
from clusterkit.money import ExchangeRate, RateTable
from clusterkit.schema import DEFAULT_SCHEMA, Schema

__all__ = [
    "COLLECTIONS",
    "NO_RECORDS",
    "Dataset",
    "DatasetInfo",
    "Record",
    "Records",
    "Reference",
    "check_references",
    "ensure_checked",
    "mark_checked",
    "require_dataset",
]


@attrs.frozen
class DatasetInfo:
    """What a dataset is.

    Attributes:
        id: a short identifier.
        title: its title.
        source: the document or system the data comes from.
        published: when the source was published.
        notes: anything a reader should know (e.g. which records are samples).
        schema: the schema files (``*.ckr``, relative to the dataset's folder) that
            declare the kinds and fields its data uses beyond the built-in model.
    """

    id: str
    title: LocalizedText
    source: str = ""
    published: dt.date | None = None
    notes: str = ""
    schema: tuple[str, ...] = ()


@attrs.frozen
class Record:
    """One entity of a kind a schema declares (a cost item, a label assessment).

    Attributes:
        kind: the declared kind's name.
        id: its id, if the kind has ids.
        extra: its fields' values.
    """

    kind: str
    id: str | None = None
    extra: Extra = attrs.field(default=NO_EXTRA, kw_only=True)


class Records(Extra):
    """The records of declared kinds, by collection name (``cost_items``)."""


#: A dataset with no records of declared kinds.
NO_RECORDS = Records()


@attrs.frozen
class Dataset:
    """The registry, programmes, indicators and published figures of one programme.

    Collections are tuples in file order. Look-ups by id are methods.
    """

    info: DatasetInfo
    regions: tuple[Region, ...] = ()
    sectors: tuple[Sector, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    applications: tuple[Application, ...] = ()
    programmes: tuple[Programme, ...] = ()
    series: tuple[IndicatorSeries, ...] = ()
    obligations: tuple[CounterObligation, ...] = ()
    observations: tuple[Observation, ...] = ()
    rates: tuple[ExchangeRate, ...] = ()
    figures: tuple[StatedFigure, ...] = ()
    benchmarks: tuple[SupportBenchmark, ...] = ()
    records: Records = attrs.field(default=NO_RECORDS, kw_only=True)
    schema: Schema = attrs.field(default=DEFAULT_SCHEMA, kw_only=True, repr=False)

    def records_of(self, collection: str) -> tuple[Record, ...]:
        """The records of a declared kind's collection (none if there are none)."""
        found: tuple[Record, ...] = self.records.get(collection, ())
        return found

    def cluster(self, cluster_id: str) -> Cluster | None:
        return next((c for c in self.clusters if c.id == cluster_id), None)

    def projects(self) -> Iterator[tuple[Programme, Project]]:
        for programme in self.programmes:
            for project in programme.projects:
                yield programme, project

    def figure(self, figure_id: str) -> StatedFigure | None:
        return next((f for f in self.figures if f.id == figure_id), None)

    def series_for(self, cluster_id: str, indicator: str) -> IndicatorSeries | None:
        return next(
            (s for s in self.series if s.cluster == cluster_id and s.indicator == indicator), None
        )

    @property
    def rate_table(self) -> RateTable:
        return RateTable(self.rates)


@attrs.frozen
class Reference:
    """A broken cross-reference: the collection and data path where it occurs, and (for
    an id that names nothing) the kind and id it names."""

    collection: str
    path: str
    message: str
    kind: str = ""
    value: str = ""


def check_references(data: Dataset) -> list[Reference]:
    """Every id that names something absent, and every id used twice."""
    out: list[Reference] = []
    regions = {r.code for r in data.regions}
    sectors = {s.code for s in data.sectors}
    clusters = {c.id for c in data.clusters}

    def unique(collection: str, ids: list[str], key: str = "id") -> None:
        counts = Counter(ids)
        for i, value in enumerate(ids):
            if counts[value] > 1 and ids.index(value) != i:
                out.append(
                    Reference(
                        collection,
                        f"{collection}[{i}].{key}",
                        msg("{value!r} is used twice", value=value),
                    )
                )

    unique("regions", [r.code for r in data.regions], "code")
    unique("sectors", [s.code for s in data.sectors], "code")
    unique("clusters", [c.id for c in data.clusters])
    unique("applications", [a.id for a in data.applications])
    unique("programmes", [p.id for p in data.programmes])
    unique("obligations", [o.id for o in data.obligations])
    unique("figures", [f.id for f in data.figures])

    def need(known: set[str], value: str, collection: str, path: str, what: str) -> None:
        if known and value not in known:
            message = msg("{value!r} is not a known {kind}", value=value, kind=what)
            out.append(Reference(collection, path, message, what, value))
        elif not known:
            message = msg("{value!r} names a {kind}, but none is defined", value=value, kind=what)
            out.append(Reference(collection, path, message, what, value))

    for i, cluster in enumerate(data.clusters):
        base = f"clusters[{i}]"
        for j, region in enumerate(cluster.regions):
            need(regions, region, "clusters", f"{base}.regions[{j}]", "region")
        need(sectors, cluster.sector, "clusters", f"{base}.sector", "sector")
        for j, participant in enumerate(cluster.participants):
            need(
                regions,
                participant.region,
                "clusters",
                f"{base}.participants[{j}].region",
                "region",
            )
    for i, application in enumerate(data.applications):
        need(clusters, application.cluster, "applications", f"applications[{i}].cluster", "cluster")
    project_ids: Counter[str] = Counter()
    for i, programme in enumerate(data.programmes):
        need(clusters, programme.cluster, "programmes", f"programmes[{i}].cluster", "cluster")
        project_ids.update(p.id for p in programme.projects)
    for i, programme in enumerate(data.programmes):
        for j, project in enumerate(programme.projects):
            if project_ids[project.id] > 1:
                out.append(
                    Reference(
                        "programmes",
                        f"programmes[{i}].projects[{j}].id",
                        msg("project id {id!r} is used in more than one programme", id=project.id),
                    )
                )
    programme_ids = {p.id for p in data.programmes}
    for i, series in enumerate(data.series):
        need(clusters, series.cluster, "series", f"series[{i}].cluster", "cluster")
    for i, obligation in enumerate(data.obligations):
        need(clusters, obligation.cluster, "obligations", f"obligations[{i}].cluster", "cluster")
        if obligation.programme is not None:
            need(
                programme_ids,
                obligation.programme,
                "obligations",
                f"obligations[{i}].programme",
                "programme",
            )
    for i, observation in enumerate(data.observations):
        need(clusters, observation.cluster, "observations", f"observations[{i}].cluster", "cluster")
    return out


# Datasets known to be consistent (loaded, or checked once), by identity: hashing or
# comparing a whole registry to find it in a set would cost more than checking it.
_CHECKED: dict[int, weakref.ref[Dataset]] = {}


def mark_checked(data: Dataset) -> None:
    """Note that ``data``'s references have been checked (the loaders call this)."""
    key = id(data)
    _CHECKED[key] = weakref.ref(data, lambda _ref: _CHECKED.pop(key, None))


def require_dataset(data: object, function: str) -> None:
    """A dict (or anything but a :class:`Dataset`) named at the door, not an
    ``AttributeError`` from inside."""
    if not isinstance(data, Dataset):
        raise TypeError(
            f"{function} takes a Dataset (see dataset_from_dict), not {type(data).__name__}"
        )


def ensure_checked(data: Dataset) -> None:
    """Check a dataset's references once; raise :class:`DiagnosticError` listing every
    broken one. A dataset built in Python is held to what a loaded one is."""
    known = _CHECKED.get(id(data))
    if known is not None and known() is data:
        return
    problems = check_references(data)
    if problems:
        raise DiagnosticError(
            Diagnostic(
                codes.DATA_REFERENCE, Severity.ERROR, ref.message, file="<dataset>", path=ref.path
            )
            for ref in problems
        )
    mark_checked(data)


#: The dataset's built-in collections, in order (``regions`` … ``benchmarks``).
COLLECTIONS: tuple[str, ...] = tuple(
    f.name for f in attrs.fields(Dataset) if f.name not in ("info", "records", "schema")
)
