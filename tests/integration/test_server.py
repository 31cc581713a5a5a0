"""The HTTP API, through an HTTP client in-process: evaluation, rulebooks, stored runs,
schemas, and a clear 4xx with diagnostics for every kind of bad request."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from clusterkit.server import Service, create_app
from clusterkit.server import app as app_module
from clusterkit.server import service as service_module
from clusterkit.server.openapi import openapi
from tests.cli.runner import run
from tests.integration.conftest import CLUSTERS, COST_ITEMS
from tests.integration.helpers import EXAMPLE, RULES, Client, errors, whole_example

DOCUMENT = openapi()


def conforms(body: Any, component: str) -> None:
    """``body`` is valid against one of the OpenAPI document's schemas."""
    root = {"$ref": f"#/components/schemas/{component}", "components": DOCUMENT["components"]}
    found = jsonschema.Draft202012Validator(root).iter_errors(body)
    assert [f"{e.json_path}: {e.message}" for e in found] == []


@pytest.fixture(scope="module")
def client() -> Client:
    return Client(create_app(Service([str(RULES)])))


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return whole_example()


def refused(response: Any, status: int) -> list[dict[str, Any]]:
    """The diagnostics of an error response with ``status``, its shape checked."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    conforms(body, "error")
    assert body["status"] == status
    diagnostics: list[dict[str, Any]] = body["diagnostics"]
    return diagnostics


# -- rulebooks ---------------------------------------------------------------------------------


def test_rulebooks_lists_ids_versions_dates_paths_and_hashes(client: Client) -> None:
    response = client.get("/rulebooks")
    assert response.status_code == 200
    body = response.json()
    conforms(body, "rulebook_list")
    books = {b["id"]: b for b in body["rulebooks"]}
    assert set(books) == {
        "kz.registry.entry",
        "kz.selection",
        "kz.tcp.cofinancing",
        "kz.tcp.monitoring",
        "kz.published.figures",
    }
    selection = books["kz.selection"]
    assert selection["version"] == "Order 873"
    assert (selection["in_force_from"], selection["in_force_until"]) == ("2016-12-23", "2022-07-11")
    assert selection["path"] == str(RULES / "selection-873.ckr")
    assert "cluster_share" in books["kz.tcp.cofinancing"]["rules"]
    assert books["kz.tcp.cofinancing"]["title"]["ru"].startswith("Целевая")


# -- evaluation --------------------------------------------------------------------------------


def test_evaluate_gives_what_check_gives(client: Client, example: dict[str, Any]) -> None:
    response = client.post("/evaluate", json={"dataset": example, "as_of": "2021-06-01"})
    assert response.status_code == 200
    body = response.json()
    assert errors("results", body) == []
    code, out, _ = run("check", str(RULES), "--data", str(EXAMPLE), "--format", "json")
    assert code == 1
    expected = json.loads(out)
    assert body["summary"] == expected["summary"]
    assert body["results"] == expected["results"]
    assert body["provenance"]["rulebooks"] == expected["provenance"]["rulebooks"]
    books = {b["id"]: b["sha256"] for b in client.get("/rulebooks").json()["rulebooks"]}
    assert {b["id"]: b["sha256"] for b in body["provenance"]["rulebooks"]} == books


def test_named_rulebooks_in_russian_as_of_the_dataset_date(
    client: Client, example: dict[str, Any]
) -> None:
    request = {"dataset": example, "rulebooks": ["kz.tcp.cofinancing"], "lang": "ru"}
    body = client.post("/evaluate", json=request).json()
    conforms(body, "results")
    assert {b["id"] for b in body["provenance"]["rulebooks"]} == {"kz.tcp.cofinancing"}
    assert body["provenance"]["as_of"] == "2021-06-01"
    assert {r["lang"] for r in body["results"]} == {"ru"}
    assert any(r["title"].startswith("Кластер оплачивает") for r in body["results"])


RULE_TEXT = """\
rulebook demo
import "tcp-cofinancing.ckr"
rule share for each p in projects
  title en "The cluster pays 30%"
  require p.cluster_amount >= min_cluster_share * p.budget within precision
