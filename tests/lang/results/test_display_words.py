"""Words inside displayed values follow the language: yes/no, none, points."""

from __future__ import annotations

from decimal import Decimal

from clusterkit.lang.results.display import format_value
from clusterkit.lang.types.units import Dim
from clusterkit.lang.types.value_types import BoolT, NumT

POINTS = NumT(Dim({"[point]": 1}))


def test_yes_no_and_none_are_translated() -> None:
    assert [format_value(v, BoolT(), "", "en") for v in (True, False)] == ["yes", "no"]
    assert [format_value(v, BoolT(), "", "ru") for v in (True, False)] == ["да", "нет"]
    assert [format_value(v, BoolT(), "", "kk") for v in (True, False)] == ["иә", "жоқ"]
    assert format_value(None, BoolT(), "", "ru") == "нет"


def test_points_agree_with_their_number() -> None:
    assert format_value(Decimal(1), POINTS, "", "en") == "1 point"
    assert format_value(Decimal("99"), POINTS, "", "en") == "99 points"
    assert format_value(Decimal("99"), POINTS, "", "ru") == "99 балл."
    assert format_value(Decimal(1), POINTS, "", "ru") == "1 балл"
    assert format_value(Decimal("99"), POINTS, "", "kk") == "99 ұпай"
