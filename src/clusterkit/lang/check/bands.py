"""A monitor's grading bands: each value must fall in exactly one band.

When every band is a range over one and the same value (``achieved < 70 %``,
``70 % <= achieved < 90 %``), the ranges are compared: overlaps and gaps are errors.
Bands of any other shape are not analysed.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from clusterkit import codes
from clusterkit.lang import ast
from clusterkit.lang.runtime.intervals import EVERYWHERE, Interval, first_gap
from clusterkit.lang.types.value_types import NumT
from clusterkit.messages import msg

if TYPE_CHECKING:
    from clusterkit.lang.check.exprs import ExprChecker

__all__ = ["check_bands"]

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


def check_bands(checker: ExprChecker, bands: list[ast.Band]) -> None:
    """Report a misplaced ``otherwise``, overlapping bands and values no band covers."""
    otherwise = [b for b in bands if b.cond is None]
    if len(otherwise) > 1 or (otherwise and bands[-1] is not otherwise[0]):
        checker.error(
            codes.OTHERWISE,
            otherwise[-1].span,
            msg("'otherwise' must be the last band, and only one"),
        )
    ranges: list[tuple[ast.Band, Interval]] = []
    subject: object = None
    percent = False
    for band in bands:
        if band.cond is None:
            continue
        found = _band_range(checker, band.cond)
        if found is None:
            return  # not a simple range over one value: nothing to analyse
        key, interval, percent = found
        if subject is None:
            subject = key
        elif key != subject:
            return
        ranges.append((band, interval))
    for i, (band_a, a) in enumerate(ranges):
        for band_b, b in ranges[i + 1 :]:
            overlap = a.intersect(b)
            if overlap is not None:
                checker.error(
                    codes.BAND_OVERLAP,
                    band_b.span,
                    msg(
                        "the {a} and {b} bands overlap ({values})",
                        a=band_a.level,
                        b=band_b.level,
                        values=overlap.text(percent),
                    ),
                    msg("make each value fall in exactly one band"),
                )
    if not otherwise and ranges:
        gap = first_gap([iv for _, iv in ranges], percent)
        if gap is not None:
            checker.error(
                codes.BAND_GAP,
                ranges[-1][0].span,
                msg("no band covers values {gap}", gap=gap),
                msg("add a band for them, or end with 'ok otherwise'"),
            )


def _band_range(checker: ExprChecker, cond: ast.Expr) -> tuple[object, Interval, bool] | None:
    """The value a band's condition constrains and the range it allows, if it is one."""
    if not isinstance(cond, ast.Compare):
        return None
    values = [checker.constant_value(o) for o in cond.operands]
    subjects = [o for o, v in zip(cond.operands, values, strict=True) if v is None]
    if len(subjects) != 1:
        return None
    subject = subjects[0]
    interval = EVERYWHERE
    for (left, right), op, (lv, rv) in zip(
        itertools.pairwise(cond.operands), cond.ops, itertools.pairwise(values), strict=True
    ):
        if left is subject and isinstance(rv, Decimal):
            interval = interval.constrain(op, rv)
        elif right is subject and isinstance(lv, Decimal):
            interval = interval.constrain(_FLIP[op], lv)
        else:
            return None
    subject_type = checker.result.types.get(id(subject))
    percent = isinstance(subject_type, NumT) and subject_type.percent
    return _key(subject), interval, percent


def _key(node: object) -> object:
    """A structural key of an expression, ignoring positions."""
    if isinstance(node, tuple):
        return tuple(_key(n) for n in node)
    cls = type(node)
    if attrs.has(cls):
        names = [a.name for a in attrs.fields(cls) if a.name != "span"]
        return (cls.__name__, *(_key(getattr(node, n)) for n in names))
    return node
