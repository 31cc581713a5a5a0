"""The JSON-folder store's observation log, ``observations.jsonl``: one record a line.

Each line is an observation's JSON with two more keys, ``seq`` (its number) and
``recorded_at``. A line is complete only with its newline: a writer killed mid-line
leaves a fragment that readers ignore and the next writer sets aside before it
appends, so two records are never glued together. A complete line that cannot be
read (damaged on disk, edited by hand) is reported and skipped; :func:`set_aside`
moves such lines to ``observations.damaged.txt`` and rewrites the log without them.
Nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from contextlib import suppress
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from clusterkit.i18n import local as _
from clusterkit.loader.structure import Structurer
from clusterkit.model import Observation
from clusterkit.plugins import StoredObservation, StoreError
from clusterkit.schema import DEFAULT_SCHEMA, Schema
from clusterkit.serde import unstructure

__all__ = [
    "DAMAGED",
    "LOG",
    "Damage",
    "Scan",
    "append",
    "encode",
    "replace",
    "scan",
    "set_aside",
]

LOG = "observations.jsonl"
DAMAGED = "observations.damaged.txt"


@attrs.frozen
class Damage:
    """A complete line that is not a readable record."""

    line: int
    raw: bytes
    why: str


@attrs.frozen
class Scan:
    """What the log holds.

    Attributes:
        records: the readable records, in order, with the raw line of each.
        damaged: lines that could not be read.
        highest: the highest number on any line, readable or not.
        complete: bytes up to the end of the last complete line.
        size: the file's size; more than ``complete`` when a line was cut off.
    """

    records: tuple[tuple[StoredObservation, bytes], ...] = ()
    damaged: tuple[Damage, ...] = ()
    highest: int = 0
    complete: int = 0
    size: int = 0

    @property
    def observations(self) -> list[StoredObservation]:
        return [record for record, _raw in self.records]


def encode(record: StoredObservation) -> bytes:
    data: dict[str, Any] = unstructure(record.observation)
    data["seq"] = record.number
    data["recorded_at"] = None if record.recorded_at is None else record.recorded_at.isoformat()
    return (json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _number(data: object) -> int | None:
    number = data.get("seq") if isinstance(data, dict) else None
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def decode(
    raw: bytes, number: int | None = None, schema: Schema = DEFAULT_SCHEMA
) -> StoredObservation:
    """A record from one line, read under the store's ``schema``; ``number`` for lines
    of layout 1, which had none.

    Raises ValueError saying what is wrong.
    """
    data = json.loads(raw.decode("utf-8"), parse_float=Decimal)
    if not isinstance(data, dict):
        raise ValueError(_("not a JSON object"))
    found = _number(data)
    if "seq" in data:
        if found is None or found < 1:
            raise ValueError(_("its number ('seq') is not a positive whole number"))
        number = found
    if number is None:
        raise ValueError(_("it has no number ('seq')"))
    data.pop("seq", None)
    recorded = data.pop("recorded_at", None)
    if recorded is not None and not isinstance(recorded, str):
        raise ValueError(_("'recorded_at' is not a date and time"))
    structurer = Structurer(schema)
    observation = structurer.build(data, Observation, "")
    if observation is None or structurer.problems:
        raise ValueError(
            "; ".join(
                f"{path}: {message}" if path else message
                for path, message, _code in structurer.problems
            )
            or _("not an observation")
        )
    at = dt.datetime.fromisoformat(recorded) if recorded else None
    return StoredObservation(number, at, observation)


def scan(path: Path, *, legacy: bool = False, schema: Schema = DEFAULT_SCHEMA) -> Scan:
    """Read the log under the store's ``schema``; with ``legacy``, lines without a
    number are numbered in order."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Scan()
    except OSError as exc:
        raise StoreError(
            _("{path}: cannot be read: {error}").format(path=path, error=exc.strerror)
        ) from None
    complete = data.rfind(b"\n") + 1
    records: list[tuple[StoredObservation, bytes]] = []
    damaged: list[Damage] = []
    highest = 0
    for line, raw in enumerate(data[:complete].split(b"\n")[:-1], start=1):
        if not raw.strip():
            continue
        try:
            record = decode(raw, highest + 1 if legacy else None, schema)
        except (ValueError, RecursionError) as exc:
            with suppress(ValueError, RecursionError):
                highest = max(highest, _number(json.loads(raw)) or 0)
            damaged.append(Damage(line, raw, str(exc)))
            continue
        if record.number <= highest:
            why = _("number {number} repeats an earlier one").format(number=record.number)
            damaged.append(Damage(line, raw, why))
            continue
        highest = record.number
        records.append((record, raw + b"\n"))
    return Scan(tuple(records), tuple(damaged), highest, complete, len(data))


def _keep(root: Path, pieces: Sequence[tuple[str, bytes]]) -> None:
    """Append lines set aside to the damaged file, with why, and flush them to disk."""
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    text = b"".join(
        f"# {stamp} {why}\n".encode() + raw.rstrip(b"\n") + b"\n" for why, raw in pieces
    )
    with open(root / DAMAGED, "ab") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def append(root: Path, found: Scan, lines: Sequence[bytes]) -> None:
    """Append whole lines after setting aside a fragment left by a killed writer.

    The caller holds the store's write lock, so a fragment is never a live write.
    """
    path = root / LOG
    try:
        if found.size > found.complete:
            with open(path, "rb") as handle:
                handle.seek(found.complete)
                fragment = handle.read()
            _keep(root, [(f"{LOG}: a line cut off by a crash, never acknowledged", fragment)])
            os.truncate(path, found.complete)
        with open(path, "ab") as handle:
            handle.write(b"".join(lines))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise StoreError(
            _("{path}: cannot be written: {error}").format(path=path, error=exc.strerror)
        ) from None


def set_aside(root: Path, found: Scan) -> int:
    """Move damaged lines and a cut-off fragment to the damaged file and rewrite the
    log with every readable record, byte for byte. Returns how many lines moved."""
    pieces = [(f"{LOG}:{d.line}: {d.why}", d.raw) for d in found.damaged]
    path = root / LOG
    if found.size > found.complete:
        pieces.append((f"{LOG}: a line cut off by a crash", path.read_bytes()[found.complete :]))
    if not pieces:
        return 0
    _keep(root, pieces)
    replace(path, b"".join(raw for _record, raw in found.records))
    return len(pieces)


def replace(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` whole: written beside it, flushed, then renamed."""
    temp = path.with_name(f".{path.name}.whole.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise StoreError(
            _("{path}: cannot be written: {error}").format(path=path, error=exc.strerror)
        ) from None
