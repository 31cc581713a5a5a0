"""Reading and writing datasets: JSON and TOML in, JSON out, CSV participant lists.

A dataset is a directory (or a single file). Each JSON or TOML file at its top
level holds any of the dataset's collections under their names (``clusters``,
``programmes``, ``series``, ...) and one of them the ``dataset`` table describing
it. ``participants/<cluster-id>.csv`` files add participants to a cluster, in the
column layout agencies keep (see :data:`CSV_COLUMNS`).

Every problem is collected, not just the first, and reported as a
:class:`~clusterkit.diagnostics.Diagnostic` naming the file and data path; the
functions raise :class:`~clusterkit.diagnostics.DiagnosticError` with all of them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import tomllib
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from cattrs.errors import BaseValidationError

from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.model import Dataset, DatasetInfo, InvalidFieldsError, Participant
from clusterkit.model.dataset import check_references, mark_checked
from clusterkit.serde import DataError, structure, structure_errors, unstructure

__all__ = [
    "CSV_COLUMNS",
    "MAX_FILE_BYTES",
    "atomic_write",
    "dataset_from_document",
    "dump_dataset",
    "load_dataset",
    "read_participants_csv",
    "read_text",
    "save_dataset",
]

#: Columns of a participants CSV file; ``name_*`` columns fill the localized name.
CSV_COLUMNS = (
    "id",
    "bin",
    "role",
    "region",
    "oked",
    "member_from",
    "member_until",
    "name_ru",
    "name_kk",
    "name_en",
    "sample",
)
_CSV_REQUIRED = ("id", "bin", "role", "region", "oked", "member_from")

#: Data files larger than this are refused rather than read into memory.
MAX_FILE_BYTES = 256 * 1024 * 1024

_COLLECTIONS: dict[str, Any] = {
    name: type_ for name, type_ in typing.get_type_hints(Dataset).items() if name != "info"
}
_TOP_KEYS = ("dataset", *_COLLECTIONS)

# Diagnostic codes for data (documented in docs/diagnostics.md).
D_UNREADABLE = "D101"
D_SYNTAX = "D102"
D_INVALID = "D103"
D_UNKNOWN_KEY = "D104"
D_MISSING = "D105"
D_REFERENCE = "D106"
D_NO_INFO = "D107"
D_CSV = "D108"


def _error(
    code: str,
    file: str,
    message: str,
    *,
    path: str | None = None,
    span: Span | None = None,
    hint: str | None = None,
) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, file=file, path=path, span=span, hint=hint)


def _code_for(message: str) -> str:
    if message.startswith("unknown key"):
        return D_UNKNOWN_KEY
    if message == "required field is missing":
        return D_MISSING
    return D_INVALID


def read_text(
    path: Path,
    shown: str,
    problems: list[Diagnostic],
    *,
    code: str = D_UNREADABLE,
    too_big_code: str = D_UNREADABLE,
    limit: int = MAX_FILE_BYTES,
    noun: str = "file",
) -> str | None:
    """A UTF-8 text file's contents, or None with the reason added to ``problems``.

    Data files and rule files are read through here, each with its own codes.
    """
    try:
        size = path.stat().st_size
        if size > limit:
            problems.append(
                _error(
                    too_big_code, shown, f"{noun} is {size} bytes, more than the {limit} allowed"
                )
            )
            return None
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(_error(code, shown, f"{noun} not found"))
    except IsADirectoryError:
        problems.append(_error(code, shown, "is a directory, expected a file"))
    except PermissionError:
        problems.append(_error(code, shown, "permission denied"))
    except UnicodeDecodeError as exc:
        problems.append(_error(code, shown, f"is not UTF-8 text (byte {exc.start})"))
    except OSError as exc:
        problems.append(_error(code, shown, f"cannot be read: {exc.strerror}"))
    return None


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
            problems.append(_error(D_SYNTAX, shown, f"not valid TOML: {message}", span=span))
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
        problems.append(_error(D_SYNTAX, shown, f"not valid JSON: {exc.msg}", span=span))
    except DataError as exc:
        problems.append(_error(D_SYNTAX, shown, str(exc)))
    return None


def _structure_into(
    data: Any, type_: Any, shown: str, path: str, problems: list[Diagnostic]
) -> Any:
    try:
        return structure(data, type_)
    except (BaseValidationError, InvalidFieldsError, DataError, ValueError) as exc:
        for where, message in structure_errors(exc, path):
            problems.append(_error(_code_for(message), shown, message, path=where))
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
            _error(D_INVALID, shown, f"expected a list, got {type(value).__name__}", path=key)
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


def _data_files(root: Path) -> list[Path]:
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.suffix in (".json", ".toml") and p.is_file())
        if not files:
            raise DiagnosticError(
                [_error(D_UNREADABLE, str(root), "no .json or .toml data files in this directory")]
            )
        return files
    if root.exists():
        return [root]
    raise DiagnosticError([_error(D_UNREADABLE, str(root), "no such file or directory")])


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
                _error(D_INVALID, shown, "the top level must be an object of collections")
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
                    _error(
                        D_UNKNOWN_KEY,
                        shown,
                        f"unknown key {key!r}",
                        path=key,
                        hint="expected one of: " + ", ".join(_TOP_KEYS),
                    )
                )

    def read_info(self, value: Any, shown: str) -> None:
        if self.info is not None:
            self.problems.append(
                _error(D_INVALID, shown, "dataset information given twice", path="dataset")
            )
        self.info = (
            _structure_into(value, DatasetInfo, shown, "dataset", self.problems) or self.info
        )

    def orphan_csv_files(self) -> None:
        for cluster_id, (shown, _rows) in self.extra.items():
            if cluster_id not in self.raw_cluster_ids:
                self.problems.append(
                    _error(
                        D_REFERENCE,
                        shown,
                        f"no cluster with id {cluster_id!r} for this participants file",
                        hint="name the file <cluster-id>.csv",
                    )
                )


def load_dataset(path: str | os.PathLike[str]) -> Dataset:
    """Load a dataset directory or file; raise :class:`DiagnosticError` listing every problem."""
    root = Path(path)
    files = _data_files(root)
    problems: list[Diagnostic] = []
    extra = _read_csv_participants(root, problems) if root.is_dir() else {}
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
            _error(
                D_NO_INFO,
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
        problems.append(_error(D_REFERENCE, where_file, ref.message, path=where))
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


def _read_csv_participants(
    root: Path, problems: list[Diagnostic]
) -> dict[str, tuple[str, tuple[Participant, ...]]]:
    """Participants from ``participants/<cluster-id>.csv``, by cluster id."""
    folder = root / "participants"
    if not folder.is_dir():
        return {}
    found: dict[str, tuple[str, tuple[Participant, ...]]] = {}
    for csv_file in sorted(folder.glob("*.csv")):
        shown = str(csv_file)
        found[csv_file.stem] = (
            shown,
            read_participants_csv(csv_file, shown=shown, problems=problems),
        )
    return found


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


def read_participants_csv(
    path: str | os.PathLike[str],
    *,
    shown: str | None = None,
    problems: list[Diagnostic] | None = None,
) -> tuple[Participant, ...]:
    """Read a participants CSV file (columns :data:`CSV_COLUMNS`, header row first).

    With ``problems`` given, problems are appended to it and the valid rows returned;
    without, a :class:`DiagnosticError` is raised if there is any problem.
    """
    name = shown or str(path)
    sink: list[Diagnostic] = [] if problems is None else problems
    start = len(sink)
    text = read_text(Path(path), name, sink)
    rows: list[Participant] = []
    if text is not None:
        rows = _parse_csv(text, name, sink)
    if problems is None and len(sink) > start:
        raise DiagnosticError(sink)
    return tuple(rows)


def _parse_csv(text: str, shown: str, problems: list[Diagnostic]) -> list[Participant]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.append(_error(D_CSV, shown, "empty file: expected a header row"))
        return []
    bad = False
    for column, name in enumerate(header, start=1):
        if name not in CSV_COLUMNS:
            problems.append(
                _error(
                    D_CSV,
                    shown,
                    f"unknown column {name!r}",
                    span=Span.point(shown, 1, column),
                    hint="columns: " + ", ".join(CSV_COLUMNS),
                )
            )
            bad = True
    for name in _CSV_REQUIRED:
        if name not in header:
            problems.append(
                _error(
                    D_CSV,
                    shown,
                    f"required column {name!r} is missing",
                    span=Span.point(shown, 1, 1),
                )
            )
            bad = True
    if bad:
        return []
    out: list[Participant] = []
    for number, row in enumerate(reader, start=1):
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                _error(
                    D_CSV,
                    shown,
                    f"row has {len(row)} cells, the header {len(header)}",
                    path=f"rows[{number}]",
                    span=Span.point(shown, line, 1),
                )
            )
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        record: dict[str, Any] = {
            key: cells[key] for key in ("id", "bin", "role", "region", "oked", "member_from")
        }
        if cells.get("member_until"):
            record["member_until"] = cells["member_until"]
        record["name"] = {
            lang: cells[f"name_{lang}"] for lang in ("ru", "kk", "en") if cells.get(f"name_{lang}")
        }
        if cells.get("sample"):
            record["sample"] = cells["sample"].lower() in ("1", "true", "yes", "y")
        try:
            out.append(structure(record, Participant))
        except (BaseValidationError, InvalidFieldsError, DataError, ValueError) as exc:
            for where, message in structure_errors(exc, ""):
                column_name = where.split(".")[0]
                column = header.index(column_name) + 1 if column_name in header else 1
                problems.append(
                    _error(
                        D_CSV,
                        shown,
                        message,
                        path=f"rows[{number}].{where}",
                        span=Span.point(shown, line, column),
                    )
                )
    return out


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


def atomic_write(target: Path, text: str) -> None:
    """Replace ``target`` with ``text`` whole: written beside it, flushed, then renamed."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
