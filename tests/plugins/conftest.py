"""Fixtures for the plugin tests. Reporters: the bundled example, one with hostile
names, and one with numbers far beyond any real figure. Stores: a real PostgreSQL
server for the session, and a URL of a fresh, empty store of each back-end."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypedDict

import attrs
import pytest

from clusterkit import load_dataset
from clusterkit.model import Dataset, LocalizedText
from clusterkit.money import Money
from clusterkit.units import Unit
from tests.plugins import pg_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"

#: Names that try to run something wherever a report is read: a spreadsheet formula
#: (each of its starting characters), HTML, Markdown links and emphasis, a table cell
#: break, terminal escape sequences (colour, clear screen, window title), a bidi override.
HOSTILE_CLUSTER_NAMES = (
    '=HYPERLINK("http://example.invalid/x","click") <script>alert("x")</script>',
    "+1+1 <img src=x onerror=alert(1)>",
    "-2 \x1b[2J\x1b]0;pwned\x07 cleared",
    "@SUM(A1) [click](javascript:alert(1)) | *bold* _it_ `code` ![i](x)",
    "\x1b[31mred\x1b[0m \u202eevil\u202c \x9b31m c1",
)
HOSTILE_PROJECT_TITLE = '<script>alert("x")</script>\t=cmd|" /C calc"!A0'


def localized(text: str) -> LocalizedText:
    return LocalizedText(en=text, ru=text, kk=text)


@pytest.fixture(scope="session")
def example() -> Dataset:
    return load_dataset(EXAMPLE)


@pytest.fixture(scope="session")
def hostile(example: Dataset) -> Dataset:
    """The example with names and titles that try to run code in each output."""
    clusters = tuple(
        attrs.evolve(cluster, name=localized(HOSTILE_CLUSTER_NAMES[i]))
        if i < len(HOSTILE_CLUSTER_NAMES)
        else cluster
        for i, cluster in enumerate(example.clusters)
    )
    first = example.programmes[0]
    project = attrs.evolve(first.projects[0], title=localized(HOSTILE_PROJECT_TITLE))
    programmes = (
        attrs.evolve(first, projects=(project, *first.projects[1:])),
        *example.programmes[1:],
    )
    info = attrs.evolve(
        example.info,
        title=localized("<img src=x onerror=alert(1)> \x1b]0;title\x07"),
        source="=1+1 <script>x</script>",
    )
    return attrs.evolve(example, info=info, clusters=clusters, programmes=programmes)


#: The values of :func:`huge`: a budget of 1e999999999 mln KZT, an output of
#: 1e999999999 mln KZT and one of 1E-999999 mln KZT.
HUGE = Decimal("1E+999999999")
TINY = Decimal("1E-999999")


@pytest.fixture(scope="session")
def huge(example: Dataset) -> Dataset:
    """The example with numbers whose written-out form would be a billion digits long."""
    first = example.programmes[0]
    budget = Money(Decimal("1E+1000000005"), "KZT")  # 1e999999999 mln KZT
    project = attrs.evolve(first.projects[0], budget=budget)
    programmes = (
        attrs.evolve(first, projects=(project, *first.projects[1:])),
        *example.programmes[1:],
    )
    series = list(example.series)
    changes = [
        ("construction-karaganda", "output", 2020, TINY),
        ("furniture-almaty", "output", 2024, HUGE),
    ]
    for cluster, indicator, year, value in changes:
        at = next(
            i for i, s in enumerate(series) if s.cluster == cluster and s.indicator == indicator
        )
        values = tuple(
            attrs.evolve(v, value=value) if v.year == year else v for v in series[at].values
        )
        series[at] = attrs.evolve(series[at], values=values)
    return attrs.evolve(example, programmes=programmes, series=tuple(series))


# -- stores --------------------------------------------------------------------------------

BACK_ENDS = ["sqlite", "jsondir", "postgresql"]


class ObservationChanges(TypedDict, total=False):
    """Fields of an :class:`~clusterkit.model.Observation` a test replaces
    (``attrs.evolve(observation, **changes)``), each with its field's type."""

    cluster: str
    indicator: str
    year: int
    value: Decimal
    unit: Unit
    reported_on: dt.date
    reported_by: str
    note: str
    supersedes: int | None
    reason: str


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg_server.Server]:
    """A PostgreSQL server started for the tests. Skipped where the server's programs
    are missing, unless CLUSTERKIT_REQUIRE_POSTGRES=1 (as in CI) makes that a failure."""
    why = pg_server.missing()
    if why is not None:
        if os.environ.get("CLUSTERKIT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"CLUSTERKIT_REQUIRE_POSTGRES=1 but {why}", pytrace=False)
        pytest.skip(why)
    with pg_server.running() as server:
        yield server


@pytest.fixture
def new_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """``new_store_url(back_end)``: the URL of a store that does not exist yet."""
    count = iter(range(1, 1000))

    def make(back_end: str) -> str:
        n = next(count)
        if back_end == "sqlite":
            return f"sqlite://{tmp_path / f'store{n}.sqlite3'}"
        if back_end == "jsondir":
            return f"jsondir://{tmp_path / f'store{n}'}"
        server: pg_server.Server = request.getfixturevalue("postgres")
        return server.fresh_url()

    return make
