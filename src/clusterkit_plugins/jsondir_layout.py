"""The JSON-folder store's folder: its marker (``store.json``, the layout's version),
created when asked for, upgraded from an older layout, refused when newer than this
clusterkit knows or when an import of a backup into it was cut off; its write lock
(``.lock``); and the temporary files a killed writer left, removed when it is opened.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, suppress
from pathlib import Path

from clusterkit.i18n import local as _
from clusterkit.loader import atomic_write
from clusterkit.plugins import StoreError, no_store, not_empty_folder
from clusterkit_plugins import common, jsonl_log
from clusterkit_plugins.jsonl_log import LOG

__all__ = ["LAYOUT_VERSION", "RESTORING", "lock", "prepare", "temporary_files"]

LAYOUT_VERSION = 3
#: The file that marks an import of a backup under way.
RESTORING = ".restoring"


def lock(root: Path, *, wait: bool = True, required: bool = True) -> AbstractContextManager[None]:
    """Hold the store's write lock, waiting up to the timeout for another writer."""
    return common.file_lock(root / ".lock", wait=wait, required=required)


def prepare(root: Path, *, create: bool) -> None:
    """Make the folder a store of the current layout (creating it with ``create``), or
    raise :class:`StoreError` saying why it is not one."""
    marker = root / "store.json"
    if not marker.exists():
        if not create:
            raise StoreError(f"{root}: {no_store()}")
        if str(root) in ("", ".") or (root.is_dir() and any(root.iterdir())):
            # Never spread a store's files among someone else's (the current folder for
            # "jsondir://", a folder of rules or documents).
            raise StoreError(f"{root}: {not_empty_folder()}")
        try:
            root.mkdir(parents=True, exist_ok=True)
            (root / "runs").mkdir(exist_ok=True)
            atomic_write(marker, json.dumps({"layout": LAYOUT_VERSION}) + "\n")
        except OSError as exc:
            raise StoreError(
                _("{path}: cannot create the store: {error}").format(path=root, error=exc.strerror)
            ) from None
    layout = _layout(root)
    if (root / RESTORING).exists():
        raise StoreError(
            _(
                "{path}: an import of a backup into this store was interrupted; "
                "remove the folder and import the backup again"
            ).format(path=root)
        )
    if layout < LAYOUT_VERSION:
        with lock(root):
            layout = _layout(root)
            if layout < LAYOUT_VERSION:
                _upgrade(root, layout)
    _tidy(root)


def _layout(root: Path) -> int:
    marker = root / "store.json"
    try:
        layout = json.loads(marker.read_text(encoding="utf-8")).get("layout")
    except (OSError, ValueError, AttributeError):
        raise StoreError(
            _("{path}: is not a clusterkit store marker").format(path=marker)
        ) from None
    if not isinstance(layout, int) or isinstance(layout, bool) or layout > LAYOUT_VERSION:
        raise StoreError(
            f"{root}: "
            + _(
                "the store's schema is version {version}, newer than this clusterkit "
                "understands ({known}); upgrade clusterkit to use it"
            ).format(version=layout, known=LAYOUT_VERSION)
        )
    return layout


def _upgrade(root: Path, layout: int) -> None:
    """Layout 1 to 2: number the observations in the order they were recorded.
    Layout 2 to 3 changes no file: the dataset file may now embed a schema, and the
    new number keeps a clusterkit that would not read it from misreading it."""
    if layout < 2:
        found = jsonl_log.scan(root / LOG, legacy=True)
        lines = [jsonl_log.encode(record) for record in found.observations]
        lines += [d.raw + b"\n" for d in found.damaged]  # kept, reported, repairable
        jsonl_log.replace(root / LOG, b"".join(lines))
    atomic_write(root / "store.json", json.dumps({"layout": LAYOUT_VERSION}) + "\n")


def temporary_files(root: Path) -> list[Path]:
    """The temporary files writers make beside the files they replace."""
    return [temp for folder in (root, root / "runs") for temp in folder.glob(".*.tmp")]


def _tidy(root: Path) -> None:
    """Remove temporary files a killed writer left, unless a writer is at work."""
    with suppress(StoreError), lock(root, wait=False):
        for temp in temporary_files(root):
            with suppress(OSError):
                temp.unlink(missing_ok=True)
