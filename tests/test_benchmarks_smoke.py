"""The peer benchmark runs at a tiny size, and every decimal engine gives the exact verdicts.

Only the engines installed here run (CI installs none of the peers, so there it is
clusterkit against hand-written Decimal and float Python). Nothing about speed is
asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import peer_data  # noqa: E402
import peers  # noqa: E402


@pytest.fixture(scope="module")
def reports() -> list[peers.GroupReport]:
    installed = [e for e in peers.ENGINES if e.missing() is None]
    # zen-engine's one-call-per-record variant only repeats the graph variant, slowly.
    installed = [e for e in installed if "one evaluate()" not in e.name]
    _, out = peers.compare(60, repeat=1, engines=installed)
    return out


def test_every_installed_engine_runs(reports: list[peers.GroupReport]) -> None:
    for report in reports:
        for row in report.rows:
            assert row.error is None, f"{row.engine.name}: {row.error}"
            if row.missing is None:
                assert len(row.verdicts) == len(report.reference().verdicts)


def test_decimal_engines_agree_on_every_verdict(reports: list[peers.GroupReport]) -> None:
    names = {e.name for e in peers.ENGINES}
    assert "clusterkit" in names
    for report in reports:
        assert report.boundary_total > 0  # the records do hold exact-boundary cases
        for row in report.rows:
            if row.missing is None and row.engine.decimal:
                assert row.differing == [], f"{report.key}, {row.engine.name}: {row.differing[:3]}"


def test_float_python_gets_exact_boundaries_wrong(reports: list[peers.GroupReport]) -> None:
    # The records are built so that binary floating point lands on the wrong side.
    for report in reports:
        row = next(r for r in report.rows if r.engine.name == "hand-written Python, float")
        assert row.boundary_wrong > 0
        assert row.boundary_wrong == len(row.differing)  # and only there


def test_records_are_deterministic() -> None:
    small, large = peer_data.make_records(25), peer_data.make_records(40)
    assert small == peer_data.make_records(25)
    assert large.projects[:25] == small.projects
    assert large.obligations[:25] == small.obligations


def test_table_names_a_missing_engine() -> None:
    missing = peers.Engine(
        "absent-engine",
        "Decimal",
        True,
        "surely-not-an-installed-distribution",
        lambda rules: None,
        lambda dec, flo: None,
        lambda compiled, rows: [],
    )
    data, out = peers.compare(10, repeat=1, engines=[missing], groups=["cheap"])
    assert out[0].rows[-1].missing == "not installed"
    assert "not installed" in peers.render(data, out)
