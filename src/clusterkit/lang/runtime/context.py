"""The evaluation context compiled rules read, the decimal context they compute in,
and :class:`Missing`, which turns absent data into an "undetermined" verdict."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Any

from clusterkit.i18n import N_
from clusterkit.lang.types.units import Dim, data_unit
from clusterkit.model import (
    Cluster,
    Dataset,
    FundingSource,
    IndicatorSeries,
    Participant,
    Programme,
    Project,
    Tranche,
)
from clusterkit.model.indicators import in_force
from clusterkit.money import Money, NoRateError, RateTable

__all__ = ["CONTEXT", "Context", "Missing"]

#: All rule arithmetic runs in this context: 34 significant digits, half-even, and an
#: overflow or an invalid operation is an error rather than an infinity or a NaN.
CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


_SOURCES = {source.value: source for source in FundingSource}


class Missing(Exception):  # noqa: N818 - it is an outcome, not an error
    """The data lacks something a rule needs.

    ``template`` is an English phrase with ``{placeholders}`` (a gettext message id),
    ``params`` fill them in; the phrase is translated only when a verdict is shown,
    so evaluation stays free of language.
    """

    def __init__(self, template: str, **params: str) -> None:
        super().__init__(template.format(**params))
        self.template = template
        self.params = params


class Context:
    """Everything a compiled rule may read: the dataset, the date, indexes over both.

    Indexes are built on first use, so a rulebook that never asks for a parent or a
    flattened collection does not pay for it.
    """

    def __init__(self, data: Dataset, as_of: dt.date, currency: str) -> None:
        self.data = data
        self.as_of = as_of
        self.currency = currency
        #: Each project's financing by source, summed on first read (rules read the
        #: cluster's, the state's and others' shares again and again).
        self.funded: dict[int, dict[str, Decimal | Missing | None]] = {}
        #: The bases of the dated parameters' values read since it was last emptied, as
        #: ``(name, kind, note)`` in the order read (only of parameters whose values
        #: rest on different bases): a verdict shows the basis of the value it used.
        self.noted: dict[tuple[str, str, str], None] = {}

    @cached_property
    def _parents(self) -> dict[type, dict[int, object]]:
        # One index per kind of child, each built the first time a rule asks for a
        # parent of that kind: a rulebook reading tranches' projects never indexes a
        # million participants by their cluster.
        return {}

    def _parent_index(self, kind: type) -> dict[int, object]:
        parents: dict[int, object] = {}
        if kind is Participant:
            for cluster in self.data.clusters:
                for participant in cluster.participants:
                    parents[id(participant)] = cluster
        elif kind is Project:
            for programme in self.data.programmes:
                for project in programme.projects:
                    parents[id(project)] = programme
        elif kind is Tranche:
            for project in self.projects:
                for tranche in project.tranches:
                    parents[id(tranche)] = project
        self._parents[kind] = parents
        return parents

    @cached_property
    def _clusters(self) -> dict[str, Cluster]:
        return {c.id: c for c in self.data.clusters}

    @cached_property
    def _programmes(self) -> dict[str, Programme]:
        return {p.id: p for p in self.data.programmes}

    @cached_property
    def _programmes_of(self) -> dict[str, list[Programme]]:
        out: dict[str, list[Programme]] = {}
        for programme in self.data.programmes:
            out.setdefault(programme.cluster, []).append(programme)
        return out

    @cached_property
    def participants(self) -> tuple[Participant, ...]:
        return tuple(p for c in self.data.clusters for p in c.participants)

    @cached_property
    def projects(self) -> tuple[Project, ...]:
        return tuple(p for programme in self.data.programmes for p in programme.projects)

    @cached_property
    def tranches(self) -> tuple[Tranche, ...]:
        return tuple(t for p in self.projects for t in p.tranches)

    @cached_property
    def _series(self) -> dict[tuple[str, str], IndicatorSeries]:
        return {(s.cluster, s.indicator): s for s in self.data.series}

    @cached_property
    def _observations(self) -> dict[tuple[str, str], list[Any]]:
        # Only the observations in force: a correction reported by the as-of date
        # replaces the observation it supersedes, whatever its year or indicator.
        out: dict[tuple[str, str], list[Any]] = {}
        for observation in in_force(self.data.observations, self.as_of):
            out.setdefault((observation.cluster, observation.indicator), []).append(observation)
        return out

    @cached_property
    def _figures(self) -> dict[str, Any]:
        return {f.id: f for f in self.data.figures}

    @cached_property
    def _rates(self) -> RateTable:
        return self.data.rate_table

    # -- look-ups used by generated code --
    def parent(self, obj: object) -> Any:
        """The cluster of a participant, the programme of a project, the project of a
        tranche; None for anything else."""
        index = self._parents.get(type(obj))
        if index is None:
            index = self._parent_index(type(obj))
        return index.get(id(obj))

    def fund(self, project: Project, source: str) -> Decimal | Missing | None:
        """Sum what each source commits to ``project`` (as :meth:`Project.funding`
        does), keep the sums in :attr:`funded` and give ``source``'s (read by
        :func:`clusterkit.lang.runtime.access.funding`): None for a source the project
        records no line of, the :class:`Missing` each read raises for a sum in another
        currency than the rulebook's."""
        by_source: dict[FundingSource, list[Money]] = {}
        for funding in project.financing:
            by_source.setdefault(funding.source, []).append(funding.amount)
        currency = project.budget.currency
        sums: dict[str, Decimal | Missing | None] = {}
        for name, member in _SOURCES.items():
            amounts = by_source.get(member)
            if amounts is None:
                sums[name] = None
                continue
            if len(amounts) == 1 and amounts[0].currency == self.currency == currency:
                sums[name] = amounts[0].amount
                continue
            total = project.funding(member)
            if total.currency != self.currency:
                sums[name] = Missing(
                    N_("an amount in {currency} (found {amount})"),
                    currency=self.currency,
                    amount=str(total),
                )
            else:
                sums[name] = total.amount
        self.funded[id(project)] = sums
        return sums[source]

    def cluster(self, cluster_id: str | None) -> Cluster | None:
        return None if cluster_id is None else self._clusters.get(cluster_id)

    def programme(self, programme_id: str | None) -> Programme | None:
        return None if programme_id is None else self._programmes.get(programme_id)

    def programmes_of(self, cluster: Cluster) -> tuple[Programme, ...]:
        return tuple(self._programmes_of.get(cluster.id, ()))

    def series(self, cluster: Cluster, indicator: str) -> IndicatorSeries | None:
        return self._series.get((cluster.id, indicator))

    def observations(self, cluster_id: str, indicator: str) -> Sequence[Any]:
        return self._observations.get((cluster_id, indicator), ())

    def figure(self, figure_id: str, expected: Dim) -> Decimal | None:
        """A published figure's value in base units; None if the dataset lacks it."""
        figure = self._figures.get(figure_id)
        if figure is None:
            return None
        factor, dim = data_unit(figure.value.unit)
        if dim != expected:
            raise Missing(
                N_("figure {figure} in the unit the rule declares (it is stated in {unit})"),
                figure=repr(figure_id),
                unit=str(figure.value.unit),
            )
        value: Decimal = figure.value.value * factor
        return value

    # -- references and declared kinds --
    @cached_property
    def _by_kind(self) -> dict[str, dict[str, Any]]:
        return {}

    def lookup(self, kind: str, key: str) -> Any:
        """The entity of ``kind`` whose id (or code) is ``key``; None if there is none."""
        index = self._by_kind.get(kind)
        if index is None:
            index = self._by_kind[kind] = _index(self._entities(kind))
        return index.get(key)

    def _entities(self, kind: str) -> Iterable[Any]:
        builtin: dict[str, Callable[[], Iterable[Any]]] = {
            "cluster": lambda: self.data.clusters,
            "participant": lambda: self.participants,
            "application": lambda: self.data.applications,
            "programme": lambda: self.data.programmes,
            "project": lambda: self.projects,
            "obligation": lambda: self.data.obligations,
            "region": lambda: self.data.regions,
            "sector": lambda: self.data.sectors,
            "figure": lambda: self.data.figures,
        }
        if kind in builtin:
            return builtin[kind]()
        declared = self.data.schema.kind(kind)
        return () if declared is None else self.data.records_of(declared.collection)

    @cached_property
    def _children(self) -> dict[tuple[str, str], dict[object, tuple[Any, ...]]]:
        return {}

    def children(self, collection: str, parent_field: str, parent: object) -> tuple[Any, ...]:
        index = self._children.get((collection, parent_field))
        if index is None:
            grouped: dict[object, list[Any]] = {}
            for record in self.data.records_of(collection):
                grouped.setdefault(record.extra.get(parent_field), []).append(record)
            index = {key: tuple(found) for key, found in grouped.items()}
            self._children[(collection, parent_field)] = index
        key = getattr(parent, "id", None) or getattr(parent, "code", None)
        return index.get(key, ())

    def convert(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        try:
            return self._rates.convert(Money(amount, self.currency), currency, on).amount
        except NoRateError:
            raise Missing(
                N_("an exchange rate {source}→{target} on or before {date}"),
                source=self.currency,
                target=currency,
                date=on.isoformat(),
            ) from None


def _index(entities: Iterable[Any]) -> dict[str, Any]:
    """Entities by id (or code); an id two entities share names neither."""
    index: dict[str, Any] = {}
    shared: set[str] = set()
    for entity in entities:
        key = getattr(entity, "id", None) or getattr(entity, "code", None)
        if key is None:
            continue
        if key in index:
            shared.add(key)
        index[key] = entity
    for key in shared:
        del index[key]
    return index
