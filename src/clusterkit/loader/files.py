"""File IO for datasets: reading text within a size limit, finding data files, atomic writes.

Reading problems are reported as diagnostics, never raised as ``OSError``:

- ``D101``: a file or directory is missing, unreadable, not UTF-8, or too large.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span

__all__ = [
    "MAX_FILE_BYTES",
    "RULE_SUFFIX",
    "atomic_write",
    "data_error",
    "data_files",
    "read_text",
]

#: Data files larger than this are refused rather than read into memory.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: The suffix of rule files.
RULE_SUFFIX = ".ckr"


def data_error(
    code: str,
    file: str,
    message: str,
    *,
    path: str | None = None,
    span: Span | None = None,
    hint: str | None = None,
) -> Diagnostic:
    """An error diagnostic about a data file (the loaders give no warnings)."""
    return Diagnostic(code, Severity.ERROR, message, file=file, path=path, span=span, hint=hint)


def read_text(
    path: Path,
    shown: str,
    problems: list[Diagnostic],
    *,
    code: str = codes.DATA_UNREADABLE,
    too_big_code: str = codes.DATA_UNREADABLE,
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
                data_error(
                    too_big_code, shown, f"{noun} is {size} bytes, more than the {limit} allowed"
                )
            )
            return None
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(data_error(code, shown, f"{noun} not found"))
    except IsADirectoryError:
        problems.append(data_error(code, shown, "is a directory, expected a file"))
    except PermissionError:
        problems.append(data_error(code, shown, "permission denied"))
    except UnicodeDecodeError as exc:
        problems.append(data_error(code, shown, f"is not UTF-8 text (byte {exc.start})"))
    except OSError as exc:
        problems.append(data_error(code, shown, f"cannot be read: {exc.strerror}"))
    return None


def data_files(root: Path) -> list[Path]:
    """A dataset's JSON and TOML files: those at the top of a directory, or the one file."""
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.suffix in (".json", ".toml") and p.is_file())
        if not files:
            raise DiagnosticError(
                [
                    data_error(
                        codes.DATA_UNREADABLE,
                        str(root),
                        "no .json or .toml data files in this directory",
                    )
                ]
            )
        return files
    if root.exists():
        return [root]
    raise DiagnosticError(
        [data_error(codes.DATA_UNREADABLE, str(root), "no such file or directory")]
    )


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
    """
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
