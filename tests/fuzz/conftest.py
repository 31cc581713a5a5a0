"""The fuzz targets' writable copy of the project's rules and examples."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of rules/ and examples/ in the same layout (a dataset names its schema by a
    path into rules/), with a project marker; targets edit a file in it for one input and
    put it back."""
    root = tmp_path_factory.mktemp("fuzz") / "project"
    shutil.copytree(ROOT / "rules", root / "rules", symlinks=False)
    shutil.copytree(ROOT / "examples", root / "examples", symlinks=False)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    return root


def in_copy(project: Path, original: Path) -> Path:
    """Where ``original`` (in the checkout) is in the copy."""
    return project / original.relative_to(ROOT)
