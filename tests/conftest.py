"""Shared fixtures: paths to the bundled example and a copy of it to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"


@pytest.fixture
def example_dir() -> Path:
    return EXAMPLE


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A writable copy of the example dataset, for tests that break it (beside a copy of
    the schema its dataset.toml names, at the same relative place)."""
    target = tmp_path / "examples" / "kazakhstan-2021"
    shutil.copytree(EXAMPLE, target)
    shutil.copytree(EXAMPLE.parents[1] / "rules" / "schema", tmp_path / "rules" / "schema")
    return target


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read clusterkit's English messages whatever the machine's locale is."""
    monkeypatch.setenv("CLUSTERKIT_LANG", "en")


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache of checked rules goes to a folder of each test's own, not the home's."""
    monkeypatch.setenv("CLUSTERKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
