"""Built-in functions that read the data: indicator series, scores, labels, exchange
rates."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from clusterkit import codes
from clusterkit.lang import ast
from clusterkit.lang.builtins.base import Builtin, Emit, Emitter, literal, points_dim, rt_call
from clusterkit.lang.types.units import Dim, currency_dim
from clusterkit.lang.types.value_types import (
    ERR,
    RATIO,
    BoolT,
    DateT,
    EntityT,
    NumT,
    TextT,
    Type,
    describe,
    nullable,
)
from clusterkit.messages import msg
from clusterkit.money import MoneyError, check_currency
from clusterkit.suggestions import did_you_mean

if TYPE_CHECKING:
    from clusterkit.lang.check.calls import CallChecks

__all__ = ["DATA"]


def _series(name: str) -> Emit:
    """``NAME(cluster, "indicator", year)``: the indicator's name and unit are constants."""

    def emit(e: Emitter, node: ast.Call) -> str:
        cluster, indicator, year = node.args
        dim = e.indicator_dim(literal(indicator))
        return (
            f"rt.{name}(ctx, {e.arg(cluster)}, {e.arg(year)}, "
            f"{e.const(literal(indicator))}, {e.const(dim)})"
        )

    return emit


def _emit_convert(e: Emitter, node: ast.Call) -> str:
    amount, code, day = node.args
    return f"rt.convert(ctx, {e.arg(amount)}, {e.arg(day)}, {e.const(literal(code).upper())})"


def _indicator_args(c: CallChecks, node: ast.Call, args: list[Type]) -> tuple[Decimal, Dim] | None:
    if not c.arity(node, args, 3):
        return None
    if not (
        c.expect(node.args[0], args[0], EntityT, msg("a cluster"))
        and c.expect(node.args[2], args[2], NumT, msg("a year"))
    ):
        return None
    name = node.args[1]
    if not isinstance(name, ast.StringLit):
        c.error(
            codes.LITERAL_ARGUMENT,
            name.span,
            msg("the indicator is named by a quoted name here"),
        )
        return None
    declared = c.result.indicators.get(name.value)
    if declared is None:
        c.error(
            codes.UNDECLARED_INDICATOR,
            name.span,
            msg("indicator {name!r} is not declared", name=name.value),
            did_you_mean(name.value, c.result.indicators)
            or msg("declare it: indicator {name} in KZT", name=name.value),
        )
        return None
    return declared


def _check_indicator(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    declared = _indicator_args(c, node, args)
    return ERR if declared is None else NumT(declared[1], nullable=True)


def _check_indicator_percent(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    return ERR if _indicator_args(c, node, args) is None else nullable(RATIO)


def _check_points(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 2):
        return ERR
    if not (
        c.expect(node.args[0], args[0], EntityT, msg("an application"))
        and c.expect(node.args[1], args[1], TextT, msg("a criterion's name"))
    ):
        return ERR
    return NumT(points_dim(), nullable=True)


def _check_holds_label(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 2):
        return ERR
    if not (
        c.expect(node.args[0], args[0], EntityT, msg("a cluster"))
        and c.expect(node.args[1], args[1], TextT, msg("a label's name"))
    ):
        return ERR
    return BoolT(nullable=True)


def _check_convert(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 3):
        return ERR
    if not (
        c.expect(node.args[0], args[0], NumT, msg("money"))
        and c.expect(node.args[2], args[2], DateT, msg("the date of the rate"))
    ):
        return ERR
    target = node.args[1]
    if not isinstance(target, ast.StringLit):
        c.error(
            codes.LITERAL_ARGUMENT,
            target.span,
            msg('the target currency is a quoted code such as "USD"'),
        )
        return ERR
    try:
        code = check_currency(target.value)
    except MoneyError:
        c.error(
            codes.UNKNOWN_CURRENCY,
            target.span,
            msg("unknown currency {code!r}", code=target.value),
        )
        return ERR
    source = args[0]
    if isinstance(source, NumT) and source.dim != currency_dim(c.result.currency):
        c.error(
            codes.UNIT_ROLE,
            node.args[0].span,
            msg(
                "convert takes money in {currency}, the rulebook's currency, not {got}",
                currency=c.result.currency,
                got=describe(source),
            ),
        )
        return ERR
    return NumT(currency_dim(code), nullable=True)


DATA: tuple[Builtin, ...] = (
    Builtin(
        "indicator",
        'indicator(cluster, "name", year) -> number in the declared unit',
        "a declared indicator's value for a cluster and year, from its series",
        _check_indicator,
        _series("indicator"),
    ),
    Builtin(
        "attributed",
        'attributed(cluster, "name", year) -> number in the declared unit',
        "the part of an indicator's value the source attributes to the cluster's projects",
        _check_indicator,
        _series("attributed"),
    ),
    Builtin(
        "attributed_percent",
        'attributed_percent(cluster, "name", year) -> percentage',
        "the share of an indicator's change attributed to the projects, as stated",
        _check_indicator_percent,
        _series("attributed_percent"),
    ),
    Builtin(
        "stated_effect",
        'stated_effect(cluster, "name", year) -> percentage',
        "the effect on an indicator the source states",
        _check_indicator_percent,
        _series("stated_effect"),
    ),
    Builtin(
        "points",
        'points(application, "criterion") -> points',
        "the points an application was given for a criterion",
        _check_points,
        rt_call("points"),
    ),
    Builtin(
        "holds_label",
        'holds_label(cluster, "label") -> yes/no',
        "whether the cluster holds the label on the as-of date (none when the dates do not tell)",
        _check_holds_label,
        rt_call("holds_label", ctx=True),
    ),
    Builtin(
        "convert",
        'convert(amount, "CODE", date) -> money in CODE',
        "the amount in another currency at the dataset's rate on or before the date",
        _check_convert,
        _emit_convert,
    ),
)
