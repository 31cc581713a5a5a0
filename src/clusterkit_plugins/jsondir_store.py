"""A store in a directory of JSON files, for people who keep data under version control.

Layout::

    STORE/
      store.json          version of the layout, and the dataset's information
      dataset.json        registry, applications, programmes, series, obligations, ...
      observations.jsonl  one observation per line, appended, never rewritten
      runs/000001.json    one evaluation per file, never rewritten

Whole files are replaced atomically (written beside, flushed, renamed), so a process
killed mid-write leaves the previous version. Appends to ``observations.jsonl`` end
with a newline and an fsync; a last line without its newline was cut off by a crash
and is ignored. One writer at a time: writers take ``.lock`` (an exclusive
``flock``); readers need no lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from clusterkit import ResultSet
from clusterkit.diagnostics import DiagnosticError
from clusterkit.i18n import local as _
from clusterkit.loader import atomic_write, dataset_from_document, dump_dataset
from clusterkit.model import (
    Application,
    Cluster,
    Dataset,
    DatasetInfo,
    InvalidFieldsError,
    LocalizedText,
    Observation,
    Programme,
    StatusChange,
)
from clusterkit.plugins import PLUGIN_API, StoredRun, StoreError, no_store
from clusterkit.serde import structure, unstructure

__all__ = ["LAYOUT_VERSION", "JsonDirStore", "plugin"]

LAYOUT_VERSION = 1


class JsonDirStore:
    """A store in a directory; see the module's description for the layout."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def open(cls, root: Path, *, create: bool) -> JsonDirStore:
        marker = root / "store.json"
        if not marker.exists():
            if not create:
                raise StoreError(f"{root}: {no_store()}")
            try:
                root.mkdir(parents=True, exist_ok=True)
                (root / "runs").mkdir(exist_ok=True)
                atomic_write(marker, json.dumps({"layout": LAYOUT_VERSION}) + "\n")
            except OSError as exc:
                raise StoreError(f"{root}: cannot create the store: {exc.strerror}") from None
        try:
            layout = json.loads(marker.read_text(encoding="utf-8")).get("layout")
        except (OSError, ValueError, AttributeError):
            raise StoreError(f"{marker}: is not a clusterkit store marker") from None
        if not isinstance(layout, int) or layout > LAYOUT_VERSION:
            raise StoreError(
                f"{root}: "
                + _(
                    "the store's schema is version {version}, newer than this clusterkit "
                    "understands ({known}); upgrade clusterkit to use it"
                ).format(version=layout, known=LAYOUT_VERSION)
            )
        return cls(root)

    def close(self) -> None:
        """Nothing stays open between calls."""

    @contextmanager
    def _write(self) -> Iterator[None]:
        try:
            handle = open(self.root / ".lock", "a")  # noqa: SIM115 - held for the block
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot be written: {exc.strerror}") from None
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(
                    f"{self.root}: "
                    + _("the store is locked by another writer; try again when it has finished")
                ) from None
            yield
        finally:
            handle.close()

    # -- the dataset file ------------------------------------------------------------
    def _base(self) -> Dataset:
        path = self.root / "dataset.json"
        if not path.exists():
            return Dataset(
                DatasetInfo("store", LocalizedText(en=f"clusterkit store {self.root.name}"))
            )
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            return dataset_from_document(document, str(path))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: cannot be read: {exc}") from None
        except DiagnosticError as exc:
            raise StoreError(str(exc)) from None

    def _save_base(self, dataset: Dataset) -> None:
        atomic_write(
            self.root / "dataset.json", dump_dataset(attrs.evolve(dataset, observations=()))
        )

    def import_dataset(self, dataset: Dataset) -> None:
        with self._write():
            current = self._base()
            replaced: dict[str, Any] = {
                name: _merge(getattr(current, name), getattr(dataset, name))
                for name in (
                    "regions",
                    "sectors",
                    "clusters",
                    "applications",
                    "programmes",
                    "series",
                    "obligations",
                    "figures",
                )
            }
            merged = attrs.evolve(
                current,
                info=dataset.info,
                benchmarks=dataset.benchmarks,
                rates=dataset.rates,
                **replaced,
            )
            self._save_base(merged)
            for observation in dataset.observations:
                self._append(observation)

    def dataset(self) -> Dataset:
        return attrs.evolve(self._base(), observations=tuple(self.observations()))

    def clusters(self) -> Sequence[Cluster]:
        return self._base().clusters

    def cluster(self, cluster_id: str) -> Cluster | None:
        return self._base().cluster(cluster_id)

    def programmes(self) -> Sequence[Programme]:
        return self._base().programmes

    def applications(self) -> Sequence[Application]:
        return self._base().applications

    def add_application(self, application: Application) -> None:
        with self._write():
            base = self._base()
            if any(a.id == application.id for a in base.applications):
                raise StoreError(
                    _("an application {id!r} is already recorded").format(id=application.id)
                )
            if base.cluster(application.cluster) is None:
                raise StoreError(
                    _("no cluster {id!r} in the registry").format(id=application.cluster)
                )
            self._save_base(attrs.evolve(base, applications=(*base.applications, application)))

    def decide(self, application_id: str, change: StatusChange) -> Application:
        with self._write():
            base = self._base()
            found = next((a for a in base.applications if a.id == application_id), None)
            if found is None:
                raise StoreError(_("no application {id!r}").format(id=application_id))
            try:
                updated = attrs.evolve(found, history=(*found.history, change))
            except InvalidFieldsError as exc:
                raise StoreError("; ".join(e.message for e in exc.errors)) from None
            applications = tuple(
                updated if a.id == application_id else a for a in base.applications
            )
            self._save_base(attrs.evolve(base, applications=applications))
            return updated

    # -- observations ----------------------------------------------------------------
    def _append(self, observation: Observation) -> int:
        path = self.root / "observations.jsonl"
        line = json.dumps(unstructure(observation), ensure_ascii=False, sort_keys=True)
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise StoreError(f"{path}: cannot be written: {exc.strerror}") from None
        return len(self.observations())

    def observe(self, observation: Observation) -> int:
        with self._write():
            if self._base().cluster(observation.cluster) is None:
                raise StoreError(
                    _("no cluster {id!r} in the registry").format(id=observation.cluster)
                )
            return self._append(observation)

    def observations(self) -> Sequence[Observation]:
        path = self.root / "observations.jsonl"
        if not path.exists():
            return []
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        complete = lines[:-1]  # the part after the last newline was never finished
        out = []
        for number, line in enumerate(complete, start=1):
            if not line.strip():
                continue
            try:
                out.append(structure(json.loads(line), Observation))
            except (ValueError, Exception) as exc:
                raise StoreError(f"{path}:{number}: not a valid observation ({exc})") from None
        return out

    # -- runs --------------------------------------------------------------------------
    def save_run(self, results: ResultSet, document: str) -> int:
        with self._write():
            folder = self.root / "runs"
            folder.mkdir(exist_ok=True)
            numbers = [int(p.stem) for p in folder.glob("*.json") if p.stem.isdigit()]
            run_id = max(numbers, default=0) + 1
            p = results.provenance
            record = {
                "id": run_id,
                "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "as_of": p.as_of.isoformat(),
                "dataset": p.dataset,
                "data_sha256": p.data_sha256,
                "document": document,
            }
            atomic_write(folder / f"{run_id:06d}.json", json.dumps(record, ensure_ascii=False))
            return run_id

    def runs(self) -> Sequence[StoredRun]:
        folder = self.root / "runs"
        return (
            [_run(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]
            if folder.exists()
            else []
        )

    def run(self, run_id: int) -> StoredRun | None:
        path = self.root / "runs" / f"{run_id:06d}.json"
        return _run(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None


def _run(record: dict[str, Any]) -> StoredRun:
    return StoredRun(
        int(record["id"]),
        dt.datetime.fromisoformat(record["recorded_at"]),
        dt.date.fromisoformat(record["as_of"]),
        record["dataset"],
        record["data_sha256"],
        record["document"],
    )


def _merge(old: tuple[Any, ...], new: tuple[Any, ...]) -> tuple[Any, ...]:
    """Items of ``new`` replace those of ``old`` with the same key; others are kept."""

    def key(item: Any) -> object:
        for name in ("id", "code"):
            if hasattr(item, name):
                return getattr(item, name)
        return (getattr(item, "cluster", None), getattr(item, "indicator", None))

    replaced = {key(item) for item in new}
    return tuple(item for item in old if key(item) not in replaced) + new


@attrs.frozen
class _JsonDirPlugin:
    name: str = "jsondir"
    api_version: int = PLUGIN_API
    description: str = "a directory of JSON files: jsondir://PATH"

    def open(self, location: str, *, create: bool) -> JsonDirStore:
        return JsonDirStore.open(Path(location), create=create)


#: The entry point ``clusterkit.storage: jsondir``.
plugin = _JsonDirPlugin()
