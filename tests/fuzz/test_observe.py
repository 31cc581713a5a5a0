"""Fuzzing what ``clusterkit observe`` accepts, in each file-based store.

Observations are checked at entry because once stored they cannot be removed: whatever
``observe`` accepts, every later command on the store still works. Each input is one
``observe`` with values drawn from the example's clusters, indicators and units and
from hostile ones; when it is accepted, the store is checked with the shipped rules,
reported and exported, and none of that fails with anything but its own statuses.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import event, given
from hypothesis import strategies as st

from clusterkit.cli import cli
from tests.fuzz.common import HOSTILE_NUMBERS, HOSTILE_TEXTS, fuzz_settings
from tests.fuzz.conftest import in_copy
from tests.fuzz.corpus import KZ_DATA, RULES

#: Clusters, indicators and units that fit together, as the example's series state them.
SERIES = (
    ("construction-karaganda", "output", "mln KZT"),
    ("construction-karaganda", "output", "bn KZT"),
    ("milk-akmola", "exports", "mln USD"),
    ("pharma-south", "labour_productivity", "mln KZT/person"),
    ("flour-kostanay", "tax_revenue", "thousand KZT"),
    ("tourism-almaty", "output", "mln KZT"),
)


@pytest.fixture(scope="session")
def stores(project: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("fuzz-observe")
    urls = [f"sqlite://{root / 'store.sqlite3'}", f"jsondir://{root / 'store-json'}"]
    for url in urls:
        result = CliRunner().invoke(
            cli, ["registry", "import", str(in_copy(project, KZ_DATA)), "--store", url]
        )
        assert result.exit_code == 0, result.output
    return root, urls


def _run(root: Path, args: list[str]) -> tuple[int, str]:
    with contextlib.chdir(root):
        result = CliRunner().invoke(cli, args, env={"CLUSTERKIT_DEBUG": ""})
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: {result.exception!r}"
    )
    assert result.exit_code in (0, 1, 2), f"{args}: exit {result.exit_code}\n{output[-2000:]}"
    assert "Traceback" not in output, f"{args}\n{output[-4000:]}"
    return result.exit_code, output


def _sometimes_hostile(draw: st.DrawFn, good: str, hostile: st.SearchStrategy[str]) -> str:
    # Mostly good values, so that some observations are accepted and read afterwards.
    return draw(hostile) if draw(st.integers(0, 4)) == 0 else good


@st.composite
def observations(draw: st.DrawFn) -> dict[str, str]:
    cluster, indicator, unit = draw(st.sampled_from(SERIES))
    texts = st.sampled_from(HOSTILE_TEXTS)
    options = {
        "--cluster": _sometimes_hostile(draw, cluster, texts),
        "--indicator": _sometimes_hostile(draw, indicator, texts),
        "--unit": _sometimes_hostile(draw, unit, st.sampled_from(["%", "person", "", "KZT/USD"])),
        "--year": _sometimes_hostile(
            draw, str(draw(st.integers(2015, 2030))), st.sampled_from(["0", "1899", "10000", "x"])
        ),
        "--value": _sometimes_hostile(
            draw,
            str(draw(st.decimals(0, 10**6, allow_nan=False, places=2))),
            st.sampled_from(HOSTILE_NUMBERS),
        ),
        "--reported-on": draw(st.sampled_from(["2021-06-01", "2025-01-01", "2021-02-29"])),
        "--by": _sometimes_hostile(draw, "akimat", texts),
    }
    for option, values in (
        ("--note", HOSTILE_TEXTS),
        ("--supersedes", ("1", "2", "0", "-5", "99999999999999999999")),
        ("--reason", HOSTILE_TEXTS),
    ):
        if draw(st.integers(0, 3)) == 0:
            options[option] = draw(st.sampled_from(values))
    return options


@fuzz_settings(0.5)
@given(observation=observations(), which=st.integers(0, 1))
def test_whatever_observe_accepts_every_command_still_reads(
    stores: tuple[Path, list[str]], observation: dict[str, str], which: int
) -> None:
    root, urls = stores
    store = urls[which]
    args = ["observe", *(x for pair in observation.items() for x in pair), "--store", store]
    code, _ = _run(root, args)
    event("accepted" if code == 0 else "refused")
    if code != 0:
        return
    for after in (
        [
            "check",
            str(RULES / "monitoring.ckr"),
            "--store",
            store,
            "--no-save",
            "--as-of",
            "2030-01-01",
        ],
        ["report", "--store", store, "--format", "csv", "-o", str(root / "report.csv")],
        ["registry", "export", str(root / "backup.json"), "--store", store],
        ["registry", "show", observation["--cluster"], "--store", store],
    ):
        _run(root, after)
