"""Plugins: storage back-ends and reporters, found through entry points.

Two entry-point groups: ``clusterkit.storage`` and ``clusterkit.reporters``. Each
entry point names an object that satisfies :class:`StoragePlugin` or
:class:`ReporterPlugin` and declares the plugin API version it was written for. The
built-in plugins in ``clusterkit_plugins`` register through the same entry points
as a third party would (see ``pyproject.toml`` and docs/plugins.md).

A plugin that fails to load (an import error, a wrong API version, an object of the
wrong shape) is reported by name and does not stop the others from loading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol, runtime_checkable

import attrs

from clusterkit import ResultSet
from clusterkit.i18n import local as _
from clusterkit.model import Application, Cluster, Dataset, Observation, Programme, StatusChange

__all__ = [
    "PLUGIN_API",
    "REPORTERS",
    "STORAGE",
    "Backup",
    "PluginInfo",
    "PluginRegistry",
    "Repairable",
    "ReportContext",
    "ReportError",
    "ReporterPlugin",
    "StoragePlugin",
    "Store",
    "StoreError",
    "StoredObservation",
    "StoredRun",
    "discover",
    "is_binary",
    "no_store",
    "not_empty_folder",
    "open_store",
]

#: The plugin API version this clusterkit offers. A plugin declares the version it
#: was written for in ``api_version``; a plugin for another major version is refused.
PLUGIN_API = 1

STORAGE = "clusterkit.storage"
REPORTERS = "clusterkit.reporters"


def no_store() -> str:
    """What to say when a store does not exist yet, in the user's language."""
    return _("no store here (create one with 'clusterkit registry import DATASET')")


def not_empty_folder() -> str:
    """What to say when a new store would be made in a folder that holds other files."""
    return _("the folder holds other files; a new store needs a new or empty folder")


class StoreError(Exception):
    """A store cannot do what was asked; the message is for the user."""


@attrs.frozen
class StoredRun:
    """An evaluation kept in a store, to be shown again exactly.

    Attributes:
        id: the run's number in the store.
        recorded_at: when it was stored (UTC).
        as_of, dataset, data_sha256: from the provenance.
        document: the results as JSON (schema ``clusterkit.results/1``).
    """

    id: int
    recorded_at: dt.datetime
    as_of: dt.date
    dataset: str
    data_sha256: str
    document: str


@attrs.frozen
class StoredObservation:
    """An observation as a store keeps it.

    Attributes:
        number: its number in the store (1, 2, 3 ... in the order recorded; what
            ``supersedes`` refers to).
        recorded_at: when the store recorded it (UTC); None where it is not known
            (observations of a JSON-folder store from before layout 2).
        observation: the observation, with ``supersedes`` as a store number.
    """

    number: int
    recorded_at: dt.datetime | None
    observation: Observation


@attrs.frozen
class Backup:
    """A whole store, for export and for restoring into an empty store.

    Attributes:
        dataset: the registry, applications, programmes, series and the rest, with
            no observations (they are in ``observations``, numbered).
        observations: every observation record, in order.
        runs: every evaluation run, in order.
    """

    dataset: Dataset
    observations: tuple[StoredObservation, ...] = ()
    runs: tuple[StoredRun, ...] = ()


