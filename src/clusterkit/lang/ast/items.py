"""Statement nodes of the rules language's syntax tree: a rule file's header and items."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import attrs

from clusterkit.diagnostics import Span, source_lines
from clusterkit.lang.ast.exprs import Expr, UnitSpec

__all__ = [
    "Allow",
    "Band",
    "Basis",
    "Const",
    "Criterion",
    "Declaration",
    "Define",
    "Extend",
    "FieldDecl",
    "FigureDecl",
    "Function",
    "Header",
    "Import",
    "IndicatorDecl",
    "Item",
    "Iteration",
    "KindDecl",
    "Let",
    "Param",
    "ParamDecl",
    "ParamValue",
    "Require",
    "Rule",
    "RuleFile",
    "Select",
    "TypeSpec",
    "UnitDecl",
    "source_text",
]


# -- statements -----------------------------------------------------------------------


@attrs.frozen
class Basis:
    """``basis source|inferred|illustrative "note"``: where a parameter or rule comes from."""

    span: Span
    kind: str
    note: str = ""


@attrs.frozen
class Header:
    """``rulebook ID`` (or ``schema ID``) with its version, titles, source, dates and
    currency."""

    span: Span
    id: str
    version: str = ""
    titles: tuple[tuple[str, str], ...] = ()
    source: str = ""
    in_force_from: dt.date | None = None
    in_force_until: dt.date | None = None
    currency: str | None = None
    currency_span: Span | None = None
    basis: Basis | None = None
    is_schema: bool = False


@attrs.frozen
class Import:
    span: Span
    path: str


@attrs.frozen
class Const:
    span: Span
    name: str
    expr: Expr
    basis: Basis | None = None


@attrs.frozen
class ParamValue:
    """``from DATE = EXPR``: the value a parameter has from a date on; ``basis`` is the
    one written on its own ``from`` line (else the parameter's applies)."""

    span: Span
    start: dt.date
    expr: Expr
    basis: Basis | None = None


@attrs.frozen
class Param:
    """``param NAME`` with its values by date: a constant that changes on dates.
    ``basis`` is the one written on a line of its own: the basis of every value
    without its own."""

    span: Span
    name: str
    values: tuple[ParamValue, ...]
    titles: tuple[tuple[str, str], ...] = ()
    source: str = ""
    basis: Basis | None = None


@attrs.frozen
class TypeSpec:
    """A declared type: ``money in RUB``, ``number in FTE``, ``one of "a", "b"``, ``list of
    participant``, ``identifier ru_inn``, or an entity kind's name.

    Attributes:
        kind: ``money``, ``number``, ``percent``, ``date``, ``text``, ``bool``, ``choice``,
            ``list``, ``identifier`` or ``ref``.
        currency: for money in one currency.
        unit: for a number with a unit.
        choices: for ``one of``.
        item: for ``list of``.
        name: the scheme of an identifier, or the kind a reference names.
    """

    span: Span
    kind: str
    currency: str | None = None
    unit: UnitSpec | None = None
    choices: tuple[str, ...] = ()
    item: TypeSpec | None = None
    name: str | None = None


@attrs.frozen
class ParamDecl:
    span: Span
    name: str
    type: TypeSpec


@attrs.frozen
class Function:
    """``function NAME(a: TYPE, ...) -> TYPE = EXPR``: a pure, typed user function."""

    span: Span
    name: str
    params: tuple[ParamDecl, ...]
    returns: TypeSpec | None
    expr: Expr


@attrs.frozen
class UnitDecl:
    """``unit FTE`` or ``unit tonne, tonnes``: a unit of its own for numbers."""

    span: Span
    names: tuple[str, ...]


@attrs.frozen
class FieldDecl:
    span: Span
    name: str
    type: TypeSpec
    required: bool = False


@attrs.frozen
class KindDecl:
    """``kind NAME`` with its fields: a new kind of entity in the data.

    Attributes:
        collection: the name of its collection in data files and rules.
        parent: the kind it belongs to, if any.
        id_scheme: the scheme of its ids (``text`` unless named).
        id_required: whether every record has an id.
    """

    span: Span
    name: str
    titles: tuple[tuple[str, str], ...] = ()
    collection: str | None = None
    parent: str | None = None
    id_scheme: str | None = None
    id_required: bool = False
    fields: tuple[FieldDecl, ...] = ()


@attrs.frozen
class Allow:
    """``allow role "public_authority"``: more values for an enumeration field."""

    span: Span
    field: str
    values: tuple[str, ...]


@attrs.frozen
class Extend:
    """``extend participant``: new fields (or values) for an existing kind."""

    span: Span
    kind: str
    fields: tuple[FieldDecl, ...] = ()
    allows: tuple[Allow, ...] = ()


@attrs.frozen
class IndicatorDecl:
    span: Span
    name: str
    unit: UnitSpec


@attrs.frozen
class FigureDecl:
    span: Span
    name: str
    figure_id: str
    unit: UnitSpec


@attrs.frozen
class Define:
    """``define NAME of ENTITY [VAR] = EXPR``: a derived field of an entity type."""

    span: Span
    name: str
    entity: str
    var: str
    expr: Expr


@attrs.frozen
class Iteration:
    span: Span
    var: str
    source: Expr
    where: Expr | None


@attrs.frozen
class Let:
    span: Span
    name: str
    expr: Expr


@attrs.frozen
class Require:
    span: Span
    expr: Expr
    within_precision: bool


@attrs.frozen
class Band:
    """``breach when COND`` (``cond`` None for ``otherwise``)."""

    span: Span
    level: str
    cond: Expr | None


@attrs.frozen
class Criterion:
    span: Span
    name: str
    weight: Expr
    expr: Expr


@attrs.frozen
class Select:
    span: Span
    top: int
    minimum: Expr | None
    tie: tuple[str, ...]


@attrs.frozen
class Rule:
    """A ``rule``, ``monitor`` or ``score`` block.

    Attributes:
        kind: "rule", "monitor" or "score".
        iteration: what it is evaluated for (None: once for the dataset).
        steps: lets, requires, bands and criteria in source order.
    """

    span: Span
    kind: str
    name: str
    iteration: Iteration | None
    titles: tuple[tuple[str, str], ...] = ()
    messages: tuple[tuple[str, str], ...] = ()
    source: str = ""
    applies: Expr | None = None
    steps: tuple[Let | Require | Band | Criterion, ...] = ()
    scale: tuple[Expr, Expr] | None = None
    select: Select | None = None
    outcome_labels: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    version_by: Expr | None = None
    basis: Basis | None = None


Item = (
    Import
    | Const
    | Param
    | IndicatorDecl
    | FigureDecl
    | Define
    | Function
    | UnitDecl
    | KindDecl
    | Extend
    | Rule
)
Declaration = UnitDecl | KindDecl | Extend


@attrs.frozen
class RuleFile:
    """One parsed rule file."""

    path: str
    text: str
    header: Header
    items: tuple[Item, ...]


@lru_cache(maxsize=16)
def _lines(text: str) -> list[str]:
    return source_lines(text)


def source_text(text: str, span: Span) -> str:
    """The source text a span covers (for messages and traces)."""
    lines = _lines(text)  # split once per file, not once per call
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]
    parts = [lines[span.line - 1][span.column - 1 :]]
    parts.extend(lines[span.line : span.end_line - 1])
    parts.append(lines[span.end_line - 1][: span.end_column - 1])
    return " ".join(p.strip() for p in parts)
