"""What every built-in store checks and computes the same way.

The checks an observation passes before it is appended (bounds, a known indicator, a
fitting unit, a valid correction) live here so that the SQLite, PostgreSQL and
JSON-folder stores refuse exactly the same things with exactly the same words; so do
the writers' timeout, the lock on a file, and how observations are numbered.
"""

from __future__ import annotations

import datetime as dt
import difflib
import fcntl
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from clusterkit.i18n import local as _
from clusterkit.model import Observation
from clusterkit.plugins import StoredObservation, StoreError
from clusterkit.units import Unit

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MAX_DIGITS_AFTER_POINT",
    "MAX_DIGITS_BEFORE_POINT",
    "YEARS",
    "check_bounds",
    "check_correction",
    "check_fits",
    "file_lock",
    "known_units",
    "merge_by_key",
    "now",
    "positions",
    "renumber",
    "timeout_ms",
    "utf8",
]

#: How long a writer waits for another writer before giving up; the environment
#: variable ``CLUSTERKIT_STORE_TIMEOUT_MS`` overrides it.
BUSY_TIMEOUT_MS = 5000

#: The years an observation may be for.
YEARS = range(1900, 2101)

#: Bounds of an observed value: at most this many digits before and after the
#: decimal point, so that every later computation and report stays small.
MAX_DIGITS_BEFORE_POINT = 30
MAX_DIGITS_AFTER_POINT = 30

#: No store numbers past this (a 64-bit integer column holds it everywhere).
MAX_NUMBER = 2**62


def timeout_ms() -> int:
    """The writers' wait in milliseconds, at most a day whatever the variable says."""
    raw = os.environ.get("CLUSTERKIT_STORE_TIMEOUT_MS", "").strip()
    return min(int(raw), 86_400_000) if raw.isascii() and raw.isdigit() else BUSY_TIMEOUT_MS


