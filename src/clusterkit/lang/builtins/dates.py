"""Built-in functions on dates: making one, its parts, the bounds of its month and year,
and differences in days, whole months and whole years. Calendar rules are in
:mod:`clusterkit.lang.runtime.dates` and docs/language.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterkit.lang import ast
from clusterkit.lang.builtins.base import Builtin, Check, inline, rt_call
from clusterkit.lang.types.units import DAYS, MONTHS, YEARS, Dim
from clusterkit.lang.types.value_types import ERR, DateT, NumT, Type, nullable
from clusterkit.messages import msg

if TYPE_CHECKING:
    from clusterkit.lang.check.calls import CallChecks

__all__ = ["DATES"]


def _check_date(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 3):
        return ERR
    for arg, t in zip(node.args, args, strict=True):
        if not c.expect(arg, t, NumT, msg("a whole number")):
            return ERR
    return DateT(nullable=any(a.nullable for a in args))


def _of_date(result: Type) -> Check:
    """The check of a function of one date, giving ``result``."""

    def check(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
        if not c.arity(node, args, 1) or not c.expect(node.args[0], args[0], DateT, msg("a date")):
            return ERR
        return nullable(result, result.nullable or args[0].nullable)

    return check


def _between(dim: Dim) -> Check:
    """The check of a difference of two dates, in ``dim`` (days, months or years)."""

    def check(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
        if not c.arity(node, args, 2):
            return ERR
        for arg, t in zip(node.args, args, strict=True):
            if not c.expect(arg, t, DateT, msg("a date")):
                return ERR
        return NumT(dim, nullable=any(a.nullable for a in args))

    return check


def _check_end_of_year(c: CallChecks, node: ast.Call, args: list[Type]) -> Type:
    if not c.arity(node, args, 1):
        return ERR
    if not isinstance(args[0], DateT) and not c.expect(
        node.args[0], args[0], NumT, msg("a date or a year")
    ):
        return ERR
    return DateT(nullable=args[0].nullable)


DATES: tuple[Builtin, ...] = (
    Builtin(
        "date",
        "date(year, month, day) -> date",
        "the date (undetermined if it does not exist)",
        _check_date,
        rt_call("make_date"),
    ),
    Builtin(
        "year",
        "year(date) -> number",
        "the date's year",
        _of_date(NumT()),
        inline("Decimal({0}.year)"),
    ),
    Builtin(
        "month",
        "month(date) -> number",
        "the date's month, 1 to 12",
        _of_date(NumT()),
        rt_call("month"),
    ),
    Builtin(
        "day",
        "day(date) -> number",
        "the date's day of the month",
        _of_date(NumT()),
        rt_call("day_of"),
    ),
    Builtin(
        "start_of_month",
        "start_of_month(date) -> date",
        "the first day of the date's month",
        _of_date(DateT()),
        rt_call("start_of_month"),
    ),
    Builtin(
        "end_of_month",
        "end_of_month(date) -> date",
        "the last day of the date's month",
        _of_date(DateT()),
        rt_call("end_of_month"),
    ),
    Builtin(
        "start_of_year",
        "start_of_year(date) -> date",
        "1 January of the date's year",
        _of_date(DateT()),
        rt_call("start_of_year"),
    ),
    Builtin(
        "end_of_year",
        "end_of_year(date or year) -> date",
        "31 December of the date's year, or of a year",
        _check_end_of_year,
        rt_call("end_of_year_of"),
    ),
    Builtin(
        "days_between",
        "days_between(from, to) -> days",
        "the days from one date to the other (negative if it is earlier)",
        _between(DAYS),
        rt_call("days_between"),
    ),
    Builtin(
        "months_between",
        "months_between(from, to) -> months",
        "the whole calendar months from one date to the other",
        _between(MONTHS),
        rt_call("months_between"),
    ),
    Builtin(
        "years_between",
        "years_between(from, to) -> years",
        "the whole years from one date to the other",
        _between(YEARS),
        rt_call("years_between"),
    ),
)
