"""One way to walk expressions: dispatch on the node's class to a method named for it.

The checker, the compiler and the formatter each subclass :class:`Visitor` and write
one method per node kind (``number``, ``field``, ``binary``, …) instead of a chain
of ``isinstance`` tests.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from clusterkit.lang import ast

__all__ = ["Visitor", "method_name"]

R = TypeVar("R")


def method_name(node_class: type) -> str:
    """The visitor method for a node class: ``StringLit`` → ``string_lit``, ``If`` → ``if_``."""
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", node_class.__name__).lower()
    return f"{name}_" if keyword.iskeyword(name) else name


class Visitor(Generic[R]):
    """Calls ``self.<method_name(type(node))>(node, *args)``; a subclass has one method
    per expression node kind and says what each gives (a type, a piece of code)."""

    _dispatch: ClassVar[dict[type, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._dispatch = {node: method_name(node) for node in ast.EXPRESSION_NODES}
        missing = [name for name in cls._dispatch.values() if not hasattr(cls, name)]
        # A visitor that forgets a node kind is a bug found at import, not at run time.
        assert not missing or getattr(cls, "partial", False), f"{cls.__name__}: {missing}"

    def visit(self, node: ast.Expr, *args: Any) -> R:
        method: Callable[..., R] = getattr(self, self._dispatch[type(node)])
        return method(node, *args)
