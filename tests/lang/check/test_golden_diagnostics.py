"""Golden files: each bad rule file (or folder) in golden/ and the diagnostics it must give.

Regenerate after a deliberate change with ``CLUSTERKIT_UPDATE_GOLDEN=1 pytest`` (see
tests/golden.py), then run again without it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkit.diagnostics import render_text
from clusterkit.lang import check_rules
from tests.golden import match_golden

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.suffix == ".ckr" or p.is_dir())


def render(target: str) -> str:
    out = []
    for diagnostic in check_rules([target]):
        lines = None
        if diagnostic.file and diagnostic.span:
            lines = Path(diagnostic.file).read_text(encoding="utf-8").splitlines()
        out.append(render_text(diagnostic, lines))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_diagnostics_match_the_golden_file(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)
    expected_file = GOLDEN / f"{case.removesuffix('.ckr')}.expected"
    match_golden(expected_file, render(case))


def test_every_golden_case_reports_an_error_with_code_and_position(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(GOLDEN)
    for case in CASES:
        diagnostics = check_rules([case])
        errors = [d for d in diagnostics if d.is_error]
        assert errors, case
        assert all(d.code and d.span is not None and d.span.line >= 1 for d in errors), case
