"""The shipped rulebooks' verdicts, written by hand in plain Python, for comparison.

Each function computes, for the same data and date, the outcome the rule gives, so
the benchmark can check both agree and compare their speed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clusterkit.model import Dataset, FundingSource, Role

ENTERPRISES = {
    Role.LARGE_ENTERPRISE,
    Role.MEDIUM_ENTERPRISE,
    Role.SMALL_ENTERPRISE,
    Role.MICRO_ENTERPRISE,
}
THIRTY = Decimal("0.30")


def _half(value: Decimal) -> Decimal:
    return Decimal(1).scaleb(value.as_tuple().exponent) / 2  # type: ignore[arg-type]


#: The table of neighbouring regions in rules/registry-entry.ckr.
NEIGHBOURS = {
    "KZ-KAR": ("KZ-AKM", "KZ-KUS", "KZ-ALM", "KZ-TUR"),
    "KZ-ALA": ("KZ-ALM",),
    "KZ-ALM": ("KZ-ALA", "KZ-KAR"),
    "KZ-SHY": ("KZ-TUR",),
    "KZ-TUR": ("KZ-SHY", "KZ-KAR"),
    "KZ-AKM": ("KZ-KAR", "KZ-KUS"),
    "KZ-KUS": ("KZ-AKM", "KZ-KAR"),
}


def registry(data: Dataset) -> list[tuple[str, str, str]]:
    out = []
    for c in data.clusters:
        ps = c.participants
        enterprises = sum(1 for p in ps if p.role in ENTERPRISES)
        out.append(("has_enterprises", c.id, "pass" if enterprises >= 1 else "fail"))
        ok = any(p.role in (Role.SUPPLIER, Role.SERVICE_PROVIDER) for p in ps)
        out.append(("has_suppliers_or_services", c.id, "pass" if ok else "fail"))
        ok = any(p.role in (Role.RESEARCH, Role.EDUCATION) for p in ps)
        out.append(("has_research_or_education", c.id, "pass" if ok else "fail"))
        near = set(c.regions)
        for r in c.regions:
            near.update(NEIGHBOURS[r])
        outside = sum(1 for p in ps if p.region not in near)
        out.append(("territorial_proximity", c.id, "pass" if outside == 0 else "fail"))
        if len(c.regions) > 1:
            isolated = sum(1 for r in c.regions if not any(n in c.regions for n in NEIGHBOURS[r]))
            out.append(("regions_adjacent", c.id, "pass" if isolated == 0 else "fail"))
        linked = sum(
            1
            for p in ps
            if p.role in ENTERPRISES
            and any(p.id in (link.supplier, link.customer) for link in c.links)
        )
        out.append(("functional_dependence", c.id, "pass" if linked >= 2 else "fail"))
    return out


def cofinancing(data: Dataset) -> list[tuple[str, str, str]]:
    out = []
    for programme in data.programmes:
        for p in programme.projects:
            budget = p.budget.amount
            share = p.funding(FundingSource.CLUSTER).amount
            hb, hs = _half(budget), _half(share)
            ok = share + hs >= THIRTY * (budget - hb)
            out.append(("cluster_share", p.id, "pass" if ok else "fail"))
    for programme in data.programmes:
        for p in programme.projects:
            for t in p.tranches:
                if t.released is None:
                    continue
                milestone = p.milestone(t.condition) if t.condition else None
                met = milestone.achieved if milestone is not None else None
                ok = not t.condition or (met is not None and met <= t.released)
                out.append(
                    ("tranche_release", f"{p.id}/tranche {t.number}", "pass" if ok else "fail")
                )
    return out


def monitoring(data: Dataset, as_of: dt.date) -> list[tuple[str, str, str]]:
    reports: dict[tuple[str, str, int], list] = {}  # type: ignore[type-arg]
    for o in data.observations:
        reports.setdefault((o.cluster, o.indicator, o.year), []).append(o)
    out = []
    for o in data.obligations:
        if not as_of > dt.date(o.target_year, 12, 31):
            out.append(("counter_obligation", o.id, "not_applicable"))
            continue
        seen = [
            r
            for r in reports.get((o.cluster, o.indicator, o.target_year), [])
            if r.reported_on <= as_of
        ]
        if not seen:
            out.append(("counter_obligation", o.id, "undetermined"))
            continue
        actual = max(seen, key=lambda r: r.reported_on).value
        achieved = (actual - o.base_value) / (o.target_value - o.base_value)
        level = (
            "breach"
            if achieved < Decimal("0.7")
            else ("warning" if achieved < Decimal("0.9") else "pass")
        )
        out.append(("counter_obligation", o.id, level))
    return out
