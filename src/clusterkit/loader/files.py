"""File IO for datasets: reading text within a size limit, listing a dataset's folder,
atomic writes.

Reading problems are reported as diagnostics, never raised as ``OSError``:

- ``D101``: a file or directory is missing, unreadable, not UTF-8, or too large.
- ``D109`` (a warning): an entry of a dataset folder that is not read, and why.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.messages import join, msg

__all__ = [
    "DOCUMENT_SUFFIXES",
    "EXPECTED_DATASET",
    "MAX_FILE_BYTES",
    "RULES_HINT",
    "RULE_SUFFIX",
    "Listing",
    "atomic_write",
    "data_error",
    "data_files",
    "entry_problem",
    "list_dataset",
    "not_read",
    "read_bytes",
    "read_text",
]

#: Data files larger than this are refused rather than read into memory.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: The suffix of rule files.
RULE_SUFFIX = ".ckr"
#: The suffixes of the documents a dataset folder holds.
DOCUMENT_SUFFIXES = (".json", ".toml")
#: What a dataset is, said when the user named something else.
EXPECTED_DATASET = msg(
    "a dataset folder (with dataset.toml or *.json files), or one .json or .toml file"
)
#: Where rules go instead.
RULES_HINT = msg("rules are checked with `clusterkit check RULES --data DATASET`")
_BOM = "\ufeff"
#: Why a pipe, a device or a socket is not read (opening a pipe waits for a writer; a
#: device such as /dev/zero never ends).
NOT_A_FILE = msg("is not a regular file (a pipe, a device or a socket)")
#: Why a path with a NUL character is not read (the system takes no such path).
NUL_IN_PATH = msg("is not a path: it holds a NUL character")


def data_error(
    code: str,
    file: str,
    message: str,
    *,
    path: str | None = None,
    span: Span | None = None,
    hint: str | None = None,
) -> Diagnostic:
    """An error diagnostic about a data file."""
    return Diagnostic(code, Severity.ERROR, message, file=file, path=path, span=span, hint=hint)


def not_read(
    shown: str, why: str, *, path: str | None = None, hint: str | None = None
) -> Diagnostic:
    """The warning that an entry of a dataset folder is not read (``D109``)."""
    return Diagnostic(
        codes.DATA_NOT_READ,
        Severity.WARNING,
        msg("not read: {why}", why=why),
        file=shown,
        path=path,
        hint=hint,
    )


def read_bytes(
    path: Path,
    shown: str,
    problems: list[Diagnostic],
    *,
    code: str = codes.DATA_UNREADABLE,
    too_big_code: str = codes.DATA_UNREADABLE,
    limit: int = MAX_FILE_BYTES,
    noun: str = msg("file"),
) -> bytes | None:
    """A file's contents, or None with the reason added to ``problems``."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode) and not stat.S_ISDIR(status.st_mode):
            problems.append(data_error(code, shown, NOT_A_FILE))
            return None
        size = status.st_size
        if size > limit:
            problems.append(
                data_error(
                    too_big_code,
                    shown,
                    msg(
                        "{noun} is {size} bytes, more than the {limit} allowed",
                        noun=noun,
                        size=size,
                        limit=limit,
                    ),
                )
            )
            return None
        return path.read_bytes()
    except FileNotFoundError:
        why = (
            msg("a symbolic link to a missing file")
            if path.is_symlink()
            else msg("{noun} not found", noun=noun)
        )
        problems.append(data_error(code, shown, why))
    except IsADirectoryError:
        problems.append(data_error(code, shown, msg("is a directory, expected a file")))
    except PermissionError:
        problems.append(data_error(code, shown, msg("permission denied")))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            problems.append(data_error(code, shown, msg("is a symbolic link loop")))
        else:
            problems.append(data_error(code, shown, msg("cannot be read: {why}", why=exc.strerror)))
    except ValueError:
        problems.append(data_error(code, shown, NUL_IN_PATH))
    return None


def read_text(
    path: Path,
    shown: str,
    problems: list[Diagnostic],
    *,
    code: str = codes.DATA_UNREADABLE,
    too_big_code: str = codes.DATA_UNREADABLE,
    limit: int = MAX_FILE_BYTES,
    noun: str = msg("file"),
) -> str | None:
    """A UTF-8 text file's contents, or None with the reason added to ``problems``.

    A UTF-8 byte-order mark (Windows editors write one) is dropped. Data files and
    rule files are read through here, each with its own codes.
    """
    data = read_bytes(
        path, shown, problems, code=code, too_big_code=too_big_code, limit=limit, noun=noun
    )
    if data is None:
        return None
    try:
        return data.decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as exc:
        problems.append(
            data_error(code, shown, msg("is not UTF-8 text (byte {start})", start=exc.start))
        )
    return None


def entry_problem(path: Path) -> str | None:
    """Why a folder entry that should be a file is not one, or None if it is a file."""
    try:
        if path.is_dir():
            return msg("is a directory")
        if not stat.S_ISREG(path.stat().st_mode):
            return NOT_A_FILE
    except FileNotFoundError:
        return msg("is a symbolic link to a missing file")
    except PermissionError:
        return msg("permission denied")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return msg("is a symbolic link loop")
        return msg("cannot be read: {why}", why=exc.strerror)
    except ValueError:
        return NUL_IN_PATH
    return None


#: Why a dataset entry that leads out of the dataset's folder is not read.
OUTSIDE = "is a symbolic link to a file outside the dataset folder; not read"
OUTSIDE_HINT = "copy the file into the dataset folder"


