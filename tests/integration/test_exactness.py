"""The data schema says what the loader does: for one object of every kind (built-in and
declared), leaving out each field, giving a value of the wrong shape, or adding an
unknown key is refused by both, at the same data path, or by neither."""

from __future__ import annotations

import copy
import functools
import json
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clusterkit import DiagnosticError
from clusterkit.jsonschema import build
from clusterkit.jsonschema.check import check
from clusterkit.lang.program import declared_schema
from clusterkit.loader import dataset_from_document
from clusterkit.schema import Schema
from tests.integration.conftest import CLUSTERS, COST_ITEMS, DATASET
from tests.integration.helpers import errors, json_compatible, small_example

Path_ = list[str | int]


@functools.cache
def schema_for(schema: Schema) -> dict[str, Any]:
    return build("data", schema)


def more_kinds(document: dict[str, Any]) -> dict[str, Any]:
    """The example, with the kinds it lacks: rates, observations, a counter-obligation,
    tranches, milestones, an application's documents and history."""
    document = copy.deepcopy(document)
    document["rates"] = [
        {"base": "USD", "quote": "KZT", "rate": "420.5", "on": "2021-01-04", "source": "NBK"}
    ]
    document["observations"] = [
        {
            "cluster": document["clusters"][0]["id"],
            "indicator": "output",
            "year": 2021,
            "value": "12",
            "unit": "mln KZT",
            "reported_on": "2022-02-01",
            "reported_by": "QazIndustry",
        }
    ]
    project = document["programmes"][0]["projects"][0]
    currency = project["budget"].split()[-1]
    project["milestones"] = [{"id": "m1", "description": "plant built", "due": "2022-06-30"}]
    project["tranches"] = [
        {"number": 1, "year": 2022, "source": "state", "amount": f"1 {currency}", "condition": "m1"}
    ]
    cluster = document["clusters"][0]["id"]
    document["obligations"] = [
        {
            "id": "o1",
            "cluster": cluster,
            "indicator": "output",
            "unit": "mln KZT",
            "base_year": 2020,
            "base_value": "100",
            "target_year": 2024,
            "target_value": "120",
        }
    ]
    application = document["applications"][0]
    application["documents"] = [{"title": "Development strategy", "kind": "strategy"}]
    application["history"] = [{"status": "under_review", "on": application["submitted"]}]
    application["scores"] = [{"criterion": "strategy", "points": 4, "assessor": "A. N."}]
    return document


def instances(document: Any, schema: dict[str, Any]) -> dict[str, Path_]:
    """Where the first object of each definition is in ``document``."""
    found: dict[str, Path_] = {}

    def walk(value: Any, part: dict[str, Any], path: Path_) -> None:
        if "$ref" in part:
            name = part["$ref"].rsplit("/", 1)[-1]
            target = schema["$defs"][name]
            if isinstance(value, dict) and target.get("type") == "object":
                found.setdefault(name, path)
            walk(value, target, path)
        for alternative in part.get("anyOf", []):
            walk(value, alternative, path)
        if isinstance(value, dict) and "properties" in part:
            for key, item in value.items():
                if key in part["properties"]:
                    walk(item, part["properties"][key], [*path, key])
        if isinstance(value, list) and "items" in part:
            for index, item in enumerate(value):
                walk(item, part["items"], [*path, index])

    walk(document, schema, [])
    return found


def at(document: Any, path: Path_) -> Any:
    for part in path:
        document = document[part]
    return document


def data_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def loader_problems(document: dict[str, Any], schema: Schema) -> list[tuple[str, str]]:
    try:
        dataset_from_document(document, "data.json", schema=schema)
    except DiagnosticError as exc:
        return [(d.code, d.path or "") for d in exc.diagnostics]
    return []


def schema_paths(document: dict[str, Any], schema: Schema) -> list[str]:
    """The data paths of the schema's errors, as :func:`check` reports them."""
    return [d.path or "" for d in check(document, "data", schema)]


