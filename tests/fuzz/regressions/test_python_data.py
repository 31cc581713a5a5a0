"""Crashes the fuzzers found in reading data given from Python, each at its cause."""

from __future__ import annotations

from typing import Any

import pytest

from clusterkit import DiagnosticError, dataset_from_dict

INFO = {"id": "x", "title": {"en": "t"}}


def _problems(data: Any) -> list[str]:
    with pytest.raises(DiagnosticError) as exc:
        dataset_from_dict(data)
    return [str(d) for d in exc.value.diagnostics]


def test_data_that_is_not_a_mapping_is_a_diagnostic() -> None:
    # Was: ValueError from dict("0").
    assert _problems("0") == ["<dict>: error[D103]: the top level must be an object of collections"]
    assert _problems([1, 2]) == _problems(None) == _problems("0")


def test_a_collection_named_by_a_number_is_an_unknown_key() -> None:
    # Was: TypeError joining the path (an int) into the diagnostic's location.
    (problem,) = _problems({"dataset": INFO, 7: []})
    assert problem.startswith("<dict>: 7: error[D104]: unknown key 7 (hint: expected one of:")


def test_a_field_named_by_a_number_is_an_unknown_key() -> None:
    # Was: TypeError in the "did you mean" search, and in sorting int and str keys.
    problems = _problems({"dataset": {**INFO, "title": {"en": "t", 7: "y", "zz": "w"}}})
    assert problems == [
        "<dict>: dataset.title.7: error[D104]: unknown key 7 (expected one of: ru, kk, en)",
        "<dict>: dataset.title.zz: error[D104]: unknown key 'zz' (expected one of: ru, kk, en)",
    ]


def _nested(depth: int) -> Any:
    value: Any = "supplier"
    for _ in range(depth):
        value = [value]
    return value


def test_a_value_nested_past_repr_s_reach_is_described_not_repeated() -> None:
    # Was: RecursionError making the message "[[[[...]]]] is not one of: ...".
    participant = {
        "id": "p",
        "name": {"en": "P"},
        "bin": "060240100370",
        "role": _nested(5000),
        "region": "KZ-KAR",
        "oked": "23.61",
        "member_from": "2017-03-01",
    }
    cluster = {
        "id": "c",
        "name": {"en": "C"},
        "regions": ["KZ-KAR"],
        "sector": "construction",
        "participants": [participant],
    }
    problems = _problems({"dataset": INFO, "clusters": [cluster]})
    assert (
        "<dict>: clusters[0].participants[0].role: error[D103]: a list is not one of: "
        in (problems[0][: problems[0].index("large_enterprise")])
    )


def test_a_value_nested_past_repr_s_reach_in_an_enumeration() -> None:
    # Was: RecursionError from the enumeration's own message, re-raised by the loader.
    cluster = {
        "id": "c",
        "name": {"en": "C"},
        "regions": ["KZ-KAR"],
        "sector": "construction",
        "stages": [{"stage": _nested(5000), "start": "2017-01-01"}],
    }
    problems = _problems({"dataset": INFO, "clusters": [cluster]})
    assert problems[0] == (
        "<dict>: clusters[0].stages[0].stage: error[D103]: is nested too deeply "
        "(expected a single value)"
    )
