"""Saving then loading gives back an equal model, declared data and its schema too."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from clusterkit import dump_dataset, load_dataset, save_dataset
from clusterkit.model import Dataset
from clusterkit.schema import Schema, schema_from_data, schema_to_data
from tests.strategies import datasets, declared_datasets, declared_schemas


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_save_then_load_gives_an_equal_dataset(dataset: Dataset) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "dataset.json"
        save_dataset(dataset, target)
        assert load_dataset(target) == dataset


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(declared_datasets())
def test_declared_data_and_its_schema_round_trip(dataset: Dataset) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "dataset.json"
        save_dataset(dataset, target)
        again = load_dataset(target)
    assert again.schema == dataset.schema
    assert again.records == dataset.records
    assert again == dataset


@settings(max_examples=60, deadline=None)
@given(declared_schemas())
def test_a_schemas_json_form_round_trips(schema: Schema) -> None:
    data = schema_to_data(schema)
    assert data["format"] == "clusterkit.schema/1"
    assert schema_from_data(json.loads(json.dumps(data))) == schema
    assert schema_to_data(Schema()) == {"format": "clusterkit.schema/1"}


def test_the_example_round_trips(example_dir: Path, tmp_path: Path) -> None:
    original = load_dataset(example_dir)
    assert original.records_of("budget_lines")  # declared data, to be kept
    save_dataset(original, tmp_path / "all.json")
    # The saved file stands alone: its schema is embedded, not named by a path
    # relative to the example's folder.
    saved = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert saved["dataset"]["declarations"]["format"] == "clusterkit.schema/1"
    again = load_dataset(tmp_path / "all.json")
    assert again == original
    assert again.schema == original.schema
    assert dump_dataset(again) == dump_dataset(original)


def test_a_saved_dataset_loads_from_another_folder_without_its_rule_files(
    example_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy of the example and of the schema it names (../../rules/schema/...).
    root = example_dir.parents[1]
    copy = tmp_path / "project" / example_dir.relative_to(root)
    shutil.copytree(example_dir, copy)
    shutil.copytree(root / "rules" / "schema", tmp_path / "project" / "rules" / "schema")
    original = load_dataset(copy)
    assert not original.schema.is_default
    (tmp_path / "elsewhere").mkdir()
    save_dataset(original, tmp_path / "elsewhere" / "all.json")
    shutil.rmtree(tmp_path / "project")
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert load_dataset("all.json") == original


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, example_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "all.json"
    dataset = load_dataset(example_dir)
    save_dataset(dataset, target)
    before = target.read_text(encoding="utf-8")

    def crash(_fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        save_dataset(attrs.evolve(dataset, figures=()), target)
    assert target.read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["all.json"]
