"""The HTTP API, through an HTTP client in-process: evaluation, rulebooks, stored runs,
schemas, and a clear 4xx with diagnostics for every kind of bad request."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from clusterkit import load_dataset
from clusterkit.server import Service, create_app
from clusterkit.server import app as app_module
from clusterkit.server import service as service_module
from clusterkit.server.openapi import openapi
from tests.cli.runner import run
from tests.integration.conftest import CLUSTERS, COST_ITEMS
from tests.integration.helpers import (
    EXAMPLE,
    RULES,
    Client,
    RuleFile,
    errors,
    rule_files,
    whole_example,
)

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
    listed = body["rulebooks"]
    files = {str(f.path): f for f in rule_files()}
    assert sorted(b["path"] for b in listed) == sorted(files)
    for book in listed:
        file = files[book["path"]]
        assert (book["id"], book["rules"]) == (file.id, file.rules)
        assert book["sha256"] == hashlib.sha256(file.path.read_bytes()).hexdigest()
    books = {b["id"]: b for b in listed}
    selection = books["kz.selection"]
    assert selection["version"] == "Order 873"
    assert (selection["in_force_from"], selection["in_force_until"]) == ("2016-12-23", "2022-07-11")
    assert selection["path"] == str(RULES / "selection-873.ckr")
    assert "cluster_share" in books["kz.tcp.cofinancing"]["rules"]
    assert books["kz.tcp.cofinancing"]["title"]["ru"].startswith("Целевая")


def test_rulebooks_lists_schema_files_marked_and_imports_first(client: Client) -> None:
    listed = client.get("/rulebooks").json()["rulebooks"]
    files = {str(f.path): f for f in rule_files()}
    schemas = [b for b in listed if b["schema"]]
    assert schemas
    assert {b["path"] for b in schemas} == {p for p, f in files.items() if f.keyword == "schema"}
    assert all(b["rules"] == [] and b["version"] == "" for b in schemas)
    assert all(b["rules"] for b in listed if not b["schema"])
    place = {b["path"]: i for i, b in enumerate(listed)}
    for book in listed:
        for imported in files[book["path"]].imports:
            assert place[str(imported)] < place[book["path"]], (imported, book["path"])


def test_a_schema_file_may_be_named_and_gives_no_verdicts(
    client: Client, example: dict[str, Any]
) -> None:
    (schema,) = [b for b in client.get("/rulebooks").json()["rulebooks"] if b["schema"]]
    request = {"dataset": example, "rulebooks": [schema["id"]]}
    body = client.post("/evaluate", json=request).json()
    conforms(body, "results")
    assert body["results"] == []
    ((ref),) = body["provenance"]["rulebooks"]
    assert (ref["id"], ref["sha256"], ref["schema"]) == (schema["id"], schema["sha256"], True)


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
    refs = body["provenance"]["rulebooks"]
    # The rule text's program (what it imports, imports first), then the rulebook named.
    imported = imports_first(RULES / "tcp-cofinancing.ckr")
    assert [b["id"] for b in refs] == [*(f.id for f in imported), "demo", "kz.registry.entry"]
    assert [b["schema"] for b in refs[: len(imported)]] == [f.keyword == "schema" for f in imported]
    assert refs[len(imported)]["path"] == "request.ckr"
    shares = [r for r in body["results"] if r["rulebook"] == "demo"]
    projects = [p["id"] for programme in example["programmes"] for p in programme["projects"]]
    assert sorted(r["entity"] for r in shares) == sorted(projects)
    assert all(r["outcome"] == "pass" for r in shares)


def imports_first(path: Path) -> list[RuleFile]:
    """The rule files ``path`` pulls in, each after what it imports, then ``path``."""
    files = {f.path.resolve(): f for f in rule_files()}
    order: list[RuleFile] = []

    def visit(file: RuleFile) -> None:
        for imported in file.imports:
            if files[imported] not in order:
                visit(files[imported])
        order.append(file)

    visit(files[path.resolve()])
    return order


# -- a dataset with kinds the rules declare --------------------------------------------------


@pytest.fixture(scope="module")
def checked() -> dict[str, Any]:
    """What ``clusterkit check`` gives for the rules folder on the example folder."""
    code, out, _ = run("check", str(RULES), "--data", str(EXAMPLE), "--format", "json")
    assert code == 1
    document: dict[str, Any] = json.loads(out)
    return document


@pytest.fixture(scope="module")
def declared(example: dict[str, Any]) -> list[str]:
    """The collections of declared kinds the example holds."""
    kinds = load_dataset(EXAMPLE).schema.kinds
    found = [kind.collection for kind in kinds if kind.collection in example]
    assert found
    return found


def test_the_example_posted_whole_evaluates_each_rulebook_as_check_does(
    client: Client, example: dict[str, Any], checked: dict[str, Any]
) -> None:
    ids = [b["id"] for b in client.get("/rulebooks").json()["rulebooks"] if not b["schema"]]
    together = []
    for rulebook in ids:
        response = client.post("/evaluate", json={"dataset": example, "rulebooks": [rulebook]})
        assert response.status_code == 200, (rulebook, response.text)
        results = response.json()["results"]
        assert results == [r for r in checked["results"] if r["rulebook"] == rulebook], rulebook
        together.extend(results)
    # One rulebook at a time, in the order listed, gives all of check's verdicts.
    assert together == checked["results"]
    # Among them, verdicts of rulebooks that read the declared kinds.
    schemas = {f.path.resolve() for f in rule_files() if f.keyword == "schema"}
    readers = {f.id for f in rule_files() if schemas & set(f.imports)}
    assert {r["rulebook"] for r in together} & readers


def test_rule_text_alone_reads_the_kinds_the_loaded_rules_declare(
    client: Client, example: dict[str, Any], declared: list[str]
) -> None:
    # The text declares nothing and imports nothing: the dataset's declared collections
    # are read as the server's published data schema says.
    text = "rulebook plain\nrule any for each p in projects\n  require p.budget > 0 KZT\n"
    response = client.post("/evaluate", json={"dataset": example, "rules": text})
    assert response.status_code == 200, response.text
    projects = [p for programme in example["programmes"] for p in programme["projects"]]
    assert len(response.json()["results"]) == len(projects)
    published = client.get("/schemas/data").json()["properties"]
    assert set(declared) <= set(published)


def test_declared_records_are_checked_against_their_declaration(
    client: Client, example: dict[str, Any]
) -> None:
    dataset = copy.deepcopy(example)
    line = dataset["budget_lines"][0]
    line["colour"] = "green"
    line["basis"] = "rumour"
    del line["amount"]
    found = refused(client.post("/evaluate", json={"dataset": dataset, "rules": "rulebook x"}), 422)
    assert [(d["code"], d["path"]) for d in found] == [
        ("D105", "dataset.budget_lines[0].amount"),
        ("D103", "dataset.budget_lines[0].basis"),
        ("D104", "dataset.budget_lines[0].colour"),
    ]
    dataset = copy.deepcopy(example)
    dataset["budget_lines"][0]["measure"] = "nowhere"
    found = refused(client.post("/evaluate", json={"dataset": dataset}), 422)
    assert [(d["code"], d["path"]) for d in found] == [("D106", "dataset.budget_lines[0].measure")]


def test_a_server_without_those_rules_refuses_the_collections_it_does_not_know(
    example: dict[str, Any], declared: list[str]
) -> None:
    # A posted dataset's own 'dataset.schema' names files on the client's side: unread.
    assert example["dataset"]["schema"]
    bare = Client(create_app(Service()))
    text = "rulebook plain\nrule any for each p in projects\n  require p.budget > 0 KZT\n"
    found = refused(bare.post("/evaluate", json={"dataset": example, "rules": text}), 422)
    assert sorted(d["path"] for d in found) == sorted(f"dataset.{c}" for c in declared)
    assert {d["code"] for d in found} == {"D104"}


def test_rule_text_declaring_a_loaded_kind_otherwise_is_refused(
    client: Client, example: dict[str, Any]
) -> None:
    text = "rulebook other\nkind budget_line\n  field amount: number\n"
    response = client.post("/evaluate", json={"dataset": example, "rules": text})
    (found,) = refused(response, 422)
    assert response.json()["error"] == "the rules declare the data differently"
    assert (found["code"], found["path"]) == ("D103", "rules")
    assert "budget_line" in found["message"]


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


def test_problems_come_in_the_request_s_language(client: Client) -> None:
    body = {"dataset": {"dataset": {"id": "x", "title": {"en": "X"}}, "clustres": []}}
    found = client.post("/evaluate", json={**body, "lang": "ru"}).json()
    assert found["error"] == "в наборе данных есть ошибки"
    (problem,) = found["diagnostics"]
    assert (problem["code"], problem["path"]) == ("D104", "dataset.clustres")
    assert problem["message"].startswith("неизвестный ключ 'clustres'")
    assert problem["message_en"].startswith("unknown key 'clustres'")
    conforms(found, "error")
    english = client.post("/evaluate", json=body).json()
    assert english["diagnostics"][0]["message"] == problem["message_en"]
    assert "message_en" not in english["diagnostics"][0]
    kazakh = client.post("/evaluate", json={"dataset": {}, "colour": 1, "lang": "kk"}).json()
    assert kazakh["error"] == "сұраныста қателер бар"
    assert kazakh["diagnostics"][0]["message"].startswith("белгісіз кілт 'colour'")


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
