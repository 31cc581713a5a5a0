"""Golden files: compare output with a file kept in the repository.

Updating is a separate, explicit step that never passes a test:
``CLUSTERKIT_UPDATE_GOLDEN=1 pytest …`` writes the files and skips the comparisons;
run again without it (and read the diff) to see them pass.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["UPDATING", "match_golden"]

UPDATING = bool(os.environ.get("CLUSTERKIT_UPDATE_GOLDEN"))


def match_golden(path: Path, actual: str) -> None:
    """Assert ``actual`` equals the golden file, or (when updating) write it and skip."""
    if UPDATING:
        path.write_text(actual, encoding="utf-8")
        pytest.skip(
            f"updated {path.name}: review the diff, then run without CLUSTERKIT_UPDATE_GOLDEN"
        )
    assert path.exists(), f"no golden file {path}: create it with CLUSTERKIT_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")
