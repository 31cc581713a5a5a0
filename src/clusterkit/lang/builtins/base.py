"""What every built-in function has: its type check, its code emission, its line in
the reference; and the helpers their code emission shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import attrs

from clusterkit.lang import ast
from clusterkit.lang.types.units import Dim, unit_dim
from clusterkit.lang.types.value_types import Type

if TYPE_CHECKING:
    from clusterkit.lang.check.calls import CallChecks

__all__ = [
    "ROUNDING_MODES",
    "Builtin",
    "Check",
    "Emit",
    "Emitter",
    "inline",
    "literal",
    "points_dim",
    "rt_call",
]

ROUNDING_MODES = ("half_up", "half_even", "half_down", "up", "down", "ceiling", "floor")


def points_dim() -> Dim:
    return unit_dim("points")


class Emitter(Protocol):
    """What the compiler offers a built-in's code emission."""

    def arg(self, node: ast.Expr) -> str:
        """Code for an argument's value (missing data raises ``Missing``)."""

    def const(self, value: object) -> str:
        """Code for a constant (an entry of the constants table)."""

    def source(self, node: ast.Expr) -> str:
        """The rule text of a node, for messages."""

    def indicator_dim(self, name: str) -> Dim:
        """The declared unit's dimension of an indicator."""


Check = Callable[["CallChecks", ast.Call, list[Type]], Type]
Emit = Callable[[Emitter, ast.Call], str]


@attrs.frozen
class Builtin:
    """A built-in function.

    Attributes:
        name: what rules call it.
        signature: its arguments and result, for the reference and editor hover.
        doc: one line saying what it gives.
        check: types a call, reporting misuse; gives the result's type.
        emit: the code of a call, which calls the runtime's implementation.
    """

    name: str
    signature: str
    doc: str
    check: Check
    emit: Emit


# -- code emission ----------------------------------------------------------------------------


def rt_call(name: str, *, ctx: bool = False, what: bool = False) -> Emit:
    """Emit ``rt.NAME([ctx, ]args...[, 'call text'])``: a call of the runtime."""

    def emit(e: Emitter, node: ast.Call) -> str:
        parts = ["ctx"] if ctx else []
        parts.extend(e.arg(a) for a in node.args)
        if what:
            parts.append(e.const(e.source(node)))
        return f"rt.{name}({', '.join(parts)})"

    return emit


def literal(node: ast.Expr) -> str:
    """The text of an argument that must be written out (a quoted name)."""
    return node.value if isinstance(node, ast.StringLit) else ""


def inline(template: str) -> Emit:
    """Emit Python that needs no runtime call, ``{0}``, ``{1}`` being the arguments."""

    def emit(e: Emitter, node: ast.Call) -> str:
        return template.format(*(e.arg(a) for a in node.args))

    return emit
