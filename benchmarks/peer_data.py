"""Records for the peer comparison (``peers.py``), the same for every engine.

Three kinds of record, as a policy team would have them: projects (budget and
committed financing in mln KZT, programme length in years), clusters (the roles of
their participants) and counter-obligations (base, target and achieved value).
``make_records(n)`` makes ``n`` of each, deterministically: the first records of a
larger run are those of a smaller one.

Every fifth record of each kind is an *exact-boundary case*: a value exactly on a
rule's threshold in decimal arithmetic, chosen so that binary floating point lands on
the wrong side (the cluster pays exactly 30% but ``0.3 * budget`` rounds up; the
financing adds up exactly but the float sum does not; the state pays exactly 112 mln a
year but the float subtraction leaves a remainder; a cluster achieved exactly 70% or
90% of its promise but the float quotient is a hair below), plus some exact cases that
floats happen to get right (3,896.5 mln and 1,168.95 mln, the pilot programme's
totals). Ordinary records use the same figures with one or two decimals, which is
where everyday sums like 0.1 + 0.2 go wrong in floats too.

Each engine gets the records in its own natural input: dicts of ``Decimal`` (hand-
written Decimal Python, rule-engine), dicts of ``float`` (hand-written float Python,
cel-python, zen-engine), or clusterkit's domain model (``to_dataset``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clusterkit.identifiers import bin_check_digit
from clusterkit.model import (
    Cluster,
    CounterObligation,
    Dataset,
    DatasetInfo,
    Funding,
    FundingSource,
    LocalizedText,
    Observation,
    Participant,
    Programme,
    Project,
    Region,
    Role,
    Sector,
)
from clusterkit.money import Money
from clusterkit.units import parse_unit

ENTERPRISE_ROLES = ("large_enterprise", "medium_enterprise", "small_enterprise", "micro_enterprise")
OTHER_ROLES = ("supplier", "service_provider", "research_organisation", "educational_organisation")

# The rules' thresholds, exactly.
MIN_SHARE = Decimal("0.3")
STATE_CAP = Decimal(112)  # mln KZT a year
MIN_ENTERPRISES = 10
BREACH_BELOW = Decimal("0.7")
WARNING_BELOW = Decimal("0.9")

#: The date the rules are evaluated as of (after every obligation's target year).
AS_OF = dt.date(2025, 6, 30)
TARGET_YEAR = 2024
BOUNDARY_EVERY = 5

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Records:
    """The records of one run: dicts with ``Decimal`` numbers, one list per kind."""

    projects: list[Row]
    clusters: list[Row]
    obligations: list[Row]

    def __len__(self) -> int:
        return len(self.projects) + len(self.clusters) + len(self.obligations)


def _tenths(rng: random.Random, low: int, high: int) -> Decimal:
    """A number with one decimal in [low, high)."""
    return Decimal(rng.randrange(low * 10, high * 10)).scaleb(-1)


def _hundredths(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)).scaleb(-2)


def _project(pid: str, budget: Decimal, cluster: Decimal, other: Decimal, years: int) -> Row:
    return {
        "id": pid,
        "budget": budget,
        "cluster": cluster,
        "state": budget - cluster - other,
        "other": other,
        "years": years,
    }


def _float_says_short(budget: Decimal, cluster: Decimal) -> bool:
    return float(cluster) < 0.3 * float(budget)


def _share_exactly_30_float_wrong(pid: str, rng: random.Random) -> Row:
    # cluster = 30% of budget exactly, but 0.3 * budget in floats is above it.
    while True:
        budget = _tenths(rng, 50, 5000)
        cluster = budget * MIN_SHARE
        if _float_says_short(budget, cluster):
            return _project(pid, budget, cluster, Decimal(0), rng.randrange(3, 6))


def _share_exactly_30_float_right(pid: str, rng: random.Random) -> Row:
    if rng.random() < 0.2:  # the pilot programme's total and the clusters' share
        return _project(pid, Decimal("3896.5"), Decimal("1168.95"), Decimal(0), 5)
    while True:
        budget = _tenths(rng, 50, 5000)
        cluster = budget * MIN_SHARE
        if not _float_says_short(budget, cluster):
            return _project(pid, budget, cluster, Decimal(0), rng.randrange(3, 6))


def _adds_up_float_wrong(pid: str, rng: random.Random) -> Row:
    # cluster + state + other = budget exactly; the float sum is not the float budget.
    while True:
        cluster = _hundredths(rng, 20, 600)
        state = _hundredths(rng, 50, 1500)
        other = _tenths(rng, 0, 30)
        budget = cluster + state + other
        if float(cluster) + float(state) + float(other) != float(budget):
            row = _project(pid, budget, cluster, other, rng.randrange(3, 6))
            assert row["state"] == state
            return row


def _cap_exactly_float_wrong(pid: str, rng: random.Random) -> Row:
    # (budget - cluster - other) / years = 112 exactly; in floats a hair above.
    while True:
        years = rng.randrange(3, 6)
        cluster = _hundredths(rng, 100, 400)
        other = _tenths(rng, 0, 50)
        budget = STATE_CAP * years + cluster + other
        if (float(budget) - float(cluster) - float(other)) / years > 112.0:
            return _project(pid, budget, cluster, other, years)


def _ordinary_project(pid: str, rng: random.Random, i: int) -> Row:
    if i % 97 == 1:
        return _project(pid, Decimal(0), Decimal(0), Decimal(0), 3)  # nothing budgeted yet
    budget = _tenths(rng, 50, 5000)
    cluster = (budget * rng.randrange(25, 40) / 100).quantize(Decimal("0.01"))
    if i % 53 == 2:  # a data error: the cluster's share is more than the whole budget
        row = _project(pid, budget, budget + Decimal("0.1"), Decimal(0), rng.randrange(3, 6))
        row["state"] = Decimal(0)
        return row
    other = Decimal(0) if rng.random() < 0.6 else _hundredths(rng, 0, 20)
    row = _project(pid, budget, cluster, other, rng.randrange(3, 6))
    if rng.random() < 0.1:  # the stated state share does not close the budget
        row["state"] += Decimal("0.1")
    return row


def _projects(n: int, rng: random.Random) -> list[Row]:
    boundary: list[Callable[[str, random.Random], Row]] = [
        _share_exactly_30_float_wrong,
        _adds_up_float_wrong,
        _cap_exactly_float_wrong,
        _share_exactly_30_float_right,
    ]
    out = []
    for i in range(n):
        pid = f"pr{i:05d}"
        if i % BOUNDARY_EVERY == BOUNDARY_EVERY - 1:
            out.append(boundary[(i // BOUNDARY_EVERY) % len(boundary)](pid, rng))
        else:
            out.append(_ordinary_project(pid, rng, i))
    return out


def _clusters(n: int, rng: random.Random) -> list[Row]:
    out = []
    for i in range(n):
        if i % BOUNDARY_EVERY == BOUNDARY_EVERY - 1:
            enterprises = MIN_ENTERPRISES + (0, -1, 1)[(i // BOUNDARY_EVERY) % 3]
        else:
            enterprises = rng.randrange(2, 25)
        roles = [rng.choice(ENTERPRISE_ROLES) for _ in range(enterprises)]
        roles += [rng.choice(OTHER_ROLES) for _ in range(rng.randrange(1, 12))]
        rng.shuffle(roles)
        out.append({"id": f"cl{i:05d}", "participants": [{"role": r} for r in roles]})
    return out


def _float_ratio(row: Row) -> float:
    base, target, actual = float(row["base"]), float(row["target"]), float(row["actual"])
    return (actual - base) / (target - base)


def _obligation_at(oid: str, rng: random.Random, level: Decimal, float_wrong: bool) -> Row:
    while True:
        base = _tenths(rng, 100, 10_000)
        target = base + _tenths(rng, 1, 2_000)
        actual = base + level * (target - base)
        assert (actual - base) / (target - base) == level
        row: Row = {"id": oid, "base": base, "target": target, "actual": actual}
        if (_float_ratio(row) < float(level)) == float_wrong:
            return row


def _obligations(n: int, rng: random.Random) -> list[Row]:
    out = []
    for i in range(n):
        oid = f"ob{i:05d}"
        if i % BOUNDARY_EVERY == BOUNDARY_EVERY - 1:
            k = i // BOUNDARY_EVERY
            level = (BREACH_BELOW, WARNING_BELOW)[k % 2]
            out.append(_obligation_at(oid, rng, level, float_wrong=k % 4 < 3))
            continue
        base = _tenths(rng, 100, 10_000)
        target = base + _tenths(rng, 1, 2_000)
        done = Decimal(rng.randrange(40, 120)) / 100
        actual = (base + done * (target - base)).quantize(Decimal("0.1"))
        out.append({"id": oid, "base": base, "target": target, "actual": actual})
    return out


def make_records(n: int, seed: int = 2021) -> Records:
    """``n`` projects, ``n`` clusters and ``n`` counter-obligations."""
    return Records(
        _projects(n, random.Random(f"{seed}/projects")),
        _clusters(n, random.Random(f"{seed}/clusters")),
        _obligations(n, random.Random(f"{seed}/obligations")),
    )


def _floats(row: Row) -> Row:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def as_floats(records: Records) -> Records:
    """The same records with every ``Decimal`` turned into the nearest ``float``."""
    return Records(
        [_floats(p) for p in records.projects],
        [dict(c) for c in records.clusters],
        [_floats(o) for o in records.obligations],
    )


# -- the exact reference: which verdicts sit exactly on a threshold ------------------


def at_boundary(records: Records) -> set[tuple[str, str]]:
    """The ``(rule, entity)`` pairs whose exact value is exactly on the rule's threshold."""
    out: set[tuple[str, str]] = set()
    for p in records.projects:
        budget, cluster, state, other = p["budget"], p["cluster"], p["state"], p["other"]
        checks = {
            "budget_positive": budget == 0,
            "share_within_budget": cluster == budget,
            "cluster_share": cluster == MIN_SHARE * budget,
            "financing_adds_up": cluster + state + other == budget,
            "state_cap_per_year": (budget - cluster - other) / p["years"] == STATE_CAP,
        }
        out.update((rule, p["id"]) for rule, hit in checks.items() if hit)
    for c in records.clusters:
        count = sum(1 for x in c["participants"] if x["role"] in ENTERPRISE_ROLES)
        if count == MIN_ENTERPRISES:
            out.add(("enough_enterprises", c["id"]))
    for o in records.obligations:
        achieved = (o["actual"] - o["base"]) / (o["target"] - o["base"])
        if achieved in (BREACH_BELOW, WARNING_BELOW):
            out.add(("counter_obligation", o["id"]))
    return out