def cases(document: dict[str, Any], schema: Schema) -> Iterator[tuple[str, str, Path_, str]]:
    """``(definition, field, path of the object, change)`` for every field of every kind."""
    generated = schema_for(schema)
    for name, path in sorted(instances(document, generated).items()):
        definition = generated["$defs"][name]
        for field in definition["properties"]:
            yield name, field, path, "drop"
            yield name, field, path, "wrong shape"
        yield name, "zz_unknown", path, "add"


def check_case(
    document: dict[str, Any], schema: Schema, case: tuple[str, str, Path_, str]
) -> str | None:
    """Apply one change; None when the loader and the schema agree, else how they differ
    (``accepted``: the loader took a value the schema refuses; ``crashed``)."""
    name, field, path, change = case
    generated = schema_for(schema)
    required = field in generated["$defs"][name].get("required", [])
    changed = copy.deepcopy(document)
    target = at(changed, path)
    where = data_path([*path, field])
    if change == "drop":
        if field not in target:
            return None
        del target[field]
        by_loader = ("D105", where) in loader_problems(changed, schema)
        by_schema = where in schema_paths(changed, schema)
        assert (by_loader, by_schema) == (required, required), (name, field)
        return None
    target[field] = 1 if change == "add" else [[]]
    assert any(p.startswith(where) for p in schema_paths(changed, schema)), (name, field)
    try:
        found = loader_problems(changed, schema)
    except TypeError:
        return "crashed"
    if not found:
        return "accepted"
    # At the field, inside it, or (for a value the model's own checks refuse) at its object.
    inside = (where, data_path(path))
    assert any(p in inside or p.startswith((f"{where}.", f"{where}[")) for _, p in found), found
    return None


def gaps(document: dict[str, Any], schema: Schema, kind: str | None = None) -> dict[str, str]:
    """Every difference between the loader and the schema (there must be none)."""
    observed: dict[str, str] = {}
    for case in cases(document, schema):
        name, field, _path, _change = case
        if kind is not None and name != kind:
            continue
        found = check_case(document, schema, case)
        if found is not None:
            observed[f"{name}.{field}"] = found
    assert observed == {}, "the loader and the schema differ"
    return observed


BUILTIN = more_kinds(small_example())


def test_the_documents_hold_every_kind() -> None:
    covered = set(instances(BUILTIN, schema_for(Schema())))
    objects = {n for n, d in schema_for(Schema())["$defs"].items() if d.get("type") == "object"}
    assert covered == objects
    assert errors("data", BUILTIN) == []
    assert loader_problems(BUILTIN, Schema()) == []


@pytest.mark.parametrize("kind", sorted(instances(BUILTIN, schema_for(Schema()))))
def test_each_built_in_kind_is_described_exactly(kind: str) -> None:
    gaps(BUILTIN, Schema(), kind)


def regime_document() -> dict[str, Any]:
    """The declared-schema dataset as one document, numbers read as the loader reads them."""
    files = {**json_compatible(tomllib.loads(DATASET)), **CLUSTERS, **COST_ITEMS}
    document: dict[str, Any] = json.loads(json.dumps(files), parse_float=Decimal)
    return document


def test_declared_kinds_and_fields_are_described_exactly(regime: Path) -> None:
    schema, problems = declared_schema([regime / "schema.ckr"])
    assert problems == []
    document = regime_document()
    assert errors("data", document, schema) == []
    assert loader_problems(document, schema) == []
    checked = {f"{name}.{field}" for name, field, _, _ in cases(document, schema)}
    assert {"cost_item.amount", "cost_item.project", "participant.inn", "cluster.member_types"} <= (
        checked
    )
    gaps(document, schema)


def test_the_built_in_schema_refuses_declared_fields(regime: Path) -> None:
    found = errors("data", regime_document())
    assert "$: Additional properties are not allowed ('cost_items' was unexpected)" in found
    assert any(e.startswith("$.clusters[0].participants[0]: Additional") for e in found)