"""


def test_rule_text_may_import_the_loaded_folder_and_join_named_rulebooks(
    client: Client, example: dict[str, Any]
) -> None:
    request = {"dataset": example, "rules": RULE_TEXT, "rulebooks": ["kz.registry.entry"]}
    body = client.post("/evaluate", json=request).json()
    conforms(body, "results")
    ids = [b["id"] for b in body["provenance"]["rulebooks"]]
    assert ids == ["kz.tcp.cofinancing", "demo", "kz.registry.entry"]
    assert body["provenance"]["rulebooks"][1]["path"] == "request.ckr"
    shares = [r for r in body["results"] if r["rulebook"] == "demo"]
    assert len(shares) == 6
    assert all(r["outcome"] == "pass" for r in shares)


def test_rules_with_errors_are_refused_with_spans(client: Client, example: dict[str, Any]) -> None:
    text = "rulebook x\nrule r for each p in projectz\n  require 1 > 0\n"
    (diagnostic,) = refused(client.post("/evaluate", json={"dataset": example, "rules": text}), 422)
    assert diagnostic["code"] == "R201"
    assert diagnostic["file"] == "request.ckr"
    assert diagnostic["span"]["line"] == 2
    assert diagnostic["hint"] == "did you mean 'projects'?"


def test_rule_text_cannot_import_files_outside_the_rules_folder(
    client: Client, example: dict[str, Any]
) -> None:
    text = 'rulebook x\nimport "../pyproject.toml"\n'
    found = refused(client.post("/evaluate", json={"dataset": example, "rules": text}), 422)
    assert [d["code"] for d in found] == ["R503"]


def test_a_dataset_of_the_wrong_shape_names_each_path(
    client: Client, example: dict[str, Any]
) -> None:
    dataset = copy.deepcopy(example)
    dataset["clusters"][1]["registry_status"] = "famous"
    dataset["clusters"][1]["colur"] = "green"
    del dataset["programmes"][0]["projects"][0]["budget"]
    found = refused(client.post("/evaluate", json={"dataset": dataset}), 422)
    assert [(d["code"], d["path"]) for d in found] == [
        ("D104", "dataset.clusters[1].colur"),
        ("D103", "dataset.clusters[1].registry_status"),
        ("D105", "dataset.programmes[0].projects[0].budget"),
    ]
    assert found[1]["message"] == (
        "'famous' is not one of: candidate, registered, suspended, removed"
    )
    assert {d["file"] for d in found} == {"request"}


def test_a_dataset_the_loader_refuses_names_each_path(
    client: Client, example: dict[str, Any]
) -> None:
    dataset = copy.deepcopy(example)
    dataset["clusters"][0]["participants"][0]["bin"] = "060240113699"
    found = refused(client.post("/evaluate", json={"dataset": dataset}), 422)
    assert [(d["code"], d["path"], d["message"]) for d in found] == [
        ("D103", "dataset.clusters[0].participants[0].bin", "check digit does not match"),
    ]
    dataset = copy.deepcopy(example)
    dataset["programmes"][0]["cluster"] = "nowhere"
    found = refused(client.post("/evaluate", json={"dataset": dataset}), 422)
    assert [(d["code"], d["path"], d["message"]) for d in found] == [
        ("D106", "dataset.programmes[0].cluster", "'nowhere' is not a known cluster"),
    ]


@pytest.mark.parametrize(
    ("request_body", "path", "code"),
    [
        ({"dataset": {}, "colour": 1}, "colour", "D104"),
        ({}, "dataset", "D105"),
        ({"dataset": []}, "dataset", "D103"),
        ({"dataset": {}, "as_of": "2021-13-01"}, "as_of", "D103"),
        ({"dataset": {}, "as_of": "20210601"}, "as_of", "D103"),
        ({"dataset": {}, "lang": "de"}, "lang", "D103"),
        ({"dataset": {}, "rulebooks": "kz.selection"}, "rulebooks", "D103"),
        ({"dataset": {}, "rules": 5}, "rules", "D103"),
        ({"dataset": {}, "as_of": None}, "as_of", "D103"),
        ({"dataset": {}, "rulebooks": None}, "rulebooks", "D103"),
        ({"dataset": None}, "dataset", "D103"),
        ({"dataset": {}, "rulebooks": ["kz.selection", "kz.nope"]}, "rulebooks[1]", "D103"),
        ({"dataset": {}, "rulebooks": []}, "rulebooks", "D105"),
    ],
)
def test_a_bad_request_names_its_part(
    client: Client, request_body: dict[str, Any], path: str, code: str
) -> None:
    found = refused(client.post("/evaluate", json=request_body), 422)
    assert (found[0]["path"], found[0]["code"]) == (path, code)


def test_a_dataset_without_information_or_date(client: Client, example: dict[str, Any]) -> None:
    dataset = {k: v for k, v in example.items() if k != "dataset"}
    found = refused(client.post("/evaluate", json={"dataset": dataset}), 422)
    assert [d["code"] for d in found] == ["D107"]
    dataset = {**example, "dataset": {"id": "x", "title": {"en": "X"}}}
    found = refused(client.post("/evaluate", json={"dataset": dataset}), 422)
    assert [(d["code"], d["path"]) for d in found] == [("D105", "as_of")]


def test_a_body_that_is_not_json_is_a_400_with_its_position(client: Client) -> None:
    found = refused(client.post("/evaluate", content=b'{"dataset": {,}}'), 400)
    assert found[0]["code"] == "D102"
    assert (found[0]["span"]["line"], found[0]["span"]["column"]) == (1, 14)
    refused(client.post("/evaluate", content=b"[]"), 400)
    refused(client.post("/evaluate", content=b""), 400)
    refused(client.post("/evaluate", content=b"\xff\xfe"), 400)
    found = refused(client.post("/evaluate", content=b'{"dataset": {}, "dataset": {}}'), 400)
    assert "appears twice" in found[0]["message"]


def test_a_body_too_large_is_a_413(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "MAX_BODY_BYTES", 100)
    monkeypatch.setattr(service_module, "MAX_BODY_BYTES", 100)
    refused(client.post("/evaluate", content=b" " * 101), 413)
    refused(client.post("/evaluate", json={"dataset": {"pad": "x" * 200}}), 413)


def test_unknown_paths_and_methods_are_json_errors(client: Client) -> None:
    refused(client.get("/nowhere"), 404)
    refused(client.get("/evaluate"), 405)
    refused(client.get("/runs/abc"), 404)


# -- runs and schemas -----------------------------------------------------------------------------


def test_runs_need_a_store(client: Client) -> None:
    (found,) = [refused(client.get(url), 404) for url in ["/runs/1"]]
    assert found == []
    assert "--store" in client.get("/runs").json()["error"]


def test_stored_runs_are_given_back_exactly(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'registry.sqlite3'}"
    assert run("registry", "import", str(EXAMPLE), "--store", url)[0] == 0
    code, _, _ = run("check", str(RULES), "--store", url, "--as-of", "2021-06-01", "--exit-zero")
    assert code == 0
    client = Client(create_app(Service([], url)))
    listed = client.get("/runs").json()
    conforms(listed, "run_list")
    (summary,) = listed["runs"]
    assert (summary["id"], summary["as_of"], summary["dataset"]) == (
        1,
        "2021-06-01",
        "kazakhstan-2021",
    )
    body = client.get("/runs/1").json()
    conforms(body, "stored_run")
    code, shown, _ = run("runs", "show", "1", "--store", url)
    assert code == 0
    assert body["results"] == json.loads(shown)
    assert refused(client.get("/runs/2"), 404) == []
    assert client.get("/runs/2").json()["error"] == "no run 2 in the store"
    assert client.get(f"/runs/{2**70}").status_code == 404


def test_an_unreadable_store_is_a_503(tmp_path: Path) -> None:
    client = Client(create_app(Service([], f"sqlite://{tmp_path / 'missing' / 'x.sqlite3'}")))
    refused(client.get("/runs"), 503)


def test_schemas_are_served_with_the_rules_declarations(regime: Path) -> None:
    client = Client(create_app(Service([str(regime / "schema.ckr")])))
    data = client.get("/schemas/data").json()
    assert "cost_items" in data["properties"]
    assert client.get("/schemas/results").json()["title"].startswith("clusterkit results")
    refused(client.get("/schemas/nope"), 404)
    dataset = {
        "dataset": {"id": "demo", "title": {"en": "Demo"}, "published": "2023-06-01"},
        "regions": [{"code": "RU-CHE", "name": {"en": "Chelyabinsk"}}],
        "sectors": [{"code": "machinery", "name": {"en": "Machinery"}}],
        **CLUSTERS,
        **COST_ITEMS,
    }
    rules = 'rulebook demo\n  currency RUB\nimport "schema.ckr"\n'
    rules += "rule early for each c in cost_items\n"
    rules += "  require c.incurred >= 2023-01-01\n"
    response = client.post("/evaluate", json={"dataset": dataset, "rules": rules})
    assert response.status_code == 200, response.text
    assert [r["outcome"] for r in response.json()["results"]] == ["pass", "fail"]