# -- clusterkit's domain model --------------------------------------------------------

_NAME = LocalizedText(en="peer benchmark")
_REGION = "KZ-AKM"
_MLN_KZT = parse_unit("mln KZT")
_ROLE = {role.value: role for role in Role}


def _bins(count: int) -> list[str]:
    out: list[str] = []
    n = 0
    while len(out) < count:
        first = f"210140{n:05d}"
        n += 1
        check = bin_check_digit(first)
        if check is not None:
            out.append(first + str(check))
    return out


def _kzt(mln: Decimal) -> Money:
    return Money(mln.scaleb(6), "KZT")


def to_dataset(records: Records) -> Dataset:
    """The records as clusterkit's domain model: a cluster per cluster record; a
    programme with one project per project record, and a counter-obligation (with its
    reported value) per obligation record, each attached to the cluster of the same
    position. Amounts become money in KZT."""
    assert len(records.clusters) >= max(len(records.projects), len(records.obligations))
    most = max((len(c["participants"]) for c in records.clusters), default=0)
    bins = _bins(most)
    clusters, programmes, obligations, observations = [], [], [], []
    for c in records.clusters:
        members = tuple(
            Participant(
                f"m{j}", _NAME, bins[j], _ROLE[x["role"]], _REGION, "10.51", dt.date(2020, 1, 1)
            )
            for j, x in enumerate(c["participants"])
        )
        clusters.append(Cluster(c["id"], _NAME, (_REGION,), "bench", participants=members))
    for p, c in zip(records.projects, records.clusters, strict=False):
        financing = [
            Funding(source, _kzt(p[key]))
            for source, key in (
                (FundingSource.CLUSTER, "cluster"),
                (FundingSource.STATE, "state"),
                (FundingSource.OTHER, "other"),
            )  # every source's line, a zero one too: clusterkit reads an absent line as unknown
        ]
        project = Project(p["id"], _NAME, _kzt(p["budget"]), financing=tuple(financing))
        start = dt.date(2021, 1, 1)
        end = dt.date(2021 + p["years"] - 1, 12, 31)
        programmes.append(Programme(f"tcp-{p['id']}", c["id"], _NAME, start, end, (project,)))
    for o, c in zip(records.obligations, records.clusters, strict=False):
        obligations.append(
            CounterObligation(
                o["id"], c["id"], "output", _MLN_KZT, 2020, o["base"], TARGET_YEAR, o["target"]
            )
        )
        observations.append(
            Observation(
                c["id"], "output", TARGET_YEAR, o["actual"], _MLN_KZT, dt.date(2025, 2, 1), "bench"
            )
        )
    return Dataset(
        DatasetInfo("peer-benchmark", _NAME),
        regions=(Region(_REGION, _NAME),),
        sectors=(Sector("bench", _NAME),),
        clusters=tuple(clusters),
        programmes=tuple(programmes),
        obligations=tuple(obligations),
        observations=tuple(observations),
    )
