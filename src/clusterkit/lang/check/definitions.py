"""Checking parameters and user functions: a dated parameter's values (one type, fixed,
dates rising) and a function's typed parameters, body and result. A mixin of the file
checker."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Span
from clusterkit.lang import ast
from clusterkit.lang.builtins import BUILTINS
from clusterkit.lang.check.checked import Checked, FunctionInfo, ParamInfo, Symbol
from clusterkit.lang.check.declare import read_type
from clusterkit.lang.check.declared import SchemaView
from clusterkit.lang.check.scope import Scope
from clusterkit.lang.types.value_types import ERR, ErrT, NumT, Type, describe, nullable
from clusterkit.messages import msg

__all__ = ["DefinitionChecks"]


class DefinitionChecks:
    """Parameters and functions; mixed into the file checker."""

    later_functions: frozenset[str]
    reads: set[str] | None

    if TYPE_CHECKING:
        result: Checked
        file: ast.RuleFile
        view: SchemaView
        diagnostics: list[Diagnostic]

        def expr(self, node: ast.Expr, scope: Scope) -> Type: ...
        def error(self, code: str, span: Span, message: str, hint: str | None = None) -> None: ...
        def comparable(self, op: str, a: ast.Expr, ta: Type, b: ast.Expr, tb: Type) -> bool: ...
        def constant_value(self, node: ast.Expr) -> object: ...
        def declare(self, scope: Scope, symbol: Symbol, span: Span) -> None: ...
        def check_basis(self, basis: ast.Basis | None) -> None: ...

    def param(self, item: ast.Param, scope: Scope) -> None:
        """A dated parameter: values of one type, each from its date on."""
        self.check_basis(item.basis)
        for value in item.values:
            self.check_basis(value.basis)
        if not item.values:
            self.error(
                codes.PARAM_DATES, item.span, msg("param {name!r} has no values", name=item.name)
            )
            return
        first = item.values[0]
        t = self.expr(first.expr, scope)
        schedule: list[tuple[dt.date, object]] = []
        bases: list[ast.Basis | None] = []
        for value in item.values:
            vt = t if value is first else self.expr(value.expr, scope)
            if value is not first and not self.comparable("=", first.expr, t, value.expr, vt):
                continue
            fixed = self.constant_value(value.expr)
            if fixed is None and not isinstance(vt, ErrT):
                self.error(
                    codes.CONST_NOT_FIXED,
                    value.expr.span,
                    msg(
                        "a parameter's values are fixed values (numbers, units, text, dates, "
                        "consts)"
                    ),
                )
            if schedule and value.start <= schedule[-1][0]:
                self.error(
                    codes.PARAM_DATES,
                    value.span,
                    msg(
                        "the dates of param {name!r} must rise: {date} comes after {before}",
                        name=item.name,
                        date=value.start.isoformat(),
                        before=schedule[-1][0].isoformat(),
                    ),
                )
                continue
            schedule.append((value.start, fixed))
            bases.append(value.basis or item.basis)
        info = ParamInfo(item, t, tuple(schedule), self.file.path, tuple(bases))
        self.declare(scope, Symbol("param", item.name, t, self.file.path, item), item.span)
        self.result.params[item.name] = info
        # A verdict shows the basis of the value it read; this one is shown when the
        # values share one, or none was read.
        self.result.bases[item.name] = bases[0] if bases and not info.varies() else item.basis

    def function(self, item: ast.Function, scope: Scope) -> None:
        """A user function: typed parameters, one expression, no recursion."""
        params: list[tuple[str, Type]] = []
        names: dict[str, Symbol] = {}
        for param in item.params:
            t = self.spec_type(param.type)
            if param.name in names:
                self.error(
                    codes.DEFINED_TWICE, param.span, msg("{name!r} is given twice", name=param.name)
                )
            names[param.name] = Symbol("var", param.name, t)
            params.append((param.name, t))
        outer, self.reads = self.reads, set()
        try:
            body = self.expr(item.expr, scope.child(names))
        finally:
            self.result.uses[f"function:{item.name}"] = self.reads
            self.reads = outer
        result = body
        if item.returns is not None:
            result = self.spec_type(item.returns)
            self.returns(item, result, body)
            # The body may give none (data it reads is missing, an empty max): so may
            # the function, and its callers must treat it as possibly missing.
            result = nullable(result, result.nullable or body.nullable)
        if item.name in BUILTINS:
            self.error(
                codes.DEFINED_TWICE,
                item.span,
                msg("{name!r} is a built-in function", name=item.name),
            )
        elif item.name in self.result.functions:
            self.error(
                codes.DEFINED_TWICE,
                item.span,
                msg("function {name!r} already exists", name=item.name),
            )
        self.later_functions = self.later_functions - {item.name}
        self.result.functions[item.name] = FunctionInfo(item, tuple(params), result, self.file.path)

    def returns(self, item: ast.Function, declared: Type, body: Type) -> None:
        if isinstance(declared, ErrT) or isinstance(body, ErrT):
            return
        same = type(declared) is type(body) and (
            not isinstance(declared, NumT) or (isinstance(body, NumT) and declared.dim == body.dim)
        )
        if not same:
            self.error(
                codes.TYPE_ERROR,
                item.expr.span,
                msg(
                    "function {name!r} gives {got}, not {want} as declared",
                    name=item.name,
                    got=describe(body),
                    want=describe(declared),
                ),
            )

    def spec_type(self, spec: ast.TypeSpec) -> Type:
        field_type = read_type(spec, self.result.schema, self.diagnostics)
        if field_type is None:
            return ERR
        return self.view.read(field_type, "")[0]
