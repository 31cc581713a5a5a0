"""Fuzzing JSON and TOML data: files as text and bytes in a dataset folder, and
documents as Python data (``dataset_from_dict``).

Data either loads or is refused with diagnostics; data that loads is evaluated with
the shipped rules and reported in every format without an exception.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterkit import dataset_from_dict, load_dataset
from clusterkit.loader import dataset_from_document
from tests.fuzz.common import Shown, diagnosed, fuzz_settings, mutated_bytes, mutated_text
from tests.fuzz.conftest import in_copy
from tests.fuzz.data import (
    DATA_FOLDERS,
    REPORTS,
    kz_document,
    kz_info,
    kz_program,
    mutated_document,
    report_everything,
)

DAYS = st.sampled_from([dt.date(2021, 6, 1), dt.date(1, 1, 1), dt.date(9999, 12, 31)])


@pytest.fixture
def folders(project: Path) -> dict[Path, Path]:
    """The copy of each example dataset, by original."""
    return {folder: in_copy(project, folder) for folder in DATA_FOLDERS}


def _documents(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".json", ".toml"))


def _load_with_one_file(folders: dict[Path, Path], original: Path, content: bytes) -> None:
    folder = folders[original.parent]
    target = folder / original.name
    target.write_bytes(content)
    try:
        dataset = diagnosed(lambda: load_dataset(folder))
        if dataset is not None:
            report_everything(dataset, None, ("text", "csv"))
    finally:
        target.write_bytes(original.read_bytes())


@fuzz_settings()
@given(data=st.data())
def test_json_and_toml_files_as_text(folders: dict[Path, Path], data: st.DataObject) -> None:
    folder = data.draw(st.sampled_from(DATA_FOLDERS))
    original = data.draw(st.sampled_from(_documents(folder)))
    text = data.draw(mutated_text(original.read_text(encoding="utf-8")))
    _load_with_one_file(folders, original, text.encode("utf-8", "surrogatepass"))


@fuzz_settings(0.5)
@given(data=st.data())
def test_json_and_toml_files_as_bytes(folders: dict[Path, Path], data: st.DataObject) -> None:
    folder = data.draw(st.sampled_from(DATA_FOLDERS))
    original = data.draw(st.sampled_from(_documents(folder)))
    _load_with_one_file(folders, original, data.draw(mutated_bytes(original.read_bytes())))


@fuzz_settings()
@given(document=mutated_document(kz_document), day=DAYS)
def test_documents_with_hostile_values(document: Shown[Any], day: dt.date) -> None:
    # The whole Kazakh example as one document with hostile values anywhere in it; what
    # loads is evaluated with the shipped rules and reported.
    dataset = diagnosed(
        lambda: dataset_from_document(document.value, "fuzz.json", schema=kz_program().schema)
    )
    if dataset is not None:
        report_everything(dataset, day, REPORTS)


@fuzz_settings(0.5)
@given(document=mutated_document(kz_info))
def test_dataset_from_dict(document: Shown[Any]) -> None:
    # The front door takes any Python object, not only what JSON can hold.
    diagnosed(lambda: dataset_from_dict(document.value))