@runtime_checkable
class Store(Protocol):
    """An open store: the registry, applications, programmes, observations, runs.

    Every write is a transaction: it happens whole or not at all. Observations are
    append-only: a correction is a new observation that names the one it supersedes.
    ``observe`` refuses an observation for an unknown cluster or indicator, in a unit
    that does not fit, out of bounds (see docs/operations.md), or correcting one that
    does not exist or was corrected already.
    """

    def close(self) -> None: ...

    def import_dataset(self, dataset: Dataset) -> None:
        """Add or replace the dataset's registry, applications, programmes and series;
        observations are appended."""

    def dataset(self) -> Dataset:
        """Everything in the store, as a dataset."""

    def clusters(self) -> Sequence[Cluster]: ...

    def cluster(self, cluster_id: str) -> Cluster | None: ...

    def programmes(self) -> Sequence[Programme]: ...

    def applications(self) -> Sequence[Application]: ...

    def add_application(self, application: Application) -> None:
        """Record a new application; its id must be new."""

    def decide(self, application_id: str, change: StatusChange) -> Application:
        """Append a status change to an application's history."""

    def observe(self, observation: Observation) -> int:
        """Check and append an observation; returns its number."""

    def observations(self) -> Sequence[Observation]:
        """Every observation in order, ``supersedes`` counting positions in this list."""

    def save_run(self, results: ResultSet, document: str) -> int:
        """Keep an evaluation's results and provenance; returns the run's number."""

    def runs(self) -> Sequence[StoredRun]: ...

    def run(self, run_id: int) -> StoredRun | None: ...

    def observation_records(self) -> Sequence[StoredObservation]:
        """Every observation with its number and recording time, in order."""

    def backup(self) -> Backup:
        """Everything in the store, read as one consistent snapshot."""

    def restore(self, backup: Backup) -> None:
        """Fill an empty store from a backup, keeping every number, id, time and
        document; a store that holds anything is refused with :class:`StoreError`."""


@runtime_checkable
class Repairable(Protocol):
    """A store that can find and set aside damaged records (the JSON folder)."""

    def problems(self) -> list[str]:
        """What is damaged, one message each; empty when the store is sound."""

    def repair(self) -> list[str]:
        """Set damaged records aside (nothing is deleted); what was done, one line each."""


@runtime_checkable
class StoragePlugin(Protocol):
    """What a ``clusterkit.storage`` entry point names.

    Attributes:
        name: the URL scheme it serves (``sqlite``, ``jsondir``).
        api_version: the plugin API it was written for (:data:`PLUGIN_API`).
        description: one line for ``clusterkit plugins``.
    """

    name: str
    api_version: int
    description: str

    def open(self, location: str, *, create: bool) -> Store:
        """Open the store at ``location`` (the URL without its scheme)."""


@attrs.frozen
class ReportContext:
    """What a reporter gets: the dataset, the results (if rules were run), the language.

    Attributes:
        dataset: the data reported on.
        results: check results, or None for a report of the data alone.
        lang: ``en``, ``ru`` or ``kk``.
        colour: whether the output may use terminal colours.
        as_of: the date members are counted and exchange rates taken on; the results'
            date when rules were run, else this, else the dataset's date.
    """

    dataset: Dataset
    results: ResultSet | None
    lang: str = "en"
    colour: bool = False
    as_of: dt.date | None = None

    @property
    def day(self) -> dt.date | None:
        """The report's date: the results' date, else ``as_of``, else the dataset's."""
        if self.results is not None:
            return self.results.provenance.as_of
        return self.as_of or self.dataset.info.published


class ReportError(Exception):
    """A reporter cannot make the report (a library it needs is missing, ...); the
    message is for the user."""


@runtime_checkable
class ReporterPlugin(Protocol):
    """What a ``clusterkit.reporters`` entry point names.

    Attributes:
        name: the format name (``html``, ``csv``).
        api_version: the plugin API it was written for.
        description: one line for ``clusterkit plugins``.
        suffix: the usual file suffix of its output (``.html``).

    A reporter whose output is not text (a spreadsheet, a PDF) also sets ``binary =
    True`` and returns bytes from :meth:`render`; without the attribute a reporter is
    a text one (see :func:`is_binary`). It is optional, so that reporters written
    before it still load.
    """

    name: str
    api_version: int
    description: str
    suffix: str

    def render(self, context: ReportContext) -> str | bytes:
        """The report: text, or bytes for a reporter with ``binary = True``. Raise
        :class:`ReportError` for a problem the user can fix."""


