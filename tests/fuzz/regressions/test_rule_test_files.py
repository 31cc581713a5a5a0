"""Rule-test files the fuzzers broke."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkit import DiagnosticError
from clusterkit.lang.ruletests.runner import run_test_file


@pytest.mark.parametrize(
    ("values", "where"),
    [
        ("{ v = { value = 1, tolerance = nan } }", "values.v.tolerance"),
        ("{ v = { value = 1, tolerance = -inf } }", "values.v.tolerance"),
        ("{ v = nan }", "values.v"),
        ("{ v = inf }", "values.v"),
    ],
)
def test_nan_and_inf_are_not_expected_values(tmp_path: Path, values: str, where: str) -> None:
    # Was: decimal.InvalidOperation comparing a NaN tolerance with 0 (an internal error of
    # clusterkit test); a NaN value was taken and could never match.
    (tmp_path / "r.ckr").write_text("rulebook r\nrule a\n  let v = 1\n  require v = 1\n", "utf-8")
    tests = tmp_path / "r.tests.toml"
    tests.write_text(
        'rules = ["r.ckr"]\nas_of = 2021-01-01\n[[cases]]\nname = "x"\ngiven = { }\n'
        f'[[cases.expect]]\nrule = "a"\nvalues = {values}\n',
        encoding="utf-8",
    )
    with pytest.raises(DiagnosticError) as exc:
        run_test_file(tests)
    (problem,) = exc.value.diagnostics
    assert problem.code == "T701"
    assert problem.path == f"cases[0].expect[0].{where}"
    assert "is not a number clusterkit compares (expected a finite number)" in problem.message
