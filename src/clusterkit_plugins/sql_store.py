"""The store both SQL back-ends share: every query written once, in portable SQL.

Entities are kept as JSON documents written by clusterkit's one cattrs converter, in
tables keyed by id, with the columns a query needs beside them. Observations and
evaluation runs are append-only (the schema refuses updates and deletes), and their
numbers are given by the store under its write lock, so they run 1, 2, 3 ... with no
gaps and a backup restores them unchanged.

A back-end supplies the connection (:class:`~clusterkit_plugins.sql_base.SqlBase`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import attrs

from clusterkit import ResultSet
from clusterkit.i18n import local as _
from clusterkit.model import (
    Application,
    Cluster,
    CounterObligation,
    Dataset,
    DatasetInfo,
    IndicatorSeries,
    InvalidFieldsError,
    LocalizedText,
    Observation,
    Programme,
    Region,
    Sector,
    StatedFigure,
    StatusChange,
    SupportBenchmark,
)
from clusterkit.money import ExchangeRate
from clusterkit.plugins import Backup, StoredObservation, StoredRun, StoreError
from clusterkit.serde import unstructure
from clusterkit.units import Unit, UnitError, parse_unit
from clusterkit_plugins import common
from clusterkit_plugins.sql_base import Row, SqlBase
from clusterkit_plugins.sql_schema import DATA_TABLES, upsert

__all__ = ["SqlStore"]


def _dump(value: object) -> str:
    return json.dumps(unstructure(value), ensure_ascii=False, sort_keys=True)


class SqlStore(SqlBase):
    """A store in a SQL database; see the module's description."""

    # -- registry -----------------------------------------------------------------------
    def _put_dataset(self, dataset: Dataset) -> None:
        keyed: dict[str, list[tuple[str, ...]]] = {
            "meta": [("info", _dump(dataset.info))],
            "regions": [(r.code, _dump(r)) for r in dataset.regions],
            "sectors": [(s.code, _dump(s)) for s in dataset.sectors],
            "programmes": [(p.id, p.cluster, _dump(p)) for p in dataset.programmes],
            "series": [(s.cluster, s.indicator, _dump(s)) for s in dataset.series],
            "obligations": [(o.id, _dump(o)) for o in dataset.obligations],
            "figures": [(f.id, _dump(f)) for f in dataset.figures],
        }
        for table, rows in keyed.items():
            if rows:
                self._run_many(upsert(table), rows)
        for cluster in dataset.clusters:
            self._put_cluster(cluster)
        for application in dataset.applications:
            self._put_application(application)
        self._run("DELETE FROM benchmarks")
        for benchmark in dataset.benchmarks:
            self._run("INSERT INTO benchmarks (doc) VALUES (?)", (_dump(benchmark),))
        self._run("DELETE FROM rates")
        for rate in dataset.rates:
            self._run("INSERT INTO rates (doc) VALUES (?)", (_dump(rate),))

    def import_dataset(self, dataset: Dataset) -> None:
        with self._transaction(write=True):
            self._put_dataset(dataset)
            last = self._last("seq", "observations")
            recorded = common.now()
            for number, observation in enumerate(
                common.renumber(dataset.observations, last), start=last + 1
            ):
                self._append(number, recorded, observation)

    def _put_cluster(self, cluster: Cluster) -> None:
        self._run(upsert("clusters"), (cluster.id, cluster.registry_status.value, _dump(cluster)))
        self._run("DELETE FROM participants WHERE cluster_id = ?", (cluster.id,))
        rows = [(cluster.id, p.id, p.bin, p.role) for p in cluster.participants]
        if rows:
            self._run_many(
                "INSERT INTO participants (cluster_id, id, bin, role) VALUES (?, ?, ?, ?)", rows
            )

    def _put_application(self, application: Application) -> None:
        row = (application.id, application.cluster, application.status.value, _dump(application))
        self._run(upsert("applications"), row)

    def info(self) -> DatasetInfo:
        rows = self._read("SELECT doc FROM meta WHERE key = 'info'")
        if not rows:
            return DatasetInfo("store", LocalizedText(en=f"clusterkit store {self.where}"))
        return self._load(rows[0][0], DatasetInfo)

    def _registry(self) -> Dataset:
        """Everything but the observations."""
        return Dataset(
            self.info(),
            regions=tuple(self._docs("SELECT doc FROM regions ORDER BY rowid", Region)),
            sectors=tuple(self._docs("SELECT doc FROM sectors ORDER BY rowid", Sector)),
            clusters=tuple(self.clusters()),
            applications=tuple(self.applications()),
            programmes=tuple(self.programmes()),
            series=tuple(self._docs("SELECT doc FROM series ORDER BY rowid", IndicatorSeries)),
            obligations=tuple(
                self._docs("SELECT doc FROM obligations ORDER BY rowid", CounterObligation)
            ),
            rates=tuple(self._docs("SELECT doc FROM rates ORDER BY seq", ExchangeRate)),
            figures=tuple(self._docs("SELECT doc FROM figures ORDER BY rowid", StatedFigure)),
            benchmarks=tuple(
                self._docs("SELECT doc FROM benchmarks ORDER BY seq", SupportBenchmark)
            ),
        )

    def dataset(self) -> Dataset:
        with self._transaction(write=False):
            return attrs.evolve(self._registry(), observations=tuple(self.observations()))

    def clusters(self) -> Sequence[Cluster]:
        return self._docs("SELECT doc FROM clusters ORDER BY rowid", Cluster)

    def cluster(self, cluster_id: str) -> Cluster | None:
        found = self._docs("SELECT doc FROM clusters WHERE id = ?", Cluster, cluster_id)
        return found[0] if found else None

    def programmes(self) -> Sequence[Programme]:
        return self._docs("SELECT doc FROM programmes ORDER BY rowid", Programme)

    def applications(self) -> Sequence[Application]:
        return self._docs("SELECT doc FROM applications ORDER BY rowid", Application)

    def _has_cluster(self, cluster_id: str) -> bool:
        return bool(self._run("SELECT 1 FROM clusters WHERE id = ?", (cluster_id,)))

    def add_application(self, application: Application) -> None:
        with self._transaction(write=True):
            if self._run("SELECT 1 FROM applications WHERE id = ?", (application.id,)):
                raise StoreError(
                    _("an application {id!r} is already recorded").format(id=application.id)
                )
            if not self._has_cluster(application.cluster):
                raise StoreError(
                    _("no cluster {id!r} in the registry").format(id=application.cluster)
                )
            self._put_application(application)

    def decide(self, application_id: str, change: StatusChange) -> Application:
        with self._transaction(write=True):
            rows = self._run("SELECT doc FROM applications WHERE id = ?", (application_id,))
            if not rows:
                raise StoreError(_("no application {id!r}").format(id=application_id))
            current = self._load(rows[0][0], Application)
            try:
                updated = attrs.evolve(current, history=(*current.history, change))
            except InvalidFieldsError as exc:
                raise StoreError("; ".join(e.message for e in exc.errors)) from None
            self._put_application(updated)
            return updated

    # -- observations -------------------------------------------------------------------
    def _last(self, column: str, table: str) -> int:
        (value,) = self._run(f"SELECT max({column}) FROM {table}")[0]
        return int(value or 0)

    def _append(self, number: int, recorded: dt.datetime | None, observation: Observation) -> None:
        self._run(
            "INSERT INTO observations "
            "(seq, cluster_id, indicator, year, recorded_at, doc, supersedes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                number,
                observation.cluster,
                observation.indicator,
                observation.year,
                "" if recorded is None else recorded.isoformat(),
                _dump(observation),
                observation.supersedes,
            ),
        )

    def _known_units(self, cluster_id: str) -> dict[str, Unit]:
        """The cluster's indicators and their units: series first, then obligations."""
        series = self._run(
            "SELECT doc FROM series WHERE cluster_id = ? ORDER BY rowid", (cluster_id,)
        )
        obligations = self._run("SELECT doc FROM obligations ORDER BY rowid")
        entries = []
        for (doc,) in (*series, *obligations):
            try:
                data = json.loads(doc)
                entries.append((data["cluster"], data["indicator"], parse_unit(data["unit"])))
            except (ValueError, KeyError, TypeError, AttributeError, UnitError):
                continue  # not this store's to judge here: reading it reports the damage
        return common.known_units(entries, cluster_id)

    def observe(self, observation: Observation) -> int:
        common.check_bounds(observation)
        with self._transaction(write=True):
            if not self._has_cluster(observation.cluster):
                raise StoreError(
                    _("no cluster {id!r} in the registry").format(id=observation.cluster)
                )
            common.check_fits(observation, self._known_units(observation.cluster))
            target = observation.supersedes
            if target is not None:
                rows = self._run("SELECT doc FROM observations WHERE seq = ?", (target,))
                by = self._run("SELECT seq FROM observations WHERE supersedes = ?", (target,))
                common.check_correction(
                    observation,
                    self._load(rows[0][0], Observation) if rows else None,
                    int(by[0][0]) if by else None,
                )
            number = self._last("seq", "observations") + 1
            self._append(number, common.now(), observation)
            return number

    def observation_records(self) -> Sequence[StoredObservation]:
        rows = self._read("SELECT seq, recorded_at, doc FROM observations ORDER BY seq")
        return [
            StoredObservation(
                int(seq),
                dt.datetime.fromisoformat(recorded) if recorded else None,
                self._load(doc, Observation),
            )
            for seq, recorded, doc in rows
        ]

    def observations(self) -> Sequence[Observation]:
        return common.positions(self.observation_records())

    # -- evaluation runs --------------------------------------------------------------
    def _insert_run(self, run: StoredRun, rows: Sequence[tuple[str, str, str, str]]) -> None:
        self._run(
            "INSERT INTO runs (id, recorded_at, as_of, dataset, data_sha256, document) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                run.id,
                run.recorded_at.isoformat(),
                run.as_of.isoformat(),
                run.dataset,
                run.data_sha256,
                run.document,
            ),
        )
        if rows:
            self._run_many(
                "INSERT INTO run_results (run_id, rulebook, rule, entity, outcome) "
                "VALUES (?, ?, ?, ?, ?)",
                [(run.id, *row) for row in rows],
            )

    def save_run(self, results: ResultSet, document: str) -> int:
        p = results.provenance
        rows = [(r.rulebook, r.rule, r.entity, r.outcome.value) for r in results.results]
        with self._transaction(write=True):
            run_id = self._last("id", "runs") + 1
            stored = StoredRun(run_id, common.now(), p.as_of, p.dataset, p.data_sha256, document)
            self._insert_run(stored, rows)
            return run_id

    def runs(self) -> Sequence[StoredRun]:
        rows = self._read(
            "SELECT id, recorded_at, as_of, dataset, data_sha256, document FROM runs ORDER BY id"
        )
        return [_run(row) for row in rows]

    def run(self, run_id: int) -> StoredRun | None:
        if not 0 < run_id <= common.MAX_NUMBER:  # beyond what a column holds: none
            return None
        rows = self._read(
            "SELECT id, recorded_at, as_of, dataset, data_sha256, document FROM runs WHERE id = ?",
            run_id,
        )
        return _run(rows[0]) if rows else None

    # -- backup and restore -----------------------------------------------------------
    def backup(self) -> Backup:
        with self._transaction(write=False):
            return Backup(self._registry(), tuple(self.observation_records()), tuple(self.runs()))

    def restore(self, backup: Backup) -> None:
        with self._transaction(write=True):
            held = {
                table: n
                for table in DATA_TABLES
                if (n := int(self._run(f"SELECT count(*) FROM {table}")[0][0]))
            }
            if held:
                counts = ", ".join(f"{table}: {n}" for table, n in held.items())
                raise StoreError(
                    f"{self.where}: the store is not empty ({counts}); "
                    "a backup is imported only into an empty store"
                )
            self._put_dataset(backup.dataset)
            for record in backup.observations:
                self._append(record.number, record.recorded_at, record.observation)
            for run in backup.runs:
                self._insert_run(run, _verdicts(run.document))


def _verdicts(document: str) -> list[tuple[str, str, str, str]]:
    """The per-verdict index rows of a stored results document, as far as it has them."""
    try:
        results = json.loads(document).get("results", [])
        return [
            (str(r["rulebook"]), str(r["rule"]), str(r["entity"]), str(r["outcome"]))
            for r in results
        ]
    except (ValueError, AttributeError, TypeError, KeyError):
        return []


def _run(row: Row) -> StoredRun:
    run_id, recorded_at, as_of, dataset, digest, document = row
    return StoredRun(
        int(run_id),
        dt.datetime.fromisoformat(recorded_at),
        dt.date.fromisoformat(as_of),
        dataset,
        digest,
        document,
    )
