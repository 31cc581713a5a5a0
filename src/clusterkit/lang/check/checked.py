"""What the checker learns about a rule file, for the compiler: the :class:`Checked` record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from clusterkit.lang import ast
from clusterkit.lang.check.schema import FieldSpec
from clusterkit.lang.types.units import Dim
from clusterkit.lang.types.value_types import Type
from clusterkit.schema import DEFAULT_SCHEMA, Schema

__all__ = ["Checked", "DefineInfo", "FunctionInfo", "NodeTables", "ParamInfo", "Symbol"]


@attrs.frozen
class Symbol:
    """What a name means.

    Attributes:
        kind: ``const``, ``param``, ``figure``, ``let``, ``var`` (an iteration,
            aggregate or function variable), ``collection``, ``as_of``, ``criterion``.
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


@attrs.frozen
class ParamInfo:
    """A dated parameter: its type and its values by date (in base units), in order;
    ``bases`` gives each value's basis (its own, else the parameter's), in the same
    order."""

    node: ast.Param
    type: Type
    schedule: tuple[tuple[dt.date, object], ...]
    owner: str
    bases: tuple[ast.Basis | None, ...] = ()

    def varies(self) -> bool:
        """Whether the values rest on different bases, so a verdict's depends on the
        value in force."""
        return len({None if b is None else (b.kind, b.note) for b in self.bases}) > 1


@attrs.frozen
class FunctionInfo:
    """A user function: its parameters' names and types, and its result's type."""

    node: ast.Function
    params: tuple[tuple[str, Type], ...]
    type: Type
    owner: str


@attrs.define
class NodeTables:
    """What the checker learnt of each expression node, for the whole program (nodes of
    an imported file's define or function are compiled into the importing file too).
    Keyed by ``id(node)``: the syntax trees are immutable and kept alive by the
    program's files, so the keys stay valid."""

    types: dict[int, Type] = attrs.Factory(dict)
    names: dict[int, Symbol] = attrs.Factory(dict)
    fields: dict[int, FieldSpec | DefineInfo] = attrs.Factory(dict)
    literals: dict[int, Decimal] = attrs.Factory(dict)
    constants: dict[int, object] = attrs.Factory(dict)


@attrs.define
class Checked:
    """One checked rule file and what the compiler needs to know about it."""

    file: ast.RuleFile
    currency: str
    content_hash: str
    schema: Schema = DEFAULT_SCHEMA
    tables: NodeTables = attrs.Factory(NodeTables)
    imports: list[str] = attrs.Factory(list)
    consts: dict[str, Symbol] = attrs.Factory(dict)
    const_values: dict[str, object] = attrs.Factory(dict)
    figures: dict[str, tuple[str, Decimal, Symbol]] = attrs.Factory(dict)
    indicators: dict[str, tuple[Decimal, Dim]] = attrs.Factory(dict)
    defines: dict[tuple[str, str], DefineInfo] = attrs.Factory(dict)
    params: dict[str, ParamInfo] = attrs.Factory(dict)
    functions: dict[str, FunctionInfo] = attrs.Factory(dict)
    bases: dict[str, ast.Basis | None] = attrs.Factory(dict)
    rule_uses: dict[int, set[str]] = attrs.Factory(dict)
    #: The consts and params read by each function (``function:NAME``) and define
    #: (``define:KIND.NAME``), so a rule that calls one reads them too.
    uses: dict[str, set[str]] = attrs.Factory(dict)
    rules: list[ast.Rule] = attrs.Factory(list)
    visible_defines: dict[tuple[str, str], DefineInfo] = attrs.Factory(dict)

    @property
    def types(self) -> dict[int, Type]:
        return self.tables.types

    @property
    def names(self) -> dict[int, Symbol]:
        return self.tables.names

    @property
    def fields(self) -> dict[int, FieldSpec | DefineInfo]:
        return self.tables.fields

    @property
    def literals(self) -> dict[int, Decimal]:
        return self.tables.literals

    @property
    def id(self) -> str:
        return self.file.header.id

    @property
    def path(self) -> str:
        return self.file.path
