"""A dataset under a declared schema: new kinds, new fields, another identifier scheme."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SCHEMA = """\
schema demo.schema
  title en "Demo schema"

unit FTE, FTEs

kind cost_item
  title en "Cost item" ru "Статья затрат"
  belongs to project
  id required
  field amount: money in RUB required
  field incurred: date required
  field supplier: participant
  field category: one of "equipment", "starter_batch"
  field share: percent
  field tags: list of text
  field listed: yes/no

extend participant
  field in_sez: yes/no
  field fte: number in FTE
  field inn: identifier ru_inn
  field bin: identifier text
  allow role "public_authority"

extend cluster
  field member_types: list of text
"""

DATASET = """\
[dataset]
id = "demo"
title = { en = "Demo" }
published = 2023-06-01
schema = ["../schema.ckr"]

[[regions]]
code = "RU-CHE"
name = { en = "Chelyabinsk" }

[[sectors]]
code = "machinery"
name = { en = "Machinery" }
"""

CLUSTERS = {
    "clusters": [
        {
            "id": "c1",
            "name": {"en": "One"},
            "regions": ["RU-CHE"],
            "sector": "machinery",
            "member_types": ["industry", "research"],
            "participants": [
                {
                    "id": "p1",
                    "name": {"en": "Plant"},
                    "role": "small_enterprise",
                    "region": "RU-CHE",
                    "member_from": "2020-01-01",
                    "in_sez": True,
                    "fte": "0.8 FTE",
                    "inn": "7707083893",
                    "bin": "X1",
                    "oked": "28.1",
                },
                {
                    "id": "p2",
                    "name": {"en": "Ministry"},
                    "role": "public_authority",
                    "region": "RU-CHE",
                    "member_from": "2020-01-01",
                    "in_sez": "no",
                    "oked": "84.11",
                },
            ],
        }
    ],
    "programmes": [
        {
            "id": "tcp1",
            "cluster": "c1",
            "title": {"en": "T"},
            "start": "2022-01-01",
            "end": "2025-12-31",
            "projects": [
                {
                    "id": "jp1",
                    "title": {"en": "Joint"},
                    "budget": "500 mln RUB",
                    "financing": [{"source": "cluster", "amount": "150 mln RUB"}],
                }
            ],
        }
    ],
}

COST_ITEMS = {
    "cost_items": [
        {
            "id": "ci1",
            "project": "jp1",
            "amount": "200 mln RUB",
            "incurred": "2023-01-01",
            "supplier": "p1",
            "category": "starter_batch",
            "share": "30 %",
            "tags": "new|imported",
            "listed": True,
        },
        {
            "id": "ci2",
            "project": "jp1",
            "amount": {"amount": "150000000", "currency": "RUB"},
            "incurred": "2022-12-30",
            "category": "equipment",
            "share": 12.5,
            "tags": ["used"],
        },
    ]
}


@pytest.fixture
def regime(tmp_path: Path) -> Path:
    """A folder with ``schema.ckr`` and ``data/`` (dataset.toml, clusters.json, cost_items.json)."""
    (tmp_path / "schema.ckr").write_text(SCHEMA, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "dataset.toml").write_text(DATASET, encoding="utf-8")
    (data / "clusters.json").write_text(json.dumps(CLUSTERS), encoding="utf-8")
    (data / "cost_items.json").write_text(json.dumps(COST_ITEMS), encoding="utf-8")
    return tmp_path
