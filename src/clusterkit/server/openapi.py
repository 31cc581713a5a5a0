"""The HTTP API's OpenAPI 3.1 document, its schemas the JSON Schemas clusterkit publishes.

The request's ``dataset`` is the data-file schema (with what the loaded rules declare),
a 200 of ``POST /evaluate`` is the results schema (``clusterkit.results/1``), and every
error is ``{"status", "error", "diagnostics"}`` with the diagnostics schema's items.
"""

from __future__ import annotations

from typing import Any

from clusterkit._version import __version__
from clusterkit.i18n import LANGUAGES
from clusterkit.jsonschema import DIALECT, NAMES, definitions
from clusterkit.schema import Schema
from clusterkit.server.service import MAX_BODY_BYTES

__all__ = ["EXAMPLE_REQUEST", "openapi"]

Json = dict[str, Any]

_NULLABLE_TEXT: Json = {"anyOf": [{"type": "string"}, {"type": "null"}]}

#: A request that evaluates: one cluster, one project, one rule given as text.
EXAMPLE_REQUEST: Json = {
    "dataset": {
        "dataset": {"id": "demo", "title": {"en": "Demo"}, "published": "2021-06-01"},
        "regions": [{"code": "KZ-AKM", "name": {"en": "Akmola region"}}],
        "sectors": [{"code": "dairy", "name": {"en": "Dairy"}}],
        "clusters": [
            {
                "id": "milk-akmola",
                "name": {"en": "Dairy cluster"},
                "regions": ["KZ-AKM"],
                "sector": "dairy",
            }
        ],
        "programmes": [
            {
                "id": "tcp-milk",
                "cluster": "milk-akmola",
                "title": {"en": "Dairy TCP"},
                "start": "2021-01-01",
                "end": "2025-12-31",
                "projects": [
                    {
                        "id": "milk-plant",
                        "title": {"en": "Processing plant"},
                        "budget": "300 mln KZT",
                        "financing": [
                            {"source": "cluster", "amount": "90 mln KZT"},
                            {"source": "state", "amount": "210 mln KZT"},
                        ],
                    }
                ],
            }
        ],
    },
    "rules": "rulebook demo\nrule share for each p in projects\n"
    "  require p.cluster_amount >= 30 % * p.budget within precision\n",
    "lang": "en",
}


def _components(schema: Schema) -> dict[str, Json]:
    """Every definition of the data and results schemas, under one roof."""
    components: dict[str, Json] = {}
    data, data_defs = definitions("data", schema)
    results, results_defs = definitions("results")
    for name, body in [
        ("data_file", data),
        ("results", results),
        *data_defs.items(),
        *results_defs.items(),
    ]:
        if name in components and components[name] != body:
            raise ValueError(f"two schemas define {name!r} differently")  # pragma: no cover
        components[name] = body
    components.update(_api_components())
    return {name: _rehome(body) for name, body in components.items()}