def outside(entry: Path, folder: Path) -> Diagnostic | None:
    """The error for an entry of ``folder`` that is a symbolic link leading out of it
    (to ``/etc/passwd``, say), or None. Such a file is never opened, so nothing of it
    can reach an error message."""
    try:
        target = entry.resolve()
        inside = target.is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return None  # a loop or an unreadable link: reported as such where it is read
    if inside:
        return None
    return data_error(codes.DATA_UNREADABLE, str(entry), OUTSIDE, hint=OUTSIDE_HINT)


@attrs.define
class Listing:
    """A dataset's entries: its documents, and everything else at the top of its folder.

    Attributes:
        root: the path the user named.
        folder: the dataset's folder (the named file's folder for a one-file dataset).
        documents: the JSON and TOML files to read.
        others: the other entries of the folder, files and folders, by name.
        problems: entries named like documents that cannot be read (warnings).
    """

    root: Path
    folder: Path
    documents: list[Path]
    others: list[Path] = attrs.Factory(list)
    problems: list[Diagnostic] = attrs.Factory(list)

    @property
    def holds_rules(self) -> bool:
        """Whether the folder has rule files (it may be a rules folder given by mistake)."""
        return self.folder is self.root and any(p.suffix == RULE_SUFFIX for p in self.others)


def list_dataset(root: Path) -> Listing:
    """The entries of the dataset at ``root``; :class:`DiagnosticError` when ``root`` is
    not a dataset: missing, unreadable, a file of another kind, a folder without data."""
    shown = str(root)
    why = entry_problem(root)
    if why == "is a directory":
        return _list_folder(root)
    if why is not None:
        if not os.path.lexists(root):
            why = msg("no such file or directory")
        raise DiagnosticError([data_error(codes.DATA_UNREADABLE, shown, why)])
    if root.suffix not in DOCUMENT_SUFFIXES:
        what, more = _kind_of_file(root)
        raise DiagnosticError(
            [
                data_error(
                    codes.DATA_UNREADABLE,
                    shown,
                    msg("is {what}, not a dataset", what=what),
                    hint=join([msg("expected {what}", what=EXPECTED_DATASET), *more], "; "),
                )
            ]
        )
    return Listing(root, root.parent, [root])


def _kind_of_file(path: Path) -> tuple[str, list[str]]:
    """What a file is, and more to say about it after what a dataset is."""
    if path.suffix == RULE_SUFFIX:
        return msg("a rule file"), [RULES_HINT]
    if path.suffix == ".csv":
        return msg("a table"), [
            msg(
                "a dataset's tables are read from its folder "
                "(`clusterkit import-participants` reads a participants file alone)"
            )
        ]
    if path.suffix == ".xlsx":
        return msg("a table"), [msg("a dataset's tables are read from its folder")]
    if not path.suffix:
        return msg("a suffix-less file"), []
    return msg("a {suffix} file", suffix=path.suffix), []


def _list_folder(root: Path) -> Listing:
    shown = str(root)
    try:
        entries = sorted(root.iterdir())
    except OSError as exc:
        reason = msg("permission denied") if isinstance(exc, PermissionError) else exc.strerror
        raise DiagnosticError(
            [data_error(codes.DATA_UNREADABLE, shown, msg("cannot be listed: {why}", why=reason))]
        ) from None
    listing = Listing(root, root, [])
    for entry in entries:
        if entry.name.startswith("."):
            continue  # hidden by convention: .git, .DS_Store, editors' files
        escapes = outside(entry, root)
        if escapes is not None:
            listing.problems.append(escapes)
            continue
        if entry.suffix in DOCUMENT_SUFFIXES:
            why = entry_problem(entry)
            if why is None:
                listing.documents.append(entry)
            else:
                listing.problems.append(not_read(str(entry), why))
        else:
            listing.others.append(entry)
    if not listing.documents:
        message = msg("no .json or .toml data files in this directory")
        hint = None
        if listing.holds_rules:
            message = msg(
                "holds rule files (*.ckr) and no .json or .toml data files: not a dataset"
            )
            hint = join([msg("expected {what}", what=EXPECTED_DATASET), RULES_HINT], "; ")
        raise DiagnosticError(
            [*listing.problems, data_error(codes.DATA_UNREADABLE, shown, message, hint=hint)]
        )
    return listing


def data_files(root: Path) -> list[Path]:
    """A dataset's JSON and TOML files: those at the top of a directory, or the one file."""
    return list_dataset(root).documents


def _umask() -> int:
    """The process's file-creation mask, read without changing it where the system
    tells it (Linux), else set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(target: Path, content: str | bytes) -> None:
    """Replace ``target`` with ``content`` (text as UTF-8) whole: written beside it,
    flushed, then renamed.

    The file gets the permissions of a file made by ``open``: those of the file it
    replaces, or for a new file ``0666`` less the process's umask (a temporary file
    alone would leave it ``0600``).

    A device or a pipe (``/dev/null``, ``/dev/stdout``) is written to, never replaced by
    a file; a symbolic link to a file has the file it links to replaced, not the link.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        status: os.stat_result | None = target.stat()
    except OSError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        with target.open("wb") as handle:
            handle.write(data)
        return
    if status is not None and target.is_symlink():
        target = Path(os.path.realpath(target))
    mode = status.st_mode & 0o7777 if status is not None else 0o666 & ~_umask()
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
