"""Names a package offers but imports only when first used (PEP 562).

A package keeps start-up cheap by listing where each of its lazily imported names lives
and setting ``__getattr__ = lazy_attributes(__name__, HOMES, globals())``. The first use
of a name imports its module and keeps the value in the package, so later uses are plain
attribute reads.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    package: str, homes: Mapping[str, str], namespace: MutableMapping[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps each name to the module
    that defines it (relative to ``package`` when it starts with a dot), and the value
    is kept in ``namespace`` (the package's ``globals()``) once imported."""

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's own name
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, package), name)
        namespace[name] = value
        return value

    return __getattr__
