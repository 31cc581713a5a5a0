"""Fuzzing the rule-test files ``clusterkit test`` reads (``NAME.tests.toml``).

The shipped test files are edited as text, and as TOML documents with hostile values
anywhere in them (paths outside the project, dates out of range, expected values in
other units), then run beside their rules in a copy of the project. A test file either
runs (its cases pass or fail) or is refused with diagnostics.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import tomllib
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from clusterkit.lang.ruletests.runner import run_test_file
from tests.fuzz.common import diagnosed, fuzz_settings, mutated_text
from tests.fuzz.corpus import ROOT
from tests.fuzz.data import deep, mutated_document

#: The project folders that hold rule-test files, relative to the project.
FOLDERS = (
    Path("rules"),
    Path("examples/eu-cluster-labels"),
    Path("examples/ru-industrial-clusters"),
    Path("examples/pl-key-clusters"),
)
TEST_FILES = tuple(
    path.relative_to(ROOT)
    for folder in FOLDERS
    for path in sorted((ROOT / folder).glob("*.tests.toml"))
)


@cache
def _document(relative: Path) -> dict[str, Any]:
    document: dict[str, Any] = tomllib.loads(
        (ROOT / relative).read_text(encoding="utf-8"), parse_float=Decimal
    )
    return document


def toml_text(document: dict[str, Any]) -> str:
    """A document as TOML: ``key = value`` lines, every table inline."""
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in document.items())


def _key(key: object) -> str:
    return json.dumps(str(key), ensure_ascii=False)


def _value(value: Any) -> str:
    if deep(value):
        return "[" * 3000 + '"x"' + "]" * 3000
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value) if Decimal(value).is_finite() else "nan"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "nan"
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if value is None:
        return '""'
    text = json.dumps(str(value), ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _run(project: Path, relative: Path, content: bytes) -> None:
    target = project / relative
    original = target.read_bytes()
    target.write_bytes(content)
    try:
        diagnosed(lambda: run_test_file(target))
    finally:
        target.write_bytes(original)


@fuzz_settings(0.5)
@given(data=st.data())
def test_test_files_as_text(project: Path, data: st.DataObject) -> None:
    relative = data.draw(st.sampled_from(TEST_FILES))
    text = (ROOT / relative).read_text(encoding="utf-8")
    pool = ("/etc/passwd", "../../../etc", "0000-01-01", "2021-13-01", "pass", "fail", "[[cases]]")
    mutated = data.draw(mutated_text(text, pool))
    _run(project, relative, mutated.encode("utf-8", "surrogatepass"))


@fuzz_settings(0.5)
@given(data=st.data())
def test_test_files_with_hostile_values(project: Path, data: st.DataObject) -> None:
    relative = data.draw(st.sampled_from(TEST_FILES))
    document = data.draw(mutated_document(lambda: _document(relative)))
    value = document.value
    text = toml_text(value) if isinstance(value, dict) else f"x = {_value(value)}\n"
    _run(project, relative, text.encode("utf-8"))


def test_the_seeds_run_clean_in_the_copy(project: Path) -> None:
    # Unedited, every shipped test file runs and passes, so edits start from a clean state.
    for relative in TEST_FILES:
        target = project / relative
        target.write_text(toml_text(_document(relative)), encoding="utf-8")
        try:
            results = run_test_file(target)
        finally:
            shutil.copy(ROOT / relative, target)
        assert results
        assert [r.failures for r in results if r.failures] == []
