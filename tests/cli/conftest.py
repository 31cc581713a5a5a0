"""A store holding the bundled example, for the commands that work on a store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.runner import EXAMPLE, run


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite://{tmp_path / 'registry.sqlite3'}"
    code, out, _ = run("registry", "import", EXAMPLE, "--store", url)
    assert code == 0
    assert "imported 6 clusters, 6 applications, 6 programmes" in out
    return url
