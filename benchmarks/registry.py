"""A synthetic national registry of territorial clusters, for benchmarks.

``make_registry(clusters=10_000, participants_per_cluster=100, years=10)`` builds the
domain model directly (no files): clusters with participants (valid BINs) and value-
chain links, one programme and project per cluster with staged tranches, indicator
series over ``years`` years, counter-obligations and observations. Deterministic:
the same arguments give the same registry.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from clusterkit.identifiers import bin_check_digit
from clusterkit.model import (
    Cluster,
    CounterObligation,
    Dataset,
    DatasetInfo,
    Funding,
    FundingSource,
    IndicatorSeries,
    IndicatorValue,
    LocalizedText,
    Milestone,
    Observation,
    Participant,
    Programme,
    Project,
    Region,
    Role,
    Sector,
    Stage,
    StagePeriod,
    Tranche,
    ValueChainLink,
)
from clusterkit.money import Money
from clusterkit.units import parse_unit

REGIONS = ("KZ-AKM", "KZ-ALA", "KZ-ALM", "KZ-KAR", "KZ-KUS", "KZ-SHY", "KZ-TUR")
ROLES = (
    Role.LARGE_ENTERPRISE,
    Role.MEDIUM_ENTERPRISE,
    Role.SMALL_ENTERPRISE,
    Role.SMALL_ENTERPRISE,
    Role.MICRO_ENTERPRISE,
    Role.SUPPLIER,
    Role.SERVICE_PROVIDER,
    Role.RESEARCH,
    Role.EDUCATION,
)
MLN_KZT = parse_unit("mln KZT")


def _bins(count: int, rng: random.Random) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < count:
        first = f"{rng.randrange(100):02d}{rng.randrange(1, 13):02d}4{rng.randrange(10**6):06d}"
        check = bin_check_digit(first)
        if check is not None and first not in seen:
            seen.add(first)
            out.append(first + str(check))
    return out


def make_registry(
    clusters: int = 10_000, participants_per_cluster: int = 100, years: int = 10, seed: int = 2021
) -> Dataset:
    rng = random.Random(seed)
    name = LocalizedText(en="sample")
    first_year = 2024 - years + 1
    all_clusters, programmes, series, obligations, observations = [], [], [], [], []
    bins = _bins(participants_per_cluster, rng)  # BINs are unique within a cluster
    for c in range(clusters):
        cid = f"c{c:05d}"
        region = REGIONS[c % len(REGIONS)]
        members = tuple(
            Participant(
                f"p{i}",
                name,
                bins[i],
                ROLES[i % len(ROLES)],
                region if i % 50 else REGIONS[(c + 1) % len(REGIONS)],
                "23.61",
                dt.date(2017, 1 + i % 12, 1),
            )
            for i in range(participants_per_cluster)
        )
        links = tuple(
            ValueChainLink(f"p{i}", f"p{i + 1}", "components")
            for i in range(0, min(participants_per_cluster - 1, 20), 2)
        )
        all_clusters.append(
            Cluster(
                cid,
                name,
                (region,),
                "sample",
                stages=(
                    StagePeriod(Stage.INITIATION, dt.date(2017, 1, 1), dt.date(2017, 6, 30)),
                    StagePeriod(Stage.SUPPORT, dt.date(2020, 1, 1)),
                ),
                participants=members,
                links=links,
            )
        )
        budget = Decimal(rng.randrange(50, 500))
        share = (budget * Decimal(rng.randrange(27, 36)) / 100).quantize(Decimal("0.1"))
        tranches = (
            Tranche(
                1,
                2021,
                FundingSource.STATE,
                Money(Decimal(10**6), "KZT"),
                "m1",
                dt.date(2021, 6, 1),
            ),
            Tranche(
                2,
                2022,
                FundingSource.STATE,
                Money(Decimal(10**6), "KZT"),
                "m2",
                dt.date(2022, 6, 1) if c % 3 else None,
            ),
        )
        milestones = (
            Milestone("m1", "study", achieved=dt.date(2021, 5, 1)),
            Milestone("m2", "pilot", achieved=dt.date(2022, 7, 1)),
        )
        project = Project(
            f"project-{cid}",
            name,
            Money(budget.scaleb(6), "KZT"),
            financing=(Funding(FundingSource.CLUSTER, Money(share.scaleb(6), "KZT")),),
            tranches=tranches,
            milestones=milestones,
        )
        programmes.append(
            Programme(
                f"tcp-{cid}", cid, name, dt.date(2021, 1, 1), dt.date(2025, 12, 31), (project,)
            )
        )
        base = Decimal(rng.randrange(1000, 100000))
        values = tuple(
            IndicatorValue(y, base + (y - first_year) * 100) for y in range(first_year, 2025)
        )
        series.append(IndicatorSeries(cid, "output", MLN_KZT, "synthetic", values))
        target = base + 1000
        obligations.append(
            CounterObligation(
                f"o-{cid}", cid, "output", MLN_KZT, 2020, base, 2024, target, ("p0",), f"tcp-{cid}"
            )
        )
        achieved = base + Decimal(rng.randrange(500, 1200))
        observations.append(
            Observation(cid, "output", 2024, achieved, MLN_KZT, dt.date(2025, 2, 1), "synthetic")
        )
    return Dataset(
        DatasetInfo("synthetic-registry", LocalizedText(en="Synthetic national registry")),
        regions=tuple(Region(code, name) for code in REGIONS),
        sectors=(Sector("sample", name),),
        clusters=tuple(all_clusters),
        programmes=tuple(programmes),
        series=tuple(series),
        obligations=tuple(obligations),
        observations=tuple(observations),
    )
