"""Building datasets from Python data: the front door's ``dataset_from_dict``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clusterkit.loader import dataset_from_document
from clusterkit.model import Dataset
from clusterkit.schema import Schema, require_schema

__all__ = ["dataset_from_dict"]


def dataset_from_dict(
    data: Mapping[str, Any], *, name: str = "<dict>", schema: Schema | None = None
) -> Dataset:
    """A dataset from Python data shaped as a data file is (``{"dataset": {...},
    "clusters": [...], ...}``), checked exactly as a loaded file is.

    Numbers may be ``int``, ``Decimal`` or exact strings (``"112.1"``); a ``float`` is
    refused, since it has already lost the value that was meant. Every problem is
    reported at once: :class:`~clusterkit.DiagnosticError` with diagnostics naming
    ``name`` and the data path (``clusters[2].participants[5].bin``).

    The data is checked against ``schema`` (pass ``program.schema`` for records of the
    kinds and fields the rules declare), else the built-in model; schema files named
    in ``dataset.schema`` are not read, as Python data has no folder they would be in.
    """
    if not isinstance(name, str):
        raise TypeError(f"dataset_from_dict: name must be a str, not {type(name).__name__}")
    require_schema(schema, "dataset_from_dict")
    # Anything but a mapping is refused by the loader with a diagnostic, as a file's
    # top level would be.
    return dataset_from_document(
        dict(data) if isinstance(data, Mapping) else data, name, schema=schema
    )