def _rehome(value: Any) -> Any:
    """``#/$defs/X`` references as ``#/components/schemas/X``."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str) and item.startswith("#/$defs/"):
                out[key] = "#/components/schemas/" + item.removeprefix("#/$defs/")
            else:
                out[key] = _rehome(item)
        return out
    if isinstance(value, list):
        return [_rehome(item) for item in value]
    return value


def _ref(name: str) -> Json:
    return {"$ref": f"#/$defs/{name}"}


def _api_components() -> dict[str, Json]:
    return {
        "evaluate_request": {
            "description": "Rules to evaluate and the data to evaluate them on.",
            "type": "object",
            "properties": {
                "dataset": {
                    "description": "The dataset, shaped as one data file holding all of it. "
                    "It may hold the kinds the loaded rules declare (this schema) and those "
                    "the request's rule text declares; files its 'dataset.schema' names are "
                    "not read.",
                    "allOf": [_ref("data_file"), {"required": ["dataset"]}],
                },
                "rulebooks": {
                    "description": "Ids of loaded rulebooks to evaluate (default: all, "
                    "unless 'rules' is given).",
                    "type": "array",
                    "items": {"type": "string"},
                },
                "rules": {
                    "description": "Rule text to evaluate, compiled as request.ckr.",
                    "type": "string",
                },
                "as_of": {
                    "description": "The date to evaluate as of (default: the dataset's "
                    "'published').",
                    "type": "string",
                    "format": "date",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                },
                "lang": {"type": "string", "enum": list(LANGUAGES), "default": "en"},
            },
            "required": ["dataset"],
            "additionalProperties": False,
        },
        "error": {
            "description": "A refused request: the HTTP status, one sentence, and the "
            "diagnostics that explain it (codes, data paths from the request's top, spans "
            "in request.ckr).",
            "type": "object",
            "properties": {
                "status": {"type": "integer"},
                "error": {"type": "string"},
                "diagnostics": {"type": "array", "items": _ref("diagnostic")},
            },
            "required": ["status", "error", "diagnostics"],
            "additionalProperties": False,
        },
        "rulebook": {
            "description": "A loaded rule file: a rulebook version, or a schema file that "
            "declares what data may hold and has no rules (schema true). Any id listed may "
            "be named in 'rulebooks'; a schema file gives no verdicts.",
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "version": {"type": "string"},
                "title": {
                    "description": "Its title by language.",
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                },
                "in_force_from": _NULLABLE_TEXT,
                "in_force_until": _NULLABLE_TEXT,
                "path": {"type": "string"},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "rules": {
                    "description": "The names of its rules, in file order.",
                    "type": "array",
                    "items": {"type": "string"},
                },
                "schema": {
                    "description": "A file of declarations only (kinds, fields, units), "
                    "as the results' provenance marks it.",
                    "type": "boolean",
                },
            },
            "required": [
                "id",
                "version",
                "title",
                "in_force_from",
                "in_force_until",
                "path",
                "sha256",
                "rules",
                "schema",
            ],
            "additionalProperties": False,
        },
        "rulebook_list": _list_of("rulebooks", "rulebook"),
        "run_summary": {
            "description": "An evaluation kept in the store.",
            "type": "object",
            "properties": _run_properties(),
            "required": list(_run_properties()),
            "additionalProperties": False,
        },
        "run_list": _list_of("runs", "run_summary"),
        "stored_run": {
            "description": "An evaluation kept in the store, with its results as given then.",
            "type": "object",
            "properties": {**_run_properties(), "results": _ref("results")},
            "required": [*_run_properties(), "results"],
            "additionalProperties": False,
        },
    }


def _run_properties() -> Json:
    return {
        "id": {"type": "integer", "minimum": 1},
        "recorded_at": {"type": "string", "format": "date-time"},
        "as_of": _ref("date"),
        "dataset": {"type": "string"},
        "data_sha256": {"type": "string"},
    }


def _list_of(key: str, item: str) -> Json:
    return {
        "type": "object",
        "properties": {key: {"type": "array", "items": _ref(item)}},
        "required": [key],
        "additionalProperties": False,
    }


def _json(name: str, description: str) -> Json:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def _errors(*statuses: int) -> dict[str, Json]:
    reasons = {
        400: "The body is not a JSON object.",
        404: "Not found.",
        413: f"The body is larger than {MAX_BODY_BYTES} bytes.",
        422: "The request, its rules or its dataset have errors (see the diagnostics).",
        503: "The store cannot be read.",
    }
    return {str(status): _json("error", reasons[status]) for status in statuses}


def openapi(schema: Schema | None = None) -> Json:
    """The OpenAPI document, its data schema extended with what ``schema`` declares."""
    run_id = {
        "name": "run_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    }
    name = {"name": "name", "in": "path", "required": True, "schema": {"enum": list(NAMES)}}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": DIALECT,
        "info": {
            "title": "clusterkit",
            "version": __version__,
            "description": "Evaluate cluster-development rulebooks on a dataset, list the "
            "rulebooks, read stored runs. Numbers, money and dates are exact text.",
        },
        "paths": {
            "/evaluate": {
                "post": {
                    "operationId": "evaluate",
                    "summary": "Evaluate rulebooks on a dataset",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/evaluate_request"},
                                "example": EXAMPLE_REQUEST,
                            }
                        },
                    },
                    "responses": {
                        "200": _json("results", "The results (clusterkit.results/1)."),
                        **_errors(400, 413, 422),
                    },
                }
            },
            "/rulebooks": {
                "get": {
                    "operationId": "rulebooks",
                    "summary": "The loaded rulebooks and their versions",
                    "responses": {
                        "200": _json(
                            "rulebook_list", "The loaded rule files: rulebooks and schema files."
                        )
                    },
                }
            },
            "/runs": {
                "get": {
                    "operationId": "runs",
                    "summary": "The evaluations kept in the store",
                    "responses": {
                        "200": _json("run_list", "The stored runs, oldest first."),
                        **_errors(404, 503),
                    },
                }
            },
            "/runs/{run_id}": {
                "get": {
                    "operationId": "run",
                    "summary": "One stored evaluation, exactly as it was given",
                    "parameters": [run_id],
                    "responses": {
                        "200": _json("stored_run", "The run and its results."),
                        **_errors(404, 503),
                    },
                }
            },
            "/schemas/{name}": {
                "get": {
                    "operationId": "schema",
                    "summary": "A JSON Schema (the data schema with what the rules declare)",
                    "parameters": [name],
                    "responses": {
                        "200": {
                            "description": "The JSON Schema.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **_errors(404),
                    },
                }
            },
        },
        "components": {"schemas": _components(schema or Schema())},
    }
