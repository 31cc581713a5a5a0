"""A store in a directory of JSON files, for people who keep data under version control.

Layout (version 3; 2 had no schema in the dataset file, 1 no numbers in the log)::

    STORE/
      store.json          version of the layout
      dataset.json        registry, applications, programmes, series, obligations, ...,
                          the records of declared kinds and the schema that declares
                          them (``dataset.declarations``, as save_dataset writes it)
      observations.jsonl  one numbered observation per line, appended, never rewritten
      runs/000001.json    one evaluation per file, never rewritten (jsondir_runs)

Whole files are replaced atomically (written beside, flushed, renamed), so a process
killed mid-write leaves the previous version, and temporary files it left behind are
removed the next time the store is opened. The observation log is described in
:mod:`clusterkit_plugins.jsonl_log`: a line cut off by a crash is set aside before
the next append, a damaged line is reported and skipped, and :meth:`JsonDirStore.repair`
moves damaged lines to ``observations.damaged.txt``. One writer at a time: writers
take ``.lock`` (an exclusive ``flock``), waiting up to ``CLUSTERKIT_STORE_TIMEOUT_MS``
(5 s) for another; readers need no lock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager, suppress
from decimal import Decimal
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
from clusterkit.plugins import (
    PLUGIN_API,
    Backup,
    StoredObservation,
    StoredRun,
    StoreError,
    no_store,
    not_empty_folder,
)
from clusterkit.schema import DEFAULT_SCHEMA, Schema
from clusterkit_plugins import common, declared, jsondir_runs, jsonl_log
from clusterkit_plugins.declared import Reader
from clusterkit_plugins.jsonl_log import LOG

__all__ = ["LAYOUT_VERSION", "JsonDirStore", "plugin"]

LAYOUT_VERSION = 3
_RESTORING = ".restoring"


class JsonDirStore:
    """A store in a directory; see the module's description for the layout."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: The dataset file's schema last read, and the file's identity then.
        self._schema_read: tuple[tuple[int, int, int], Schema] | None = None

    @classmethod
    def open(cls, root: Path, *, create: bool) -> JsonDirStore:
        marker = root / "store.json"
        if not marker.exists():
            if not create:
                raise StoreError(f"{root}: {no_store()}")
            if str(root) in ("", ".") or (root.is_dir() and any(root.iterdir())):
                # Never spread a store's files among someone else's (the current folder
                # for "jsondir://", a folder of rules or documents).
                raise StoreError(f"{root}: {not_empty_folder()}")
            try:
                root.mkdir(parents=True, exist_ok=True)
                (root / "runs").mkdir(exist_ok=True)
                atomic_write(marker, json.dumps({"layout": LAYOUT_VERSION}) + "\n")
            except OSError as exc:
                raise StoreError(f"{root}: cannot create the store: {exc.strerror}") from None
        store = cls(root)
        layout = store._layout()
        if (root / _RESTORING).exists():
            raise StoreError(
                f"{root}: an import of a backup into this store was interrupted; "
                "remove the folder and import the backup again"
            )
        if layout < LAYOUT_VERSION:
            with store._write():
                layout = store._layout()
                if layout < LAYOUT_VERSION:
                    store._upgrade(layout)
        store._tidy()
        return store

    def _layout(self) -> int:
        marker = self.root / "store.json"
        try:
            layout = json.loads(marker.read_text(encoding="utf-8")).get("layout")
        except (OSError, ValueError, AttributeError):
            raise StoreError(f"{marker}: is not a clusterkit store marker") from None
        if not isinstance(layout, int) or isinstance(layout, bool) or layout > LAYOUT_VERSION:
            raise StoreError(
                f"{self.root}: "
                + _(
                    "the store's schema is version {version}, newer than this clusterkit "
                    "understands ({known}); upgrade clusterkit to use it"
                ).format(version=layout, known=LAYOUT_VERSION)
            )
        return layout

    def _upgrade(self, layout: int) -> None:
        """Layout 1 to 2: number the observations in the order they were recorded.
        Layout 2 to 3 changes no file: the dataset file may now embed a schema, and the
        new number keeps a clusterkit that would not read it from misreading it."""
        if layout < 2:
            found = jsonl_log.scan(self.root / LOG, legacy=True)
            lines = [jsonl_log.encode(record) for record in found.observations]
            lines += [d.raw + b"\n" for d in found.damaged]  # kept, reported, repairable
            jsonl_log.replace(self.root / LOG, b"".join(lines))
        atomic_write(self.root / "store.json", json.dumps({"layout": LAYOUT_VERSION}) + "\n")

    def _tidy(self) -> None:
        """Remove temporary files a killed writer left, unless a writer is at work."""
        with suppress(StoreError), self._write(wait=False):
            for folder in (self.root, self.root / "runs"):
                for temp in folder.glob(".*.tmp"):
                    with suppress(OSError):
                        temp.unlink(missing_ok=True)

    def close(self) -> None:
        """Nothing stays open between calls."""

    def _write(self, *, wait: bool = True, required: bool = True) -> AbstractContextManager[None]:
        """Hold the store's write lock, waiting up to the timeout for another writer."""
        return common.file_lock(self.root / ".lock", wait=wait, required=required)

    # -- the dataset file ------------------------------------------------------------
    def _base(self) -> Dataset:
        """The dataset file, read under the schema it embeds."""
        path = self.root / "dataset.json"
        if not path.exists():
            return Dataset(
                DatasetInfo("store", LocalizedText(en=f"clusterkit store {self.root.name}"))
            )
        try:
            document = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
            return dataset_from_document(document, str(path))
        except (OSError, ValueError, RecursionError) as exc:
            raise StoreError(f"{path}: cannot be read: {exc}") from None
        except DiagnosticError as exc:
            raise StoreError(str(exc)) from None

    def _schema(self) -> Schema:
        """The schema the dataset file embeds (the observation log is read under it),
        read again only when the file was replaced."""
        path = self.root / "dataset.json"
        try:
            info = path.stat()
        except FileNotFoundError:
            return DEFAULT_SCHEMA
        except OSError as exc:
            raise StoreError(f"{path}: cannot be read: {exc.strerror}") from None
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        if self._schema_read is None or self._schema_read[0] != stamp:
            self._schema_read = (stamp, self._base().schema)
        return self._schema_read[1]

    def _dump(self, dataset: Dataset) -> str:
        text = dump_dataset(attrs.evolve(dataset, observations=()))
        common.utf8(text, "the dataset")
        return text

    def _write_base(self, text: str) -> None:
        try:
            atomic_write(self.root / "dataset.json", text)
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot be written: {exc.strerror}") from None

    def _save_base(self, dataset: Dataset) -> None:
        self._write_base(self._dump(dataset))

    def import_dataset(self, dataset: Dataset) -> None:
        with self._write():
            current = self._base()
            schema = declared.combine(current.schema, dataset.schema)
            replaced: dict[str, Any] = {
                name: common.merge_by_key(getattr(current, name), getattr(dataset, name))
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
                records=declared.merge_records(
                    current.records, dataset.records, dataset.schema, schema
                ),
                schema=schema,
                **replaced,
            )
            text = self._dump(merged)
            found = self._scan(current.schema)
            # The file is read back before it is written (a folder store reads it at
            # every call anyway): what it would hold must read, references included.
            self._check_base(text)
            if schema != current.schema:
                self._check_log(found, schema)
            reader = Reader(schema, str(self.root))
            for i, observation in enumerate(dataset.observations):
                reader.fits(observation, f"observations[{i}]")
            last = found.highest
            renumbered = common.renumber(dataset.observations, last)
            self._write_base(text)
            recorded = common.now()
            lines = [
                jsonl_log.encode(StoredObservation(number, recorded, observation))
                for number, observation in enumerate(renumbered, start=last + 1)
            ]
            if lines:
                jsonl_log.append(self.root, found, lines)

    def _check_base(self, text: str) -> None:
        """Refuse to write a dataset file that would not read back: what the store kept
        from before no longer fits the schema it would have, or a reference broke."""
        try:
            dataset_from_document(json.loads(text, parse_float=Decimal), "dataset.json")
        except DiagnosticError as exc:
            raise StoreError(
                f"{self.root}: the import is refused: the store's dataset would not read "
                f"back after it:\n{exc}"
            ) from None

    def _check_log(self, found: jsonl_log.Scan, schema: Schema) -> None:
        """Refuse a schema the observations recorded before would not be read under."""
        after = self._scan(schema)
        lost = {r.number for r in found.observations} - {r.number for r in after.observations}
        if lost:
            before = {d.line for d in found.damaged}
            why = next((d.why for d in after.damaged if d.line not in before), "")
            raise StoreError(
                f"{self.root}: the import is refused, observations "
                f"{', '.join(map(str, sorted(lost)))} would not fit the schema the store "
                f"would have ({why})"
            )

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
            Reader(base.schema, str(self.root)).fits(application, f"application {application.id!r}")
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
            Reader(base.schema, str(self.root)).fits(updated, f"application {application_id!r}")
            applications = tuple(
                updated if a.id == application_id else a for a in base.applications
            )
            self._save_base(attrs.evolve(base, applications=applications))
            return updated

    # -- observations ----------------------------------------------------------------
    def _scan(self, schema: Schema | None = None) -> jsonl_log.Scan:
        """The observation log, read under ``schema`` (default: the store's)."""
        return jsonl_log.scan(self.root / LOG, schema=self._schema() if schema is None else schema)

    def observe(self, observation: Observation) -> int:
        common.check_bounds(observation)
        with self._write():
            base = self._base()
            if base.cluster(observation.cluster) is None:
                raise StoreError(
                    _("no cluster {id!r} in the registry").format(id=observation.cluster)
                )
            entries = [(s.cluster, s.indicator, s.unit) for s in base.series]
            entries += [(o.cluster, o.indicator, o.unit) for o in base.obligations]
            common.check_fits(observation, common.known_units(entries, observation.cluster))
            Reader(base.schema, str(self.root)).fits(observation, "the observation")
            found = self._scan(base.schema)
            target = observation.supersedes
            if target is not None:
                records = found.observations
                common.check_correction(
                    observation,
                    next((r.observation for r in records if r.number == target), None),
                    next((r.number for r in records if r.observation.supersedes == target), None),
                )
            number = found.highest + 1
            record = StoredObservation(number, common.now(), observation)
            jsonl_log.append(self.root, found, [jsonl_log.encode(record)])
            return number

    def observation_records(self) -> Sequence[StoredObservation]:
        return self._scan().observations

    def observations(self) -> Sequence[Observation]:
        return common.positions(self.observation_records())

    # -- damage ------------------------------------------------------------------------
    def problems(self) -> list[str]:
        return [
            f"{self.root / LOG}:{d.line}: damaged record skipped ({d.why}); a repair sets it aside"
            for d in self._scan().damaged
        ]

    def repair(self) -> list[str]:
        with self._write():
            found = self._scan()
            moved = jsonl_log.set_aside(self.root, found)
            temps = [t for f in (self.root, self.root / "runs") for t in f.glob(".*.tmp")]
            for temp in temps:
                temp.unlink(missing_ok=True)
        done = [f"{len(found.records)} observations kept in {self.root / LOG}"]
        if moved:
            done.append(f"{moved} damaged lines moved to {self.root / jsonl_log.DAMAGED}")
        if temps:
            done.append(f"{len(temps)} temporary files left by a crash removed")
        return done

    # -- runs --------------------------------------------------------------------------
    def _put_run(self, run: StoredRun) -> None:
        jsondir_runs.put(self.root / "runs", run)

    def _run_ids(self) -> list[int]:
        return jsondir_runs.ids(self.root / "runs")

    def save_run(self, results: ResultSet, document: str) -> int:
        p = results.provenance
        with self._write():
            run_id = max(self._run_ids(), default=0) + 1
            now = common.now()
            self._put_run(StoredRun(run_id, now, p.as_of, p.dataset, p.data_sha256, document))
            return run_id

    def runs(self) -> Sequence[StoredRun]:
        return [jsondir_runs.read(self.root / "runs", n) for n in self._run_ids()]

    def run(self, run_id: int) -> StoredRun | None:
        return jsondir_runs.find(self.root / "runs", run_id)

    # -- backup and restore -----------------------------------------------------------
    def backup(self) -> Backup:
        # No writer may change files while they are read; a read-only copy has none.
        with self._write(required=False):
            base = attrs.evolve(self._base(), observations=())
            return Backup(base, tuple(self.observation_records()), tuple(self.runs()))

    def restore(self, backup: Backup) -> None:
        with self._write():
            found = self._scan()
            held = {
                "dataset.json": (self.root / "dataset.json").exists(),
                "observations": bool(found.records or found.damaged),
                "runs": bool(self._run_ids()),
            }
            if any(held.values()):
                what = ", ".join(name for name, present in held.items() if present)
                raise StoreError(
                    f"{self.root}: the store is not empty (it holds {what}); "
                    "a backup is imported only into an empty store"
                )
            atomic_write(self.root / _RESTORING, "")
            for run in backup.runs:
                self._put_run(run)
            lines = b"".join(jsonl_log.encode(r) for r in backup.observations)
            jsonl_log.replace(self.root / LOG, lines)
            self._save_base(backup.dataset)
            (self.root / _RESTORING).unlink()


@attrs.frozen
class _JsonDirPlugin:
    name: str = "jsondir"
    api_version: int = PLUGIN_API
    description: str = "a directory of JSON files: jsondir://PATH"

    def open(self, location: str, *, create: bool) -> JsonDirStore:
        return JsonDirStore.open(Path(location), create=create)


#: The entry point ``clusterkit.storage: jsondir``.
plugin = _JsonDirPlugin()
