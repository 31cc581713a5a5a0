"""Refusals of ``POST /evaluate`` an outside integrator meets first: bytes that are not
UTF-8 and bodies that are not objects, each with a diagnostic that says where and why."""

from __future__ import annotations

from typing import Any

import pytest

from clusterkit.server import Service, create_app
from tests.integration.helpers import RULES, Client


@pytest.fixture(scope="module")
def client() -> Client:
    return Client(create_app(Service([str(RULES)])))


def refused(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.text
    diagnostics: list[dict[str, Any]] = response.json()["diagnostics"]
    return diagnostics


def test_bytes_that_are_not_utf8_give_a_d102_at_their_line_and_column(client: Client) -> None:
    # The docs promise D102 with line and column; the refusal used to have no diagnostic.
    body = '{"dataset":\n  {"x": "é'.encode() + b"\xff" + b'"}}'
    (found,) = refused(client.post("/evaluate", content=body))
    assert found["code"] == "D102"
    assert (found["span"]["line"], found["span"]["column"]) == (2, 11)
    assert "0xff" in found["message"]


def test_a_body_that_is_not_an_object_says_what_it_must_be(client: Client) -> None:
    (found,) = refused(client.post("/evaluate", content=b"[]"))
    assert found["code"] == "D102"
    assert found["message"] == "the request must be a JSON object with a 'dataset'"
