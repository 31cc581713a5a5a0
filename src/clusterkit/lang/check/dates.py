"""Type rules of date arithmetic: a date plus or minus a duration is a date, a date
minus a date is a number of days, and a date plus a plain number is an error."""

from __future__ import annotations

from clusterkit.lang import ast
from clusterkit.lang.types.units import DAYS, MONTHS, YEARS
from clusterkit.lang.types.value_types import DateT, NumT, Type, describe
from clusterkit.messages import msg

__all__ = ["DURATIONS", "date_arithmetic"]

#: The dimensions a duration may have: whole years, calendar months, days.
DURATIONS = (YEARS, MONTHS, DAYS)


def date_arithmetic(node: ast.Binary, left: Type, right: Type) -> Type | str:
    """The type of ``left op right`` when a date takes part, or a message saying what
    is wrong."""
    nullable = left.nullable or right.nullable
    if node.op == "-" and isinstance(left, DateT) and isinstance(right, DateT):
        return NumT(DAYS, nullable=nullable)
    duration, date = (right, left) if isinstance(left, DateT) else (left, right)
    if node.op not in ("+", "-") or (node.op == "-" and not isinstance(left, DateT)):
        return msg("a date can only have a duration added or taken away, not '{op}'", op=node.op)
    if isinstance(duration, NumT) and duration.dim in DURATIONS and isinstance(date, DateT):
        return DateT(nullable=nullable)
    return msg(
        "add a duration to a date (5 days, 24 months, 2 years), not {got}", got=describe(duration)
    )
