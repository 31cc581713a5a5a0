"""clusterkit's HTTP API, an optional extra (``pip install 'clusterkit[server]'``).

``clusterkit serve --rules rules --store sqlite://registry.sqlite3`` starts it (uvicorn);
:func:`create_app` gives the ASGI application to mount or test. Endpoints:

- ``POST /evaluate``: a dataset (shaped as a data file), named rulebooks or rule text,
  ``as_of`` and ``lang``; the results as ``clusterkit.results/1``.
- ``GET /rulebooks``: the loaded rulebooks: ids, versions, in-force dates, paths, hashes.
- ``GET /runs``, ``GET /runs/{id}``: evaluations kept in the store.
- ``GET /schemas/{name}``: the JSON Schemas; ``GET /openapi.json``: the OpenAPI document.

Refusals are 4xx with ``{"status", "error", "diagnostics"}``. Starlette is imported only
by :func:`create_app`, so importing this package needs nothing of the extra.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from clusterkit.server.service import ApiError, Service

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["ApiError", "Service", "create_app"]


def create_app(service: Service) -> Starlette:
    """The ASGI application over ``service`` (needs the ``server`` extra)."""
    app: Starlette = importlib.import_module("clusterkit.server.app").create_app(service)
    return app
