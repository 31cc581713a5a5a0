"""A small dataset that uses every kind of declaration a store must keep: a declared
kind with ids and one without (belonging to a cluster), declared fields of built-in
kinds (nested participants, regions, observations), enumeration values added to the
participants' roles, a declared unit, references and lists of references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA = """\
schema test.declared

unit tonne, tonnes

kind grant
  id required
  field cluster: cluster required
  field amount: money in KZT required
  field status: one of "open", "closed" required
  field regions: list of region
  field weight: number in tonne
  field decided: date

kind visit
  collection visits
  belongs to cluster
  field day: date required
  field note: text

extend participant
  field staff: number
  field listed: yes/no
  allow role "public_authority"

extend region
  field capital: text

extend observation
  field source_doc: text
"""


def participant(pid: str, bin_: str, role: str, **declared: object) -> dict[str, Any]:
    return {
        "id": pid,
        "name": {"en": f"Participant {pid}"},
        "bin": bin_,
        "role": role,
        "region": "KZ-KAR",
        "oked": "23.61",
        "member_from": "2017-03-01",
        **declared,
    }


def document() -> dict[str, Any]:
    return {
        "dataset": {
            "id": "declared",
            "title": {"en": "Declared data"},
            "schema": ["schema.ckr"],
        },
        "regions": [
            {"code": "KZ-KAR", "name": {"en": "Karaganda region"}, "capital": "Karaganda"},
            {"code": "KZ-ALA", "name": {"en": "Almaty city"}},
        ],
        "sectors": [{"code": "construction", "name": {"en": "Construction"}, "oked": ["23"]}],
        "clusters": [
            {
                "id": "c1",
                "name": {"en": "Cluster one"},
                "regions": ["KZ-KAR"],
                "sector": "construction",
                "coordinator": "s01",
                "participants": [
                    participant("s01", "060240100370", "coordinator", staff="12", listed=True),
                    participant("s02", "070340100742", "public_authority", staff="3.5"),
                ],
            }
        ],
        "series": [
            {
                "cluster": "c1",
                "indicator": "output",
                "unit": "mln KZT",
                "source": "test",
                "values": [{"year": 2020, "value": "100"}],
            }
        ],
        "observations": [
            {
                "cluster": "c1",
                "indicator": "output",
                "year": 2021,
                "value": "110",
                "unit": "mln KZT",
                "reported_on": "2022-02-01",
                "reported_by": "bureau",
                "source_doc": "bulletin 2/2022",
            }
        ],
        "grants": [
            {
                "id": "g1",
                "cluster": "c1",
                "amount": "12.5 mln KZT",
                "status": "open",
                "regions": ["KZ-KAR", "KZ-ALA"],
                "weight": "2.5 tonnes",
                "decided": "2021-05-04",
            },
            {"id": "g2", "cluster": "c1", "amount": "1 mln KZT", "status": "closed"},
        ],
        "visits": [
            {"cluster": "c1", "day": "2021-03-01", "note": "first"},
            {"cluster": "c1", "day": "2021-09-01"},
        ],
    }


def write(folder: Path, data: dict[str, Any] | None = None) -> Path:
    """The dataset's folder: ``schema.ckr`` and ``dataset.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema.ckr").write_text(SCHEMA, encoding="utf-8")
    text = json.dumps(data or document(), ensure_ascii=False, indent=1)
    (folder / "dataset.json").write_text(text, encoding="utf-8")
    return folder
