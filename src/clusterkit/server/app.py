"""The ASGI application (Starlette) over :class:`~clusterkit.server.service.Service`.

Evaluation is CPU work: its endpoint is synchronous, so Starlette runs it in its thread
pool and the event loop stays free. Every error is JSON: ``{"status", "error",
"diagnostics"}``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from clusterkit.jsonschema import NAMES, build
from clusterkit.messages import msg
from clusterkit.server.openapi import openapi
from clusterkit.server.service import MAX_BODY_BYTES, ApiError, Service

__all__ = ["create_app"]


class _Json(JSONResponse):
    """JSON as clusterkit writes it: UTF-8, not escaped to ASCII."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _error(exc: ApiError) -> Response:
    return _Json(exc.to_json(), status_code=exc.status)


def create_app(service: Service) -> Starlette:
    """The HTTP API over ``service`` (its rulebooks and store)."""
    document = openapi(service.schema)
    schemas = {name: build(name, service.schema if name == "data" else None) for name in NAMES}

    async def evaluate(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            too_big = msg("the request is larger than {size} bytes", size=MAX_BODY_BYTES)
            return _error(ApiError(413, too_big))
        body = await _body(request)
        try:
            results = await run_in_threadpool(service.evaluate, body)
        except ApiError as exc:
            return _error(exc)
        return _Json(results)

    def rulebooks(_request: Request) -> Response:
        return _Json(service.rulebooks())

    def runs(_request: Request) -> Response:
        try:
            return _Json(service.runs())
        except ApiError as exc:
            return _error(exc)

    def run(request: Request) -> Response:
        try:
            return _Json(service.run(int(request.path_params["run_id"])))
        except ApiError as exc:
            return _error(exc)

    def schema(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in schemas:
            message = msg("no schema {name!r}: one of {names}", name=name, names=", ".join(NAMES))
            return _error(ApiError(404, message))
        return _Json(schemas[name])

    def openapi_json(_request: Request) -> Response:
        return _Json(document)

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        status = exc.status_code
        message = {404: "not found", 405: "method not allowed"}.get(status, str(exc.detail))
        return _Json(
            {"status": status, "error": message, "diagnostics": []},
            status_code=status,
            headers=exc.headers,
        )

    routes = [
        Route("/evaluate", evaluate, methods=["POST"]),
        Route("/rulebooks", rulebooks, methods=["GET"]),
        Route("/runs", runs, methods=["GET"]),
        Route("/runs/{run_id:int}", run, methods=["GET"]),
        Route("/schemas/{name}", schema, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})


async def _body(request: Request) -> bytes:
    """The body, read no further than one byte past the limit."""
    chunks = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            break
    return b"".join(chunks)
