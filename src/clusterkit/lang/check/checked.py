"""What the checker learns about a rule file, for the compiler: the :class:`Checked` record."""

from __future__ import annotations

from decimal import Decimal

import attrs

from clusterkit.lang import ast
from clusterkit.lang.check.schema import FieldSpec
from clusterkit.lang.check.types import Type
from clusterkit.lang.check.units import Dim

__all__ = ["Checked", "DefineInfo", "Symbol"]


@attrs.frozen
class Symbol:
    """What a name means.

    Attributes:
        kind: ``const``, ``figure``, ``let``, ``var`` (an iteration or aggregate
            variable), ``collection``, ``as_of``, ``criterion``.
        name: the name.
        type: its type.
        owner: the rule file that defines it (for consts and figures).
        node: the defining node (for unused-definition warnings).
    """

    kind: str
    name: str
    type: Type
    owner: str = ""
    node: object = None


@attrs.frozen
class DefineInfo:
    node: ast.Define
    type: Type
    owner: str


@attrs.define
class Checked:
    """One checked rule file and what the compiler needs to know about it.

    The per-node tables are keyed by ``id(node)``: the syntax tree is immutable and
    kept alive by ``file``, so the keys stay valid.
    """

    file: ast.RuleFile
    currency: str
    content_hash: str
    imports: list[str] = attrs.Factory(list)
    consts: dict[str, Symbol] = attrs.Factory(dict)
    const_values: dict[str, object] = attrs.Factory(dict)
    figures: dict[str, tuple[str, Decimal, Symbol]] = attrs.Factory(dict)
    indicators: dict[str, tuple[Decimal, Dim]] = attrs.Factory(dict)
    defines: dict[tuple[str, str], DefineInfo] = attrs.Factory(dict)
    rules: list[ast.Rule] = attrs.Factory(list)
    types: dict[int, Type] = attrs.Factory(dict)
    names: dict[int, Symbol] = attrs.Factory(dict)
    fields: dict[int, FieldSpec | DefineInfo] = attrs.Factory(dict)
    literals: dict[int, Decimal] = attrs.Factory(dict)
    visible_defines: dict[tuple[str, str], DefineInfo] = attrs.Factory(dict)

    @property
    def id(self) -> str:
        return self.file.header.id

    @property
    def path(self) -> str:
        return self.file.path
