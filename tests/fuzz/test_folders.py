"""Fuzzing dataset folders as a file system: entries that are folders, links (in loops,
dangling, leading outside), pipes, devices, junk, odd names, and schema paths that lead
anywhere. A folder either loads or is refused with diagnostics, and what was not read
is said (a D109 warning or an error), never skipped silently or crashed on.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from clusterkit import Diagnostic, load_dataset
from tests.fuzz.common import diagnosed, fuzz_settings
from tests.fuzz.corpus import EXAMPLES, KZ_DATA, RULES

KINDS = (
    "folder",
    "loop",
    "dangling",
    "outside",
    "inside",
    "empty",
    "junk",
    "pipe",
    "device",
    "text",
)
NAMES = (
    "extra.json",
    "x.ckr",
    "participants",
    "PARTICIPANTS",
    ".hidden.json",
    "~$lock.xlsx",
    "weird\nname.json",
    os.fsdecode(b"\xff\xfe.json"),
    "a" * 250 + ".json",
    "observations.csv",
    "regions.xlsx",
    "unknown.csv",
    "participants/nobody.csv",
    "participants/sub",
    "participants/x.xlsx",
    "schema",
)
SCHEMAS = (
    '["/etc/passwd"]',
    '["../../../../../../etc/passwd"]',
    '["."]',
    '[""]',
    '["clusters.json"]',
    '["missing.ckr"]',
    '["../../rules/schema/kazakhstan.ckr", "../../rules/schema/kazakhstan.ckr"]',
    '["../../rules"]',
    "[1, true]",
    '"one"',
    '["a\\u0000b.ckr"]',
)


def _make(path: Path, kind: str, folder: Path) -> None:
    """Put an entry of ``kind`` at ``path`` (replacing what is there)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()  # a file, a link or a pipe
    path.parent.mkdir(parents=True, exist_ok=True)
    documents = sorted(p for p in folder.iterdir() if p.suffix in (".json", ".toml"))
    if kind == "folder":
        path.mkdir()
        (path / "inner.json").write_text("{}", encoding="utf-8")
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "dangling":
        path.symlink_to(folder / "nowhere")
    elif kind == "outside":
        path.symlink_to("/etc/passwd")
    elif kind == "inside" and documents:
        path.symlink_to(documents[0])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "junk":
        path.write_bytes(bytes(range(256)))
    elif kind == "pipe":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        path.write_text('{"dataset": {"id": "other", "title": {"en": "t"}}}', encoding="utf-8")


@st.composite
def folder_edits(draw: st.DrawFn) -> list[tuple[str, str, str]]:
    """A few edits: (what, name, kind), a schema line, and which path is named."""
    edits = []
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["replace", "add", "add", "schema"]))
        if op == "schema":
            edits.append(("schema", draw(st.sampled_from(SCHEMAS)), ""))
        else:
            name = draw(st.sampled_from(NAMES)) if op == "add" else ""
            edits.append((op, name, draw(st.sampled_from(KINDS))))
    return edits


def _literally(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for ``re.subn`` that puts ``text`` in as it is (a replacement
    string would read its backslashes as escapes)."""
    return lambda _match: text


def _apply(root: Path, folder: Path, edits: list[tuple[str, str, str]], pick: int) -> None:
    for op, value, kind in edits:
        if op == "schema":
            line = f"schema = {value}"
            toml = folder / "dataset.toml"
            if toml.is_file() and not toml.is_symlink():
                text = toml.read_bytes().decode("utf-8", "replace")
                text, count = re.subn(r"(?m)^schema = .*$", _literally(line), text)
                if not count:
                    text = text.replace("[dataset]\n", f"[dataset]\n{line}\n", 1)
                toml.write_text(text, encoding="utf-8")
        else:
            entries = sorted(p.name for p in folder.iterdir())
            name = entries[pick % len(entries)] if op == "replace" and entries else value
            with contextlib.suppress(OSError):  # an edit an earlier one made impossible
                _make(folder / name, kind, folder)


def _loads(named: Path) -> None:
    warnings: list[Diagnostic] = []
    dataset = diagnosed(lambda: load_dataset(named, warnings=warnings))
    if dataset is not None:
        assert all(w.code == "D109" for w in warnings), warnings


@fuzz_settings()
@given(
    example=st.sampled_from(["kz", "selection"]),
    edits=folder_edits(),
    pick=st.integers(0, 200),
    named=st.sampled_from(["folder", "folder/", "link", "dataset.toml", "clusters.json"]),
)
def test_dataset_folders_as_file_systems(
    example: str, edits: list[tuple[str, str, str]], pick: int, named: str
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        if example == "kz":
            folder = root / "examples" / "kazakhstan-2021"
            shutil.copytree(KZ_DATA, folder)
            (root / "rules" / "schema").mkdir(parents=True)
            shutil.copy(RULES / "schema" / "kazakhstan.ckr", root / "rules" / "schema")
        else:
            folder = root / "examples" / "selection"
            shutil.copytree(EXAMPLES / "selection-2017-sample", folder)
        _apply(root, folder, edits, pick)
        (root / "link").symlink_to(folder)
        target = {
            "folder": folder,
            "folder/": Path(f"{folder}/"),
            "link": root / "link",
        }.get(named, folder / named)
        _loads(target)
