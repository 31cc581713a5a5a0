"""Loading a dataset that should fail, and editing a JSON file of a copy of the example."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clusterkit import DiagnosticError, load_dataset


def load_errors(path: Path) -> list[str]:
    with pytest.raises(DiagnosticError) as exc:
        load_dataset(path)
    return [str(d) for d in exc.value.diagnostics]


def edit_json(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
