"""The shipped rulebooks' own tests (``rules/*.tests.toml``), one pytest item per case.

Item ids read ``FILE::CASE`` (``tcp-cofinancing::a project at 29% fails, ...``), so a
failing case is named in pytest's summary and can be run alone with ``-k``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from clusterkit.diagnostics import DiagnosticError
from clusterkit.lang.program import RULE_SUFFIX
from clusterkit.lang.ruletests.runner import TEST_SUFFIX, CaseResult, read_test_file, run_test_file

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
TEST_FILES = sorted(RULES.glob(f"*{TEST_SUFFIX}"))


def _params() -> list[object]:
    """One parameter per case; a test file that cannot be read is one failing item."""
    params: list[object] = []
    for file in TEST_FILES:
        stem = file.name.removesuffix(TEST_SUFFIX)
        try:
            suite = read_test_file(file, allowed_roots=[ROOT])
        except DiagnosticError:
            params.append(pytest.param(file, -1, id=f"{stem}::(test file)"))
            continue
        params.extend(
            pytest.param(file, position, id=f"{stem}::{case.name}")
            for position, case in enumerate(suite.cases)
        )
    return params


@functools.cache
def _results(file: Path) -> tuple[CaseResult, ...]:
    """Every case of ``file``, run once however many items ask."""
    return tuple(run_test_file(file, allowed_roots=[ROOT]))


@pytest.mark.parametrize(("file", "position"), _params())
def test_case(file: Path, position: int) -> None:
    try:
        results = _results(file)
    except DiagnosticError as exc:
        pytest.fail("\n".join(str(d) for d in exc.diagnostics), pytrace=False)
    case = results[position]
    if not case.passed:
        pytest.fail(f"{case.name}\n" + "\n".join(case.failures), pytrace=False)


def test_every_shipped_rulebook_has_tests() -> None:
    rulebooks = sorted(p.name.removesuffix(RULE_SUFFIX) for p in RULES.glob(f"*{RULE_SUFFIX}"))
    tested = sorted(p.name.removesuffix(TEST_SUFFIX) for p in TEST_FILES)
    assert rulebooks == tested
    assert len(_params()) >= len(TEST_FILES)
