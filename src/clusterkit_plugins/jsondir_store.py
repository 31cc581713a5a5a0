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

Each part has a module: the folder, its marker and its lock
(:mod:`~clusterkit_plugins.jsondir_layout`), the dataset file
(:mod:`~clusterkit_plugins.jsondir_dataset`), the observation log
(:mod:`~clusterkit_plugins.jsonl_log`) and the runs
(:mod:`~clusterkit_plugins.jsondir_runs`); here is the store they make.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import attrs

from clusterkit import ResultSet
from clusterkit.i18n import local as _
from clusterkit.loader import atomic_write
from clusterkit.model import (
    Application,
    Cluster,
    Dataset,
    InvalidFieldsError,
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
)
from clusterkit.schema import Schema
from clusterkit_plugins import common, jsondir_layout, jsondir_runs, jsonl_log
from clusterkit_plugins.declared import Reader
from clusterkit_plugins.jsondir_dataset import DatasetFile, merged
from clusterkit_plugins.jsondir_layout import LAYOUT_VERSION, RESTORING
from clusterkit_plugins.jsonl_log import LOG

__all__ = ["LAYOUT_VERSION", "JsonDirStore", "plugin"]


class JsonDirStore:
    """A store in a directory; see the module's description for the layout."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._file = DatasetFile(root)

    @classmethod
    def open(cls, root: Path, *, create: bool) -> JsonDirStore:
        jsondir_layout.prepare(root, create=create)
        return cls(root)

    def close(self) -> None:
        """Nothing stays open between calls."""

    def _write(self, *, wait: bool = True, required: bool = True) -> AbstractContextManager[None]:
        """Hold the store's write lock, waiting up to the timeout for another writer."""
        return jsondir_layout.lock(self.root, wait=wait, required=required)

    # -- the dataset file ------------------------------------------------------------
    def _base(self) -> Dataset:
        return self._file.read()

    def import_dataset(self, dataset: Dataset) -> None:
        with self._write():
            current = self._base()
            after = merged(current, dataset)
            schema = after.schema
            text = self._file.dump(after)
            found = self._scan(current.schema)
            # The file is read back before it is written (a folder store reads it at
            # every call anyway): what it would hold must read, references included.
            self._file.check(text)
            if schema != current.schema:
                self._check_log(found, schema)
            reader = Reader(schema, str(self.root))
            for i, observation in enumerate(dataset.observations):
                reader.fits(observation, f"observations[{i}]")
            last = found.highest
            renumbered = common.renumber(dataset.observations, last)
            self._file.write(text)
            recorded = common.now()
            lines = [
                jsonl_log.encode(StoredObservation(number, recorded, observation))
                for number, observation in enumerate(renumbered, start=last + 1)
            ]
            if lines:
                jsonl_log.append(self.root, found, lines)

    def _check_log(self, found: jsonl_log.Scan, schema: Schema) -> None:
        """Refuse a schema the observations recorded before would not be read under."""
        after = self._scan(schema)
        lost = {r.number for r in found.observations} - {r.number for r in after.observations}
        if lost:
            before = {d.line for d in found.damaged}
            why = next((d.why for d in after.damaged if d.line not in before), "")
            raise StoreError(
                _(
                    "{path}: the import is refused, observations {numbers} would not fit "
                    "the schema the store would have ({why})"
                ).format(path=self.root, numbers=", ".join(map(str, sorted(lost))), why=why)
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
            self._file.save(attrs.evolve(base, applications=(*base.applications, application)))

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
            self._file.save(attrs.evolve(base, applications=applications))
            return updated

    # -- observations ----------------------------------------------------------------
    def _scan(self, schema: Schema | None = None) -> jsonl_log.Scan:
        """The observation log, read under ``schema`` (default: the store's)."""
        return jsonl_log.scan(
            self.root / LOG, schema=self._file.schema() if schema is None else schema
        )

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
            _("{path}:{line}: damaged record skipped ({why}); a repair sets it aside").format(
                path=self.root / LOG, line=d.line, why=d.why
            )
            for d in self._scan().damaged
        ]

    def repair(self) -> list[str]:
        with self._write():
            found = self._scan()
            moved = jsonl_log.set_aside(self.root, found)
            temps = jsondir_layout.temporary_files(self.root)
            for temp in temps:
                temp.unlink(missing_ok=True)
        done = [
            _("{count} observations kept in {path}").format(
                count=len(found.records), path=self.root / LOG
            )
        ]
        if moved:
            done.append(
                _("{count} damaged lines moved to {path}").format(
                    count=moved, path=self.root / jsonl_log.DAMAGED
                )
            )
        if temps:
            done.append(
                _("{count} temporary files left by a crash removed").format(count=len(temps))
            )
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
                    _(
                        "{path}: the store is not empty (it holds {what}); "
                        "a backup is imported only into an empty store"
                    ).format(path=self.root, what=what)
                )
            atomic_write(self.root / RESTORING, "")
            for run in backup.runs:
                self._put_run(run)
            lines = b"".join(jsonl_log.encode(r) for r in backup.observations)
            jsonl_log.replace(self.root / LOG, lines)
            self._file.save(backup.dataset)
            (self.root / RESTORING).unlink()


@attrs.frozen
class _JsonDirPlugin:
    name: str = "jsondir"
    api_version: int = PLUGIN_API
    description: str = "a directory of JSON files: jsondir://PATH"

    def open(self, location: str, *, create: bool) -> JsonDirStore:
        return JsonDirStore.open(Path(location), create=create)


#: The entry point ``clusterkit.storage: jsondir``.
plugin = _JsonDirPlugin()
