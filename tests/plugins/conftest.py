"""Fixtures for the store tests: a real PostgreSQL server for the session, and a URL
of a fresh, empty store of each back-end."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.plugins import pg_server

BACK_ENDS = ["sqlite", "jsondir", "postgresql"]


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
