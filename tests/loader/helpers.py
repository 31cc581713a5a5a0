"""Loading a dataset that should fail, editing a JSON file of a copy of the example, and
small datasets with a schema for the tests of tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clusterkit import Dataset, Diagnostic, DiagnosticError, load_dataset
from clusterkit.lang.program import declared_schema
from clusterkit.schema import Schema


def load_errors(path: Path) -> list[str]:
    with pytest.raises(DiagnosticError) as exc:
        load_dataset(path)
    return [str(d) for d in exc.value.diagnostics]


def edit_json(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


#: A schema in the way policy authors write one: a declared kind with a table of its
#: own, and fields added to participants.
SCHEMA = """schema t.schema
unit FTE
kind cost_item
  belongs to project
  id required
  field amount: money in KZT required
  field incurred: date required
  field supplier: participant
  field share: percent
  field fte: number in FTE
  field listed: yes/no
  field tags: list of text
extend participant
  field staff: number
"""

#: A dataset's documents that the tables of the tests add to.
INFO_TOML = """[dataset]
id = "t"
title = { en = "T" }
schema = ["schema.ckr"]

[[regions]]
code = "KZ-AKM"
name = { en = "Akmola" }

[[sectors]]
code = "food"
name = { en = "Food" }
"""

CLUSTERS_JSON = """{"clusters": [{"id": "c1", "name": {"en": "C"}, "regions": ["KZ-AKM"],
  "sector": "food"}],
 "programmes": [{"id": "g1", "cluster": "c1", "title": {"en": "G"}, "start": "2021-01-01",
  "end": "2024-12-31", "projects": [{"id": "j1", "title": {"en": "J"},
  "budget": "500 mln KZT"}]}]}
"""

#: A participant's cells (a valid BIN), in the order of PARTICIPANT_HEADER.
PARTICIPANT_HEADER = ["id", "bin", "role", "region", "oked", "member_from", "name_ru", "staff"]
PARTICIPANT = [
    "p1",
    "060240113698",
    "coordinator",
    "KZ-AKM",
    "10.51",
    "2017-03-01",
    "Организация",
    "12",
]


def write_dataset(root: Path, files: dict[str, str | bytes]) -> Path:
    """A dataset folder with the schema, info and clusters above, and ``files`` added."""
    contents: dict[str, str | bytes] = {
        "schema.ckr": SCHEMA,
        "dataset.toml": INFO_TOML,
        "clusters.json": CLUSTERS_JSON,
        **files,
    }
    for name, content in contents.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def loaded(root: Path) -> tuple[Dataset, list[str]]:
    """The dataset at ``root`` and its warnings."""
    warnings: list[Diagnostic] = []
    dataset = load_dataset(root, warnings=warnings)
    return dataset, [str(w) for w in warnings]


def declared(folder: Path) -> Schema:
    """The schema :data:`SCHEMA` declares (written to ``folder``)."""
    (folder / "schema.ckr").write_text(SCHEMA, encoding="utf-8")
    schema, problems = declared_schema([folder / "schema.ckr"])
    assert problems == []
    return schema
