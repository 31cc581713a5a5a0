"""Datasets from JSON and TOML documents, and back to JSON.

A dataset is a directory (or a single file). Each JSON or TOML file at its top
level holds any of the dataset's collections under their names (``clusters``,
``programmes``, ``series``, ...) and one of them the ``dataset`` table describing
it. ``participants/<cluster-id>.csv`` files add participants to a cluster (see
:mod:`clusterkit.loader.participants_csv`).

Every problem is collected, not just the first, and reported as a
:class:`~clusterkit.diagnostics.Diagnostic` naming the file and data path; the
functions raise :class:`~clusterkit.diagnostics.DiagnosticError` with all of them.
Codes (documented in docs/diagnostics.md): ``D102`` syntax, ``D103`` an invalid
value, ``D104`` an unknown key, ``D105`` a missing field, ``D106`` a broken
reference, ``D107`` no dataset information; ``D101`` comes from
:mod:`~clusterkit.loader.files` and ``D108`` from the CSV reader.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from cattrs.errors import BaseValidationError

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Span
from clusterkit.loader.files import atomic_write, data_error, data_files, read_text
from clusterkit.loader.participants_csv import read_participants_folder
from clusterkit.model import Dataset, DatasetInfo, InvalidFieldsError, Participant
from clusterkit.model.dataset import check_references, mark_checked
from clusterkit.serde import DataError, structure, structure_errors, unstructure

__all__ = [
    "dataset_from_document",
    "dump_dataset",
    "load_dataset",
    "parse_document",
    "save_dataset",
]

_COLLECTIONS: dict[str, Any] = {
    name: type_ for name, type_ in typing.get_type_hints(Dataset).items() if name != "info"
}
_TOP_KEYS = ("dataset", *_COLLECTIONS)


def _code_for(message: str) -> str:
    if message.startswith("unknown key"):
        return codes.DATA_UNKNOWN_KEY
    if message == "required field is missing":
        return codes.DATA_MISSING
    return codes.DATA_INVALID


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DataError(f"key {key!r} appears twice in one object")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise DataError(f"{name} is not a number clusterkit accepts")


def parse_document(text: str, shown: str, problems: list[Diagnostic]) -> Any:
    """Parse JSON or TOML text (by the file's suffix) with every number exact."""
    if shown.endswith(".toml"):
        try:
            return tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            span = Span.point(shown, int(match[1]), int(match[2])) if match else None
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            problems.append(
                data_error(codes.DATA_SYNTAX, shown, f"not valid TOML: {message}", span=span)
            )
            return None
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except json.JSONDecodeError as exc:
        span = Span.point(shown, exc.lineno, exc.colno)
        problems.append(
            data_error(codes.DATA_SYNTAX, shown, f"not valid JSON: {exc.msg}", span=span)
        )
    except DataError as exc:
        problems.append(data_error(codes.DATA_SYNTAX, shown, str(exc)))
    return None


def _structure_into(
    data: Any, type_: Any, shown: str, path: str, problems: list[Diagnostic]
) -> Any:
    try:
        return structure(data, type_)
    except (BaseValidationError, InvalidFieldsError, DataError, ValueError) as exc:
        for where, message in structure_errors(exc, path):
            problems.append(data_error(_code_for(message), shown, message, path=where))
    return None


def _structure_items(
    value: Any, key: str, shown: str, problems: list[Diagnostic], quiet: set[str]
) -> list[Any]:
    """Structure a collection item by item, so one bad item does not hide the others.

    Items whose id is in ``quiet`` contribute no diagnostics of their own: their
    problems have been reported where they come from (a participants CSV file).
    """
    if not isinstance(value, list):
        problems.append(
            data_error(
                codes.DATA_INVALID, shown, f"expected a list, got {type(value).__name__}", path=key
            )
        )
        return []
    (item_type,) = typing.get_args(_COLLECTIONS[key])[:1]
    items = []
    for index, raw in enumerate(value):
        sink: list[Diagnostic] = []
        item = _structure_into(raw, item_type, shown, f"{key}[{index}]", sink)
        if item is not None:
            items.append(item)
        elif not (isinstance(raw, dict) and raw.get("id") in quiet):
            problems.extend(sink)
    return items


@attrs.define
class _Segments:
    """Which file each item of a merged collection came from."""

    parts: list[tuple[str, int, int]] = attrs.Factory(list)  # (file, start, count)

    def add(self, file: str, start: int, count: int) -> None:
        self.parts.append((file, start, count))

    def locate(
        self, collection: str, path: str, elsewhere: str = "(base data)", offset: int = 0
    ) -> tuple[str, str]:
        """The file an item came from and its path there; ``elsewhere`` for other items.

        ``offset`` is how many items of the collection precede the files' ones.
        """
        match = re.match(rf"^{collection}\[(\d+)\]", path)
        if match is None:
            return (self.parts[0][0] if self.parts else elsewhere), path
        index = int(match[1]) - offset
        for file, start, count in self.parts:
            if start <= index < start + count:
                return file, f"{collection}[{index - start}]{path[match.end() :]}"
        return elsewhere, path


@attrs.define
class _Collector:
    """Gathers a dataset's pieces from its files, and every problem on the way."""

    problems: list[Diagnostic]
    extra: dict[str, tuple[str, tuple[Participant, ...]]]
    quiet: set[str]
    info: DatasetInfo | None = None
    collected: dict[str, list[Any]] = attrs.Factory(lambda: {n: [] for n in _COLLECTIONS})
    segments: dict[str, _Segments] = attrs.Factory(lambda: {n: _Segments() for n in _COLLECTIONS})
    raw_cluster_ids: set[object] = attrs.Factory(set)

    def read(self, file: Path) -> None:
        shown = str(file)
        text = read_text(file, shown, self.problems)
        document = None if text is None else parse_document(text, shown, self.problems)
        if document is not None:
            self.read_document(document, shown)

    def read_document(self, document: Any, shown: str) -> None:
        if not isinstance(document, dict):
            self.problems.append(
                data_error(
                    codes.DATA_INVALID, shown, "the top level must be an object of collections"
                )
            )
            return
        for key, value in document.items():
            if key == "dataset":
                self.read_info(value, shown)
            elif key in _COLLECTIONS:
                raw = _with_participants(value, self.extra) if key == "clusters" else value
                items = _structure_items(raw, key, shown, self.problems, quiet=self.quiet)
                self.segments[key].add(shown, len(self.collected[key]), len(items))
                self.collected[key].extend(items)
                if key == "clusters" and isinstance(value, list):
                    self.raw_cluster_ids.update(c.get("id") for c in value if isinstance(c, dict))
            else:
                self.problems.append(
                    data_error(
                        codes.DATA_UNKNOWN_KEY,
                        shown,
                        f"unknown key {key!r}",
                        path=key,
                        hint="expected one of: " + ", ".join(_TOP_KEYS),
                    )
                )

    def read_info(self, value: Any, shown: str) -> None:
        if self.info is not None:
            self.problems.append(
                data_error(
                    codes.DATA_INVALID, shown, "dataset information given twice", path="dataset"
                )
            )
        self.info = (
            _structure_into(value, DatasetInfo, shown, "dataset", self.problems) or self.info
        )

    def orphan_csv_files(self) -> None:
        for cluster_id, (shown, _rows) in self.extra.items():
            if cluster_id not in self.raw_cluster_ids:
                self.problems.append(
                    data_error(
                        codes.DATA_REFERENCE,
                        shown,
                        f"no cluster with id {cluster_id!r} for this participants file",
                        hint="name the file <cluster-id>.csv",
                    )
                )


def load_dataset(path: str | os.PathLike[str]) -> Dataset:
    """Load a dataset directory or file; raise :class:`DiagnosticError` listing every problem."""
    root = Path(path)
    files = data_files(root)
    problems: list[Diagnostic] = []
    extra = read_participants_folder(root, problems) if root.is_dir() else {}
    # Clusters whose CSV file has errors would report every missing participant again.
    quiet = {cid for cid, (shown, _) in extra.items() if any(d.file == shown for d in problems)}
    collector = _Collector(problems, extra, quiet)
    for file in files:
        collector.read(file)
    collector.orphan_csv_files()
    return _finish(collector, str(root))


def _finish(
    collector: _Collector, shown: str, base: Dataset | None = None, append: bool = False
) -> Dataset:
    problems = collector.problems
    info = collector.info or (base.info if base is not None else None)
    if info is None and not problems:
        problems.append(
            data_error(
                codes.DATA_NO_INFO,
                shown,
                "no dataset information found",
                hint="add a 'dataset' object with at least 'id' and 'title'",
            )
        )
    if problems or info is None:
        raise DiagnosticError(problems)
    fields = {name: tuple(items) for name, items in collector.collected.items()}
    offsets = dict.fromkeys(fields, 0)
    if base is not None and append:
        offsets = {name: len(getattr(base, name)) for name in fields}
        fields = {name: getattr(base, name) + items for name, items in fields.items()}
    elif base is not None:
        # Collections the document gives replace the base's; the rest are kept.
        given = {name for name, part in collector.segments.items() if part.parts}
        fields = {name: fields[name] if name in given else getattr(base, name) for name in fields}
    dataset = Dataset(info, **fields)
    for ref in check_references(dataset):
        where_file, where = collector.segments[ref.collection].locate(
            ref.collection, ref.path, offset=offsets[ref.collection]
        )
        problems.append(data_error(codes.DATA_REFERENCE, where_file, ref.message, path=where))
    if problems:
        raise DiagnosticError(problems)
    mark_checked(dataset)
    return dataset


def dataset_from_document(
    document: Any, shown: str, base: Dataset | None = None, *, append: bool = False
) -> Dataset:
    """A dataset from already-parsed data (as a JSON or TOML file would hold it).

    With ``base``, the collections ``document`` gives replace the base's (or, with
    ``append``, are added after them) and the rest are kept; this is how rule tests
    state just the data a case is about. Problems are reported against ``shown`` and
    raise :class:`DiagnosticError`.
    """
    collector = _Collector([], {}, set())
    collector.read_document(document, shown)
    return _finish(collector, shown, base, append)


def _with_participants(value: Any, extra: dict[str, tuple[str, tuple[Participant, ...]]]) -> Any:
    """Add CSV participants to the raw cluster objects, before they are structured."""
    if not isinstance(value, list):
        return value
    merged = []
    for raw in value:
        listed = raw.get("participants", []) if isinstance(raw, dict) else None
        cluster_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(listed, list) and isinstance(cluster_id, str) and cluster_id in extra:
            merged.append({**raw, "participants": [*listed, *extra[cluster_id][1]]})
        else:
            merged.append(raw)
    return merged


def dump_dataset(dataset: Dataset) -> str:
    """The dataset as JSON text, numbers as exact strings, empty collections left out."""
    data: dict[str, Any] = {"dataset": unstructure(dataset.info)}
    for name in _COLLECTIONS:
        items = getattr(dataset, name)
        if items:
            data[name] = unstructure(items)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def save_dataset(dataset: Dataset, path: str | os.PathLike[str]) -> None:
    """Write the dataset as one JSON file, atomically: a crash leaves the old file intact."""
    target = Path(path)
    atomic_write(target, dump_dataset(dataset))
