"""JSON Schema (draft 2020-12) for clusterkit's files, generated from the model.

- ``data``: a data file (JSON, or TOML read as JSON): the ``dataset`` information and
  every collection, each field with its type, required fields, enumerations and the
  number, money, unit and date formats; with a :class:`~clusterkit.schema.Schema`,
  also the kinds and fields its schema files declare.
- ``results``: evaluation results, ``clusterkit.results/1``
  (``clusterkit check --format json``, :meth:`clusterkit.ResultSet.to_dict`).
- ``report``: the JSON report, ``clusterkit.report/1`` (``clusterkit report --format json``).
- ``diagnostics``: ``{"diagnostics": [...]}`` (``--format json`` when input has errors).

The schemas of the built-in model ship in the package (``clusterkit/schemas/NAME.schema.json``,
read with :func:`shipped`); ``python -m clusterkit.jsonschema`` writes them again, and a
test checks they match what :func:`build` makes. ``clusterkit schema NAME`` prints one.
"""

from __future__ import annotations

import importlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

from clusterkit.jsonschema.model import Generator, data_file
from clusterkit.schema import Schema

__all__ = ["DIALECT", "NAMES", "build", "definitions", "dumps", "shipped", "write_shipped"]

Json = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: The schemas there are, in the order ``clusterkit schema`` lists them.
NAMES = ("data", "results", "report", "diagnostics")
_BASE = "https://example.invalid/clusterkit/schemas/"
_TITLES = {
    "data": "clusterkit data file",
    "results": "clusterkit results (clusterkit.results/1)",
    "report": "clusterkit JSON report (clusterkit.report/1)",
    "diagnostics": "clusterkit diagnostics",
}
_ROOT_DEF = {"results": "results", "report": "report", "diagnostics": "diagnostics"}


def definitions(name: str, schema: Schema | None = None) -> tuple[Json, dict[str, Json]]:
    """The body of schema ``name`` and the definitions it refers to (``#/$defs/...``)."""
    if name == "data":
        return data_file(schema)
    if name not in _ROOT_DEF:
        raise ValueError(f"unknown schema {name!r}: expected one of {', '.join(NAMES)}")
    # The outputs' schemas read the rules language's constants: imported when needed.
    outputs = importlib.import_module("clusterkit.jsonschema.outputs")
    generator = Generator(output=True)
    make = {
        "results": outputs.results_defs,
        "report": outputs.report_defs,
        "diagnostics": outputs.diagnostics_defs,
    }[name]
    make(generator)
    defs = dict(generator.defs)
    body = defs.pop(_ROOT_DEF[name])
    return body, dict(sorted(defs.items()))


def build(name: str, schema: Schema | None = None) -> Json:
    """Schema ``name`` (one of :data:`NAMES`) as a JSON Schema document.

    For ``data``, ``schema`` adds what schema files declare (default: the built-in model).
    """
    body, defs = definitions(name, schema)
    document: Json = {"$schema": DIALECT, "$id": f"{_BASE}{name}.schema.json"}
    document["title"] = _TITLES[name]
    if schema is not None and not schema.is_default:
        document["title"] += ", with declared kinds and fields"
    document.update(body)
    document["$defs"] = defs
    return document


def dumps(document: Json) -> str:
    """A schema as the shipped files hold it (sorted nowhere: keys in their order)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def shipped(name: str) -> Json:
    """The schema ``name`` of the built-in model, as shipped in the package."""
    if name not in NAMES:
        raise ValueError(f"unknown schema {name!r}: expected one of {', '.join(NAMES)}")
    text = resources.files("clusterkit").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    document: Json = json.loads(text)
    return document


def write_shipped(folder: Path | None = None) -> list[Path]:
    """Write every schema of the built-in model (default: into the package's folder)."""
    target = folder or Path(str(resources.files("clusterkit").joinpath("schemas")))
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in NAMES:
        path = target / f"{name}.schema.json"
        path.write_text(dumps(build(name)), encoding="utf-8")
        written.append(path)
    return written