@contextmanager
def file_lock(path: Path, *, wait: bool = True, required: bool = True) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` for the block, waiting up to the store
    timeout for another holder; without ``required``, a lock file that cannot be
    created (a read-only copy, which no one writes) is not needed."""
    try:
        handle = open(path, "a")  # noqa: SIM115 - held for the block
    except OSError as exc:
        if not required:
            yield
            return
        raise StoreError(
            _("{path}: cannot be written: {error}").format(path=path.parent, error=exc.strerror)
        ) from None
    try:
        deadline = time.monotonic() + (timeout_ms() / 1000 if wait else 0)
        pause = 0.001
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    locked = _(
                        "the store is locked by another writer; try again when it has finished"
                    )
                    raise StoreError(f"{path.parent}: {locked}") from None
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.05)
        yield
    finally:
        handle.close()


def now() -> dt.datetime:
    """The recording time of a write: UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _short(value: object, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else f"{text[:20]}…{text[-10:]}"


def utf8(text: str, what: str) -> None:
    """Refuse text no file or database can hold (bytes that were not UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise StoreError(
            _("{what}: text that is not valid UTF-8 cannot be stored").format(what=what)
        ) from None


def check_bounds(observation: Observation) -> None:
    """Refuse a year or value beyond the documented bounds, before anything is stored."""
    if observation.year not in YEARS:
        raise StoreError(
            _("year {year} is out of bounds ({first}–{last} are accepted)").format(
                year=_short(observation.year), first=YEARS.start, last=YEARS.stop - 1
            )
        )
    for name in ("cluster", "indicator", "reported_by", "note", "reason"):
        utf8(getattr(observation, name), name)
    if observation.supersedes is not None and observation.supersedes > MAX_NUMBER:
        raise StoreError(
            _("no observation {number} to correct").format(number=_short(observation.supersedes))
        )
    value = observation.value
    exponent = value.as_tuple().exponent
    if (
        not value.is_finite()
        or not isinstance(exponent, int)
        or (value != 0 and value.adjusted() >= MAX_DIGITS_BEFORE_POINT)
        or exponent < -MAX_DIGITS_AFTER_POINT
    ):
        raise StoreError(
            _(
                "value {value} is out of bounds (at most {before} digits before the "
                "decimal point and {after} after it)"
            ).format(
                value=_short(value), before=MAX_DIGITS_BEFORE_POINT, after=MAX_DIGITS_AFTER_POINT
            )
        )


def _dimension(unit: Unit) -> object:
    # Imported here: only writers need the checker's units.
    from clusterkit.lang.types.units import UnitError, data_unit  # noqa: PLC0415

    try:
        return data_unit(unit)[1]
    except UnitError as exc:
        raise StoreError(_("unit {unit}: {error}").format(unit=unit, error=exc)) from None


def known_units(entries: Iterable[tuple[str, str, Unit]], cluster_id: str) -> dict[str, Unit]:
    """A cluster's indicators and their units from (cluster, indicator, unit) entries;
    the first entry of an indicator wins (series come before obligations)."""
    known: dict[str, Unit] = {}
    for cluster, indicator, unit in entries:
        if cluster == cluster_id:
            known.setdefault(indicator, unit)
    return known


def check_fits(observation: Observation, known: Mapping[str, Unit]) -> None:
    """Refuse an indicator the cluster has no series or obligation for, or a unit
    whose dimension differs from the one the indicator is stated in.

    ``known`` maps the cluster's indicators to their units (series first).
    """
    cluster, name = observation.cluster, observation.indicator
    unit = known.get(name)
    if unit is None:
        message = _("no indicator {name!r} for cluster {cluster!r} in the store").format(
            name=name, cluster=cluster
        )
        close = difflib.get_close_matches(name, list(known), n=1)
        if close:
            message += _("; did you mean {name!r}?").format(name=close[0])
        elif known:
            message += _(" (it has: {names})").format(names=", ".join(sorted(known)))
        else:
            message += _(" (it has no indicator series or obligations yet)")
        raise StoreError(message)
    if _dimension(observation.unit) != _dimension(unit):
        raise StoreError(
            _(
                "unit {unit!r} does not fit indicator {name!r} of {cluster!r}, "
                "which is stated in {stated}"
            ).format(unit=str(observation.unit), name=name, cluster=cluster, stated=unit)
        )


def check_correction(
    observation: Observation, corrected: Observation | None, corrected_by: int | None
) -> None:
    """Refuse a correction of an observation that does not exist, was corrected
    already, or was reported after the correction."""
    number = observation.supersedes
    if number is None:
        return
    if corrected is None:
        raise StoreError(_("no observation {number} to correct").format(number=number))
    if corrected_by is not None:
        raise StoreError(
            _(
                "observation {number} was corrected already by observation {by}; "
                "correct that one instead"
            ).format(number=number, by=corrected_by)
        )
    if observation.reported_on < corrected.reported_on:
        raise StoreError(
            _(
                "a correction cannot be reported before what it corrects "
                "(observation {number} was reported on {date})"
            ).format(number=number, date=corrected.reported_on.isoformat())
        )


def renumber(observations: Sequence[Observation], last: int) -> list[Observation]:
    """A dataset's observations as the store will number them after ``last``.

    In a dataset ``supersedes`` counts positions in its own list; appended after
    observation ``last`` of a store, position ``k`` becomes number ``last + k``.
    """
    out = []
    for position, observation in enumerate(observations, start=1):
        check_bounds(observation)
        target = observation.supersedes
        if target is None:
            out.append(observation)
            continue
        if target >= position:
            raise StoreError(
                _(
                    "observation {position} of the dataset supersedes {target}, "
                    "which does not come before it"
                ).format(position=position, target=target)
            )
        out.append(attrs.evolve(observation, supersedes=last + target))
    return out


def positions(records: Iterable[StoredObservation]) -> list[Observation]:
    """Observations as a dataset holds them: ``supersedes`` as positions in the list.

    A store's numbers are positions unless records were set aside as damaged; a
    correction of a record that is no longer there stands as a plain observation.
    """
    listed = list(records)
    where = {r.number: i for i, r in enumerate(listed, start=1)}
    out = []
    for record in listed:
        observation = record.observation
        target = observation.supersedes
        if target is not None and where.get(target) != target:
            if target in where:
                observation = attrs.evolve(observation, supersedes=where[target])
            else:
                observation = attrs.evolve(observation, supersedes=None)
        out.append(observation)
    return out


def merge_by_key(old: tuple[Any, ...], new: tuple[Any, ...]) -> tuple[Any, ...]:
    """Items of ``new`` replace those of ``old`` with the same key; others are kept."""

    def key(item: Any) -> object:
        for name in ("id", "code"):
            if hasattr(item, name):
                return getattr(item, name)
        return (getattr(item, "cluster", None), getattr(item, "indicator", None))

    replaced = {key(item) for item in new}
    return tuple(item for item in old if key(item) not in replaced) + new
