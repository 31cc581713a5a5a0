"""Dimensions: base dimensions with whole powers, multiplied and divided exactly as the
checker needs, without a units library."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

from clusterkit.lang.types.units import (
    DAYS,
    DIMENSIONLESS,
    YEARS,
    Dim,
    UnitError,
    currency_dim,
    dim_text,
    resolve_unit,
)

KZT = currency_dim("KZT")


def test_multiplying_and_dividing_add_and_subtract_powers() -> None:
    per_year = KZT / YEARS
    assert dict(per_year) == {"[KZT]": 1, "[time]": -1}
    assert per_year * YEARS == KZT
    assert KZT / KZT == DIMENSIONLESS
    assert not KZT / KZT  # no base dimension left
    assert dict(KZT * KZT) == {"[KZT]": 2}


def test_equal_dimensions_are_equal_and_hash_alike_whatever_the_order() -> None:
    one = Dim({"[KZT]": 1, "[time]": -1})
    other = Dim({"[time]": -1, "[KZT]": 1, "[person]": 0})
    assert one == other
    assert hash(one) == hash(other)
    assert len({one, other, KZT / YEARS}) == 1
    assert one != KZT
    assert currency_dim("USD") != KZT


def test_the_inverse_of_a_dimension() -> None:
    assert 1 / (KZT / YEARS) == YEARS / KZT
    with pytest.raises(TypeError):
        _ = 2 / KZT


def test_a_dimension_pickles() -> None:
    assert pickle.loads(pickle.dumps(KZT / YEARS)) == KZT / YEARS


@pytest.mark.parametrize(
    ("unit", "factor", "text"),
    [
        ((6, "KZT", "year"), Decimal(10) ** 6, "KZT/year"),
        ((0, "%", None), Decimal("0.01"), "a plain number"),
        ((0, "weeks", None), Decimal(7), "day"),
        ((3, "KZT", "person"), Decimal(1000), "KZT/person"),
        ((0, "projects", None), Decimal(1), "a plain number"),
    ],
)
def test_written_units_resolve_to_a_factor_and_a_dimension(
    unit: tuple[int, str, str | None], factor: Decimal, text: str
) -> None:
    found, dim = resolve_unit(*unit)
    assert found == factor
    assert dim_text(dim) == text


def test_declared_units_are_dimensions_of_their_own() -> None:
    _, dim = resolve_unit(0, "hectares", None, (("hectare", "hectares"),))
    assert dict(dim) == {"[hectare]": 1}
    assert dim != DAYS
    with pytest.raises(UnitError):
        resolve_unit(0, "furlongs", None)
