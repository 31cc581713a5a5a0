"""The one visitor the checker and the compiler share."""

from __future__ import annotations

import pytest

from clusterkit.lang import ast
from clusterkit.lang.ast.visitor import Visitor, method_name


def test_method_names_follow_the_node_class() -> None:
    assert method_name(ast.StringLit) == "string_lit"
    assert method_name(ast.If) == "if_"
    assert method_name(ast.IsNone) == "is_none"


def _define_a_partial_visitor() -> type:
    class Partial(Visitor[str]):
        def name(self, node: ast.Name) -> str:
            return node.id

    return Partial


def test_a_visitor_missing_a_node_kind_fails_when_defined() -> None:
    with pytest.raises(AssertionError, match="number"):
        _define_a_partial_visitor()
