"""Saving then loading gives back an equal model."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from clusterkit import dump_dataset, load_dataset, save_dataset
from clusterkit.model import Dataset
from tests.strategies import datasets


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_save_then_load_gives_an_equal_dataset(dataset: Dataset) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "dataset.json"
        save_dataset(dataset, target)
        assert load_dataset(target) == dataset


def test_the_example_round_trips(example_dir: Path, tmp_path: Path) -> None:
    original = load_dataset(example_dir)
    save_dataset(original, tmp_path / "all.json")
    again = load_dataset(tmp_path / "all.json")
    assert again == original
    assert dump_dataset(again) == dump_dataset(original)


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
