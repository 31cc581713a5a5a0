"""The store both SQL back-ends share: every query written once, in portable SQL.

Entities are kept as JSON documents written by clusterkit's one cattrs converter, in
tables keyed by id, with the columns a query needs beside them; the records of the
kinds a dataset's schema declares are in ``records``, and the schema itself in the
``meta`` row ``schema`` (see :mod:`clusterkit_plugins.declared`), and every document is
read back under that schema. Observations and
evaluation runs are append-only (the schema refuses updates and deletes), and their
numbers are given by the store under its write lock, so they run 1, 2, 3 ... with no
gaps and a backup restores them unchanged.

A back-end supplies the connection (:class:`~clusterkit_plugins.sql_base.SqlBase`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, TypeVar

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
    Records,
    Region,
    Sector,
    StatedFigure,
    StatusChange,
    SupportBenchmark,
)
from clusterkit.money import ExchangeRate
from clusterkit.plugins import Backup, StoredObservation, StoredRun, StoreError
from clusterkit.schema import Schema
from clusterkit.serde import unstructure
from clusterkit.units import Unit, UnitError, parse_unit
from clusterkit_plugins import common, declared
from clusterkit_plugins.declared import Reader
from clusterkit_plugins.sql_base import Row, SqlBase
from clusterkit_plugins.sql_schema import DATA_TABLES, upsert

__all__ = ["SqlStore"]

T = TypeVar("T")


def _dump(value: object) -> str:
    return json.dumps(unstructure(value), ensure_ascii=False, sort_keys=True)


class SqlStore(SqlBase):
    """A store in a SQL database; see the module's description."""

    #: The stored schema last read, with its text: read again only when it changed.
    _schema_read: tuple[str | None, Schema] | None = None

    # -- the schema -------------------------------------------------------------------
    def _schema(self) -> Schema:
        rows = self._run("SELECT doc FROM meta WHERE key = 'schema'")
        text: str | None = rows[0][0] if rows else None
        if self._schema_read is None or self._schema_read[0] != text:
            self._schema_read = (text, declared.load_schema(text, self.where))
        return self._schema_read[1]

    def _reader(self) -> Reader:
        return Reader(self._schema(), self.where)

    def _entities(self, sql: str, cls: type[T], *params: object) -> list[T]:
        """The stored documents a query selects, read under the store's schema."""
        with self._transaction(write=False):
            reader = self._reader()
            return [reader.entity(doc, cls) for (doc,) in self._run(sql, params or None)]

    # -- registry -----------------------------------------------------------------------
    def _put_dataset(self, dataset: Dataset) -> None:
        keyed: dict[str, list[tuple[str, ...]]] = {
            "meta": [
                ("info", _dump(dataset.info)),
                ("schema", declared.dump_schema(dataset.schema)),
            ],
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
        self._run("DELETE FROM records")
        records = [
            (collection, record.id, _dump(record))
            for collection, items in dataset.records.items()
            for record in items
        ]
        if records:
            self._run_many("INSERT INTO records (collection, id, doc) VALUES (?, ?, ?)", records)

    def import_dataset(self, dataset: Dataset) -> None:
        with self._transaction(write=True):
            stored = self._schema()
            schema = declared.combine(stored, dataset.schema)
            reader = Reader(schema, self.where)
            if schema == stored:
                reader.dataset_fits(dataset)
            records = declared.merge_records(
                self._records(Reader(stored, self.where)), dataset.records, dataset.schema, schema
            )
            self._put_dataset(attrs.evolve(dataset, schema=schema, records=records))
            last = self._last("seq", "observations")
            recorded = common.now()
            for number, observation in enumerate(
                common.renumber(dataset.observations, last), start=last + 1
            ):
                self._append(number, recorded, observation)
            if schema != stored:
                # What the store kept from before must read under the schema it has
                # now; if not, the transaction is undone and the store is as it was.
                self._registry()
                self.observation_records()

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

    def _records(self, reader: Reader) -> Records:
        rows = self._run("SELECT collection, doc FROM records ORDER BY seq")
        found: dict[str, list[Any]] = {}
        for collection, doc in rows:
            found.setdefault(collection, []).append(reader.record(collection, doc))
        return declared.records_of({c: tuple(r) for c, r in found.items()}, reader.schema)

    def _registry(self) -> Dataset:
        """Everything but the observations, read under the store's schema."""
        with self._transaction(write=False):
            reader = self._reader()

            def docs(sql: str, cls: type[T]) -> tuple[T, ...]:
                return tuple(reader.entity(doc, cls) for (doc,) in self._run(sql))

            return Dataset(
                self.info(),
                regions=docs("SELECT doc FROM regions ORDER BY rowid", Region),
                sectors=docs("SELECT doc FROM sectors ORDER BY rowid", Sector),
                clusters=docs("SELECT doc FROM clusters ORDER BY rowid", Cluster),
                applications=docs("SELECT doc FROM applications ORDER BY rowid", Application),
                programmes=docs("SELECT doc FROM programmes ORDER BY rowid", Programme),
                series=docs("SELECT doc FROM series ORDER BY rowid", IndicatorSeries),
                obligations=docs("SELECT doc FROM obligations ORDER BY rowid", CounterObligation),
                rates=docs("SELECT doc FROM rates ORDER BY seq", ExchangeRate),
                figures=docs("SELECT doc FROM figures ORDER BY rowid", StatedFigure),
                benchmarks=docs("SELECT doc FROM benchmarks ORDER BY seq", SupportBenchmark),
                records=self._records(reader),
                schema=reader.schema,
            )

    def dataset(self) -> Dataset:
        with self._transaction(write=False):
            return attrs.evolve(self._registry(), observations=tuple(self.observations()))

    def clusters(self) -> Sequence[Cluster]:
        return self._entities("SELECT doc FROM clusters ORDER BY rowid", Cluster)

    def cluster(self, cluster_id: str) -> Cluster | None:
        found = self._entities("SELECT doc FROM clusters WHERE id = ?", Cluster, cluster_id)
        return found[0] if found else None

    def programmes(self) -> Sequence[Programme]:
        return self._entities("SELECT doc FROM programmes ORDER BY rowid", Programme)

    def applications(self) -> Sequence[Application]:
        return self._entities("SELECT doc FROM applications ORDER BY rowid", Application)

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
            self._reader().fits(application, f"application {application.id!r}")
            self._put_application(application)

    def decide(self, application_id: str, change: StatusChange) -> Application:
        with self._transaction(write=True):
            rows = self._run("SELECT doc FROM applications WHERE id = ?", (application_id,))
            if not rows:
                raise StoreError(_("no application {id!r}").format(id=application_id))
            reader = self._reader()
            current = reader.entity(rows[0][0], Application)
            try:
                updated = attrs.evolve(current, history=(*current.history, change))
            except InvalidFieldsError as exc:
                raise StoreError("; ".join(e.message for e in exc.errors)) from None
            reader.fits(updated, f"application {application_id!r}")
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
            reader = self._reader()
            reader.fits(observation, "the observation")
            target = observation.supersedes
            if target is not None:
                rows = self._run("SELECT doc FROM observations WHERE seq = ?", (target,))
                by = self._run("SELECT seq FROM observations WHERE supersedes = ?", (target,))
                common.check_correction(
                    observation,
                    reader.entity(rows[0][0], Observation) if rows else None,
                    int(by[0][0]) if by else None,
                )
            number = self._last("seq", "observations") + 1
            self._append(number, common.now(), observation)
            return number

    def observation_records(self) -> Sequence[StoredObservation]:
        with self._transaction(write=False):
            reader = self._reader()
            rows = self._run("SELECT seq, recorded_at, doc FROM observations ORDER BY seq")
            return [
                StoredObservation(
                    int(seq),
                    dt.datetime.fromisoformat(recorded) if recorded else None,
                    reader.entity(doc, Observation),
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
                    _(
                        "{where}: the store is not empty ({counts}); "
                        "a backup is imported only into an empty store"
                    ).format(where=self.where, counts=counts)
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
