"""The API's OpenAPI document names the published schemas, every reference in it
resolves, and a property-based API tester (schemathesis, in-process, a bounded number
of examples, requests the document allows and requests it does not) finds every
response documented and conforming, every invalid request refused, no server error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from clusterkit.jsonschema import definitions
from clusterkit.lang.program import declared_schema
from clusterkit.server import Service, create_app
from clusterkit.server.openapi import EXAMPLE_REQUEST, openapi
from tests.integration.helpers import ROOT, RULES, Client

APP = create_app(Service([str(RULES)]))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
# The coverage phase derives thousands of boundary cases from the data schema; the
# examples hypothesis generates (bounded below) keep the run to seconds.
SCHEMA.config.phases.coverage.enabled = False
# Requests the document allows, and requests it does not (which must be refused).
SCHEMA.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


def references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def test_the_document_is_served_and_every_reference_resolves() -> None:
    served = Client(APP).get("/openapi.json").json()
    # Its data schema has what the loaded rules declare, read here from the files alone.
    declared, problems = declared_schema([RULES])
    assert problems == []
    assert declared.kinds
    assert served == openapi(declared)
    dataset = served["components"]["schemas"]["data_file"]["properties"]
    assert {kind.collection for kind in declared.kinds} <= set(dataset)
    assert served["openapi"] == "3.1.0"
    components = served["components"]["schemas"]
    for ref in references(served):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in components, ref


def rehomed(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else rehomed(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [rehomed(v) for v in value]
    return value


def test_it_names_the_real_request_and_result_schemas() -> None:
    document = openapi()
    components = document["components"]["schemas"]
    data, data_defs = definitions("data")
    results, results_defs = definitions("results")
    assert components["data_file"] == rehomed(data)
    assert components["results"] == rehomed(results)
    for name, body in {**data_defs, **results_defs}.items():
        assert components[name] == rehomed(body), name
    evaluate = document["paths"]["/evaluate"]["post"]
    request = evaluate["requestBody"]["content"]["application/json"]["schema"]
    assert request == {"$ref": "#/components/schemas/evaluate_request"}
    dataset = components["evaluate_request"]["properties"]["dataset"]
    assert {"$ref": "#/components/schemas/data_file"} in dataset["allOf"]
    ok = evaluate["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/results"}
    assert set(evaluate["responses"]) == {"200", "400", "413", "422"}


def test_the_documented_example_evaluates() -> None:
    response = Client(APP).post("/evaluate", json=EXAMPLE_REQUEST)
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["pass"] == 1


@SCHEMA.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_keeps_its_document(case: schemathesis.Case[Any]) -> None:
    # A dataset of the published shape can still be refused for what no schema says
    # (a reference to a cluster that is not there): a 422 with its diagnostics is right.
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])


def test_the_docs_show_the_documented_example() -> None:
    text = (ROOT / "docs" / "integration.md").read_text(encoding="utf-8")
    block = text.split("with `request.json`", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(block) == EXAMPLE_REQUEST
    for path in openapi()["paths"]:
        assert f"{path}`" in text, path
