"""The JSON-folder store's dataset file, ``dataset.json``: everything but the
observations, with the schema that declares its records embedded (as
:func:`~clusterkit.loader.save_dataset` writes it), replaced whole and atomically. A
file that would not read back is never written; an import lays the imported
collections over the stored ones by key."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from clusterkit.diagnostics import DiagnosticError
from clusterkit.i18n import local as _
from clusterkit.loader import atomic_write, dataset_from_document, dump_dataset
from clusterkit.model import Dataset, DatasetInfo, LocalizedText
from clusterkit.plugins import StoreError
from clusterkit.schema import DEFAULT_SCHEMA, Schema
from clusterkit_plugins import common, declared

__all__ = ["DatasetFile", "merged"]

#: The collections an import merges by key into the stored ones.
_MERGED = (
    "regions",
    "sectors",
    "clusters",
    "applications",
    "programmes",
    "series",
    "obligations",
    "figures",
)


class DatasetFile:
    """A store's ``dataset.json``, and the schema it embeds, read again only when the
    file was replaced."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / "dataset.json"
        #: The file's schema last read, and the file's identity then.
        self._schema_read: tuple[tuple[int, int, int], Schema] | None = None

    def read(self) -> Dataset:
        """The dataset file, read under the schema it embeds."""
        path = self.path
        if not path.exists():
            return Dataset(
                DatasetInfo("store", LocalizedText(en=f"clusterkit store {self.root.name}"))
            )
        try:
            document = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
            return dataset_from_document(document, str(path))
        except (OSError, ValueError, RecursionError) as exc:
            raise StoreError(
                _("{path}: cannot be read: {error}").format(path=path, error=exc)
            ) from None
        except DiagnosticError as exc:
            raise StoreError(str(exc)) from None

    def schema(self) -> Schema:
        """The schema the dataset file embeds (the observation log is read under it)."""
        path = self.path
        try:
            info = path.stat()
        except FileNotFoundError:
            return DEFAULT_SCHEMA
        except OSError as exc:
            raise StoreError(
                _("{path}: cannot be read: {error}").format(path=path, error=exc.strerror)
            ) from None
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        if self._schema_read is None or self._schema_read[0] != stamp:
            self._schema_read = (stamp, self.read().schema)
        return self._schema_read[1]

    @staticmethod
    def dump(dataset: Dataset) -> str:
        """The file's text for ``dataset``, its observations left out."""
        text = dump_dataset(attrs.evolve(dataset, observations=()))
        common.utf8(text, _("the dataset"))
        return text

    def write(self, text: str) -> None:
        try:
            atomic_write(self.path, text)
        except OSError as exc:
            raise StoreError(
                _("{path}: cannot be written: {error}").format(path=self.root, error=exc.strerror)
            ) from None

    def save(self, dataset: Dataset) -> None:
        self.write(self.dump(dataset))

    def check(self, text: str) -> None:
        """Refuse to write a dataset file that would not read back: what the store kept
        from before no longer fits the schema it would have, or a reference broke."""
        try:
            dataset_from_document(json.loads(text, parse_float=Decimal), "dataset.json")
        except DiagnosticError as exc:
            raise StoreError(
                _(
                    "{path}: the import is refused: the store's dataset would not read "
                    "back after it:\n{error}"
                ).format(path=self.root, error=exc)
            ) from None


def merged(current: Dataset, dataset: Dataset) -> Dataset:
    """``dataset`` imported over ``current``: its information, benchmarks and rates, its
    items merged by key into the stored ones, the two schemas combined."""
    schema = declared.combine(current.schema, dataset.schema)
    replaced: dict[str, Any] = {
        name: common.merge_by_key(getattr(current, name), getattr(dataset, name))
        for name in _MERGED
    }
    return attrs.evolve(
        current,
        info=dataset.info,
        benchmarks=dataset.benchmarks,
        rates=dataset.rates,
        records=declared.merge_records(current.records, dataset.records, dataset.schema, schema),
        schema=schema,
        **replaced,
    )
