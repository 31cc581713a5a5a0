"""The JSON-folder store's evaluation runs: ``runs/000001.json``, one run a file,
written whole (beside, flushed, renamed) and never rewritten."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from clusterkit.i18n import local as _
from clusterkit.loader import atomic_write
from clusterkit.plugins import StoredRun, StoreError
from clusterkit_plugins import common

__all__ = ["find", "ids", "put", "read"]

#: Run numbers this layout can name (six digits, and more once there are that many).
_MAX = 10**9


def _path(folder: Path, run_id: int) -> Path:
    return folder / f"{run_id:06d}.json"


def put(folder: Path, run: StoredRun) -> None:
    """Write a run's file."""
    record = {
        "id": run.id,
        "recorded_at": run.recorded_at.isoformat(),
        "as_of": run.as_of.isoformat(),
        "dataset": run.dataset,
        "data_sha256": run.data_sha256,
        "document": run.document,
    }
    text = json.dumps(record, ensure_ascii=False)
    common.utf8(text, _("the run"))
    try:
        folder.mkdir(exist_ok=True)
        atomic_write(_path(folder, run.id), text)
    except OSError as exc:
        raise StoreError(
            _("{path}: cannot be written: {error}").format(path=folder, error=exc.strerror)
        ) from None


def ids(folder: Path) -> list[int]:
    """The numbers of the runs in the folder, in order."""
    return sorted(int(p.stem) for p in folder.glob("*.json") if p.stem.isdigit())


def read(folder: Path, run_id: int) -> StoredRun:
    """A run from its file; :class:`StoreError` naming the file if it cannot be read."""
    path = _path(folder, run_id)
    try:
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return StoredRun(
            int(record["id"]),
            dt.datetime.fromisoformat(record["recorded_at"]),
            dt.date.fromisoformat(record["as_of"]),
            str(record["dataset"]),
            str(record["data_sha256"]),
            str(record["document"]),
        )
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise StoreError(
            _("{path}: not a readable evaluation run ({error})").format(path=path, error=exc)
        ) from None


def find(folder: Path, run_id: int) -> StoredRun | None:
    """The run with that number, or None if there is none."""
    if not 0 < run_id < _MAX or not _path(folder, run_id).exists():
        return None
    return read(folder, run_id)
