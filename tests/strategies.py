"""Hypothesis strategies for the domain model, with consistent cross-references."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypeVar

import attrs
from hypothesis import strategies as st

from clusterkit.identifiers import bin_check_digit
from clusterkit.model import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Cluster,
    CounterObligation,
    CriterionScore,
    Dataset,
    DatasetInfo,
    Declared,
    Extra,
    Funding,
    FundingSource,
    IndicatorSeries,
    IndicatorValue,
    Label,
    LocalizedText,
    Milestone,
    Observation,
    Participant,
    Programme,
    Project,
    Record,
    Records,
    Region,
    Role,
    Sector,
    StatedFigure,
    StatusChange,
    SupportBenchmark,
    Tranche,
    ValueChainLink,
    ValueKind,
)
from clusterkit.money import ExchangeRate, Money
from clusterkit.numbers import MAX_DIGITS
from clusterkit.schema import FieldDecl, FieldType, KindDecl, Schema
from clusterkit.units import Measure, Unit

_D = TypeVar("_D", bound=Declared)

REGIONS = ("KZ-KAR", "KZ-ALA", "KZ-AKM")
SECTORS = ("construction", "dairy")

text = st.text(min_size=1, max_size=12)
ident = st.from_regex(r"[a-z][a-z0-9\-]{0,8}", fullmatch=True)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: (
        abs(d) < Decimal("1E+20")
        and (d == 0 or abs(d) > Decimal("1E-12"))
        and len(d.as_tuple().digits) <= MAX_DIGITS
    )
)
amounts = decimals.map(abs)
currencies = st.sampled_from(("KZT", "USD", "EUR", "GBP", "RUB"))
localized = st.builds(LocalizedText, ru=text, kk=st.just(""), en=st.one_of(st.just(""), text))


@st.composite
def bins(draw: st.DrawFn) -> str:
    while True:
        first = f"{draw(st.integers(0, 99)):02d}{draw(st.integers(1, 12)):02d}" + "".join(
            str(draw(st.integers(0, 9))) for _ in range(7)
        )
        check = bin_check_digit(first)
        if check is not None:
            return first + str(check)


def money(currency: str = "KZT") -> st.SearchStrategy[Money]:
    return amounts.map(lambda a: Money(a, currency))


units = st.builds(
    Unit,
    scale=st.sampled_from((0, 3, 6, 9)),
    base=st.sampled_from(("KZT", "USD", "%", "1", "person")),
    per=st.sampled_from((None, "person", "year")),
).filter(lambda u: not (u.base in ("%", "1", "person") and u.scale))


@st.composite
def clusters(draw: st.DrawFn, cluster_id: str) -> Cluster:
    count = draw(st.integers(0, 4))
    ids = [f"p{i}" for i in range(count)]
    bin_list = draw(st.lists(bins(), min_size=count, max_size=count, unique=True))
    participants = tuple(
        Participant(
            pid,
            draw(localized),
            bin_list[i],
            draw(st.sampled_from(list(Role))),
            draw(st.sampled_from(REGIONS)),
            "23.61",
            draw(dates),
            None,
            draw(st.booleans()),
        )
        for i, pid in enumerate(ids)
    )
    links: tuple[ValueChainLink, ...] = ()
    if count >= 2:
        links = (ValueChainLink(ids[0], ids[1], draw(text), draw(st.one_of(st.none(), money()))),)
    return Cluster(
        cluster_id,
        draw(localized),
        (draw(st.sampled_from(REGIONS)),),
        draw(st.sampled_from(SECTORS)),
        coordinator=ids[0] if ids else None,
        participants=participants,
        links=links,
        labels=(Label("ESCA Bronze", "ESCA", reported=draw(dates)),),
    )


@st.composite
def projects(draw: st.DrawFn, project_id: str) -> Project:
    budget = draw(money())
    milestones = (Milestone("m1", draw(text), draw(st.one_of(st.none(), dates))),)
    return Project(
        project_id,
        draw(localized),
        budget,
        financing=(Funding(draw(st.sampled_from(list(FundingSource))), draw(money())),),
        tranches=(
            Tranche(
                1,
                draw(st.integers(2000, 2040)),
                FundingSource.STATE,
                draw(money()),
                condition=draw(st.sampled_from(("", "m1"))),
            ),
        ),
        milestones=milestones,
        new_products=tuple(draw(st.lists(text, max_size=2))),
        planned_new_products=draw(st.one_of(st.none(), st.integers(0, 30))),
    )


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    cluster_ids = draw(st.lists(ident, min_size=1, max_size=3, unique=True))
    cluster_list = tuple(draw(clusters(cid)) for cid in cluster_ids)
    programmes = tuple(
        Programme(
            f"tcp-{cid}",
            cid,
            draw(localized),
            dt.date(2021, 1, 1),
            dt.date(2025, 12, 31),
            (draw(projects(f"project-{cid}")),),
        )
        for cid in cluster_ids
    )
    unit = draw(units)
    series = tuple(
        IndicatorSeries(
            cid,
            "output",
            unit,
            draw(text),
            (
                IndicatorValue(2020, draw(decimals)),
                IndicatorValue(
                    2024,
                    draw(decimals),
                    ValueKind.FORECAST,
                    draw(st.one_of(st.none(), decimals)),
                    draw(st.one_of(st.none(), decimals)),
                ),
            ),
        )
        for cid in cluster_ids
    )
    obligations = tuple(
        CounterObligation(
            f"o-{cid}",
            cid,
            "output",
            unit,
            2020,
            draw(decimals),
            2024,
            draw(decimals),
            ("p0",),
            f"tcp-{cid}",
        )
        for cid in cluster_ids
    )
    observations = tuple(
        Observation(cid, "output", 2022, draw(decimals), unit, draw(dates), draw(text))
        for cid in cluster_ids
    )
    applications = tuple(
        Application(
            f"a-{cid}",
            cid,
            ApplicationKind.COMPETITIVE_SELECTION,
            dt.date(2017, 3, 1),
            history=(StatusChange(ApplicationStatus.REJECTED, dt.date(2017, 6, 1), "late"),),
            scores=(CriterionScore("value_chain", draw(amounts)),),
        )
        for cid in cluster_ids
    )
    currency = draw(currencies)
    low = draw(money(currency))
    return Dataset(
        info=DatasetInfo(
            draw(ident), draw(localized), draw(text), draw(st.one_of(st.none(), dates))
        ),
        regions=tuple(Region(code, draw(localized)) for code in REGIONS),
        sectors=tuple(Sector(code, draw(localized), ("23",)) for code in SECTORS),
        clusters=cluster_list,
        applications=applications,
        programmes=programmes,
        series=series,
        obligations=obligations,
        observations=observations,
        rates=(
            ExchangeRate("USD", "KZT", draw(amounts.filter(lambda a: a > 0)), draw(dates), "NBK"),
        ),
        figures=(
            StatedFigure(
                "f1",
                Measure(draw(decimals), Unit(0, draw(st.sampled_from(("KZT", "%", "1"))))),
                draw(localized),
            ),
        ),
        benchmarks=(SupportBenchmark(low, max(low, draw(money(currency))), "cluster per year"),),
    )


# -- declared data: a schema, records of its kinds, declared fields of built-in kinds ------

#: Declared field types and a strategy for the values data may give for each; values are
#: those the loader gives back for them (a list is a tuple, money exact).
DECLARED_TYPES: tuple[tuple[FieldType, st.SearchStrategy[object]], ...] = (
    (FieldType("money", currency="KZT"), money("KZT")),
    (FieldType("number"), decimals),
    (FieldType("number", unit="tonne"), decimals),
    (FieldType("percent"), decimals),
    (FieldType("date"), dates),
    (FieldType("text"), text),
    (FieldType("bool"), st.booleans()),
    (FieldType("choice", choices=("low", "high")), st.sampled_from(("low", "high"))),
    # Items of a list are read stripped (a CSV cell "a | b"), so none is drawn unstripped.
    (
        FieldType("list", item=FieldType("text")),
        st.lists(text.filter(lambda t: t == t.strip()), max_size=3).map(tuple),
    ),
    (FieldType("identifier", name="text"), ident),
    (FieldType("ref", name="region"), st.sampled_from(REGIONS)),
    (
        FieldType("list", item=FieldType("ref", name="region")),
        st.lists(st.sampled_from(REGIONS), max_size=2).map(tuple),
    ),
)


@st.composite
def declared_fields(draw: st.DrawFn, prefix: str) -> tuple[tuple[FieldDecl, ...], list[int]]:
    """Fields named ``prefix0``, ``prefix1``, … and which of DECLARED_TYPES each is."""
    chosen = draw(st.lists(st.integers(0, len(DECLARED_TYPES) - 1), min_size=1, max_size=4))
    fields = tuple(
        FieldDecl(f"{prefix}{i}", DECLARED_TYPES[t][0], draw(st.booleans()))
        for i, t in enumerate(chosen)
    )
    return fields, chosen


@st.composite
def declared_values(draw: st.DrawFn, fields: tuple[FieldDecl, ...], chosen: list[int]) -> Extra:
    """Values of the fields: every required one, any of the others."""
    values = {}
    for field, t in zip(fields, chosen, strict=True):
        if field.required or draw(st.booleans()):
            values[field.name] = draw(DECLARED_TYPES[t][1])
    return Extra(values)


def _schema(
    grant: tuple[FieldDecl, ...],
    visit: tuple[FieldDecl, ...],
    member: tuple[FieldDecl, ...],
    region: tuple[FieldDecl, ...],
) -> Schema:
    return Schema(
        kinds=(
            KindDecl("grant", "grants", id_scheme="text", id_required=True, fields=grant),
            KindDecl("visit", "visits", parent="cluster", fields=visit, titles=(("en", "Visit"),)),
        ),
        extensions=(
            *(("participant", f) for f in member),
            *(("region", f) for f in region),
        ),
        allowed=(("participant", "role", ("public_authority",)),),
        units=(("tonne", "tonnes"),),
    )


@st.composite
def declared_schemas(draw: st.DrawFn) -> Schema:
    """The schemas :func:`declared_datasets` are under."""
    return _schema(*(draw(declared_fields(p))[0] for p in ("g", "v", "m", "r")))


@st.composite
def declared_datasets(draw: st.DrawFn) -> Dataset:
    """A dataset of :func:`datasets` under a schema that declares a kind with ids and
    one without (belonging to a cluster), fields of participants and regions, a role
    and a unit; with records of both kinds and values of the declared fields."""
    base = draw(datasets())
    grant_fields, grant_types = draw(declared_fields("g"))
    visit_fields, visit_types = draw(declared_fields("v"))
    member_fields, member_types = draw(declared_fields("m"))
    region_fields, region_types = draw(declared_fields("r"))
    schema = _schema(grant_fields, visit_fields, member_fields, region_fields)
    cluster_ids = [c.id for c in base.clusters]
    grants = tuple(
        Record("grant", f"g{i}", extra=draw(declared_values(grant_fields, grant_types)))
        for i in range(draw(st.integers(0, 3)))
    )
    visits = tuple(
        Record(
            "visit",
            extra=Extra(
                {
                    "cluster": draw(st.sampled_from(cluster_ids)),
                    **draw(declared_values(visit_fields, visit_types)),
                }
            ),
        )
        for _ in range(draw(st.integers(0, 3)))
    )

    def with_values(entity: _D, fields: tuple[FieldDecl, ...], chosen: list[int]) -> _D:
        return attrs.evolve(entity, extra=draw(declared_values(fields, chosen)))

    clusters = tuple(
        attrs.evolve(
            cluster,
            participants=tuple(
                with_values(
                    attrs.evolve(p, role="public_authority") if draw(st.booleans()) else p,
                    member_fields,
                    member_types,
                )
                for p in cluster.participants
            ),
        )
        for cluster in base.clusters
    )
    regions = tuple(with_values(r, region_fields, region_types) for r in base.regions)
    return attrs.evolve(
        base,
        regions=regions,
        clusters=clusters,
        records=Records({"grants": grants, "visits": visits}),
        schema=schema,
    )