def is_binary(reporter: object) -> bool:
    """Whether a reporter's output is bytes (``binary = True``) rather than text."""
    return getattr(reporter, "binary", False) is True


@attrs.frozen
class PluginInfo:
    """One entry point, loaded or not.

    Attributes:
        group, name: where it is registered.
        target: the ``module:object`` it names.
        distribution: the package that registers it, with its version.
        plugin: the loaded object; None if it failed.
        error: why it failed to load.
    """

    group: str
    name: str
    target: str
    distribution: str
    plugin: Any = None
    error: str | None = None


def _check(group: str, obj: Any) -> str | None:
    protocol: type = StoragePlugin if group == STORAGE else ReporterPlugin
    if not isinstance(obj, protocol):
        return f"it is not a {protocol.__name__} (see docs/plugins.md)"
    version = getattr(obj, "api_version", None)
    if version != PLUGIN_API:
        return f"it was written for plugin API {version}, this clusterkit offers {PLUGIN_API}"
    return None


def _load(group: str, point: EntryPoint) -> PluginInfo:
    dist = point.dist
    distribution = f"{dist.name} {dist.version}" if dist is not None else "?"
    try:
        obj = point.load()
    except Exception as exc:
        return PluginInfo(
            group,
            point.name,
            point.value,
            distribution,
            error=f"failed to load: {type(exc).__name__}: {exc}",
        )
    problem = _check(group, obj)
    if problem is not None:
        return PluginInfo(group, point.name, point.value, distribution, error=problem)
    return PluginInfo(group, point.name, point.value, distribution, plugin=obj)


@attrs.frozen
class PluginRegistry:
    """The plugins found, by group and name; failures kept for reporting."""

    infos: tuple[PluginInfo, ...]

    def get(self, group: str, name: str) -> Any:
        """The loaded plugin; raises :class:`StoreError` naming what is available."""
        for info in self.infos:
            if info.group == group and info.name == name:
                if info.plugin is None:
                    raise StoreError(
                        _("plugin {name!r} ({group}) could not be loaded: {error}").format(
                            name=name, group=group, error=info.error
                        )
                    )
                return info.plugin
        available = ", ".join(sorted(self.names(group))) or "none"
        message = (
            _("no storage back-end named {name!r} (available: {available})")
            if group == STORAGE
            else _("no reporter named {name!r} (available: {available})")
        )
        raise StoreError(message.format(name=name, available=available))

    def names(self, group: str) -> list[str]:
        return [i.name for i in self.infos if i.group == group and i.plugin is not None]

    def failures(self) -> list[PluginInfo]:
        return [i for i in self.infos if i.error is not None]


def discover(groups: Iterable[str] = (STORAGE, REPORTERS)) -> PluginRegistry:
    """Load every plugin registered in ``groups``; failures are kept, not raised."""
    infos = []
    for group in groups:
        seen: set[str] = set()
        for point in sorted(entry_points(group=group), key=lambda p: p.name):
            if point.name in seen:
                continue  # the same distribution seen twice on sys.path
            seen.add(point.name)
            infos.append(_load(group, point))
    return PluginRegistry(tuple(infos))


def open_store(url: str, *, create: bool = False, registry: PluginRegistry | None = None) -> Store:
    """Open a store by URL: ``sqlite:///path/to/file.sqlite3``, ``jsondir:///path``.

    A plain path is a SQLite file.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "sqlite", url
    plugin: StoragePlugin = (registry or discover([STORAGE])).get(STORAGE, scheme)
    try:
        store: Store = plugin.open(rest, create=create)
    except OSError as exc:
        # A path the system refuses whatever the back-end (a name too long, a loop of
        # links) is the user's to fix, not a bug.
        reason = exc.strerror or type(exc).__name__
        message = _("the store cannot be opened ({reason})").format(reason=reason)
        raise StoreError(f"{rest or url}: {message}") from None
    return store
