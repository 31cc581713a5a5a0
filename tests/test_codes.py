"""Every diagnostic code is documented, and each one is provoked by some input."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import clusterkit
from clusterkit import DiagnosticError, codes
from clusterkit.lang.ruletests.runner import run_test_file

ROOT = Path(__file__).resolve().parents[1]
HEAD = "rulebook t\n"

# Rule text that provokes each code when compiled on its own.
RULE_TEXT = {
    "R101": HEAD + "const x = $\n",
    "R102": HEAD + "const x =",
    "R103": HEAD + "rule r\n  require 1 >= >= 2\n",
    "R105": HEAD + "const x = " + "- " * 70 + "1\n",
    "R106": HEAD + "  in force from 2022-02-30\n",
    "R107": HEAD + "const x = 1e999999999 KZT\n",
    "R110": HEAD + "monitor m for each p in projects\n  require 1 > 0\n  ok otherwise\n",
    "R111": HEAD + "rule r for each p in projects\n  let x = 1\n",
    "R201": HEAD + "rule r\n  require nothing > 1\n",
    "R202": HEAD + "rule r for each p in projects\n  require p.nothing > 1\n",
    "R203": HEAD + "rule r\n  require projects.budget > 0\n",
    "R204": HEAD + "const x = 5 furlongs\n",
    "R205": HEAD + 'rule r for each x in participants\n  require x.role = "astronaut"\n',
    "R206": HEAD + "const x = 1\nconst x = 2\n",
    "R207": "rulebook t\n  currency XYZ\n",
    "R209": HEAD + "const x = as_of\n",
    "R210": HEAD + "define d of spaceship = 1\n",
    "R211": HEAD + "rule r\n  require sum(p in projects) > 0\n",
    "R212": HEAD + "rule r\n  require frobnicate(1) > 0\n",
    "R213": HEAD + "rule r\n  require growth(1) > 0\n",
    "R214": HEAD
    + 'rule r for each c in clusters\n  let n = "x"\n  require indicator(c, n, 2021) > 0\n',
    "R215": HEAD + 'rule r for each c in clusters\n  require indicator(c, "x", 2021) > 0\n',
    "R216": HEAD + 'rule r\n  require round(1, 1, "sideways") > 0\n',
    "R217": "schema s\nkind k\n  field x: identifier nope\n",
    "R218": 'schema s\nextend cluster\n  allow sector "x"\n',
    "R219": HEAD + "function f(x: number) = g(x)\nfunction g(x: number) = x\n",
    "R220": HEAD + "param p\n  from 2022-01-01 = 1\n  from 2021-01-01 = 2\n",
    "R301": HEAD + 'rule r\n  require 1 + "a" > 0\n',
    "R302": HEAD
    + "score s for each a in applications\n  criterion c weight 5 KZT = 1\n  select top 1\n",
    "R303": HEAD + "rule r for each p in projects\n  require p.budget + 5 % > 0 KZT\n",
    "R304": HEAD + "rule r for each p in projects\n  require p.budget > 5 USD\n",
    "R305": HEAD
    + "score s for each a in applications\n  criterion c weight 50 % = 1\n  select top 1\n",
    "R306": HEAD + "rule r\n  require true within precision\n",
    "R402": HEAD + "monitor m for each p in projects\n  let x = 1\n"
    "  breach when x < 5\n  warning when x < 9\n  ok otherwise\n",
    "R403": HEAD + "monitor m for each p in projects\n  let x = 1\n"
    "  breach when x < 5\n  ok when x > 6\n",
    "R404": HEAD + "monitor m for each p in projects\n  let x = 1\n"
    "  ok otherwise\n  breach when x < 5\n",
    "R501": "rulebook t\n  in force from 2022-01-01 until 2021-01-01\n",
    "R503": HEAD + 'import "missing.ckr"\n',
    "W601": HEAD + "const unused = 1\n",
}


def _codes(text: str) -> set[str]:
    try:
        program = clusterkit.compile_rules(text, name="t.ckr")
    except DiagnosticError as exc:
        return {d.code for d in exc.diagnostics}
    return {d.code for d in program.diagnostics}


def files(tmp: Path, contents: dict[str, str]) -> Path:
    for name, text in contents.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text, encoding="utf-8")
    return tmp


def data_codes(tmp: Path, contents: dict[str, str]) -> set[str]:
    try:
        clusterkit.load_dataset(files(tmp, contents))
    except DiagnosticError as exc:
        return {d.code for d in exc.diagnostics}
    return set()


def rule_file_codes(tmp: Path, contents: dict[str, str], *names: str) -> set[str]:
    files(tmp, contents)
    try:
        program = clusterkit.load_rules([tmp / n for n in names])
    except DiagnosticError as exc:
        return {d.code for d in exc.diagnostics}
    return {d.code for d in program.diagnostics}


INFO = '{"dataset": {"id": "d", "title": {"en": "D"}}'
CLUSTER = (
    '"regions": [{"code": "KZ-AKM", "name": {"en": "A"}}], '
    '"sectors": [{"code": "food", "name": {"en": "F"}}], '
    '"clusters": [{"id": "c1", "name": {"en": "C"}, "regions": ["KZ-AKM"], "sector": "food"}]'
)


def _missing_data(tmp: Path) -> set[str]:
    try:
        clusterkit.load_dataset(tmp / "absent")
    except DiagnosticError as exc:
        return {d.code for d in exc.diagnostics}
    return set()


def _unread_file(tmp: Path) -> set[str]:
    files(tmp, {"data.json": INFO + "}", "notes.xls": ""})
    warnings: list[clusterkit.Diagnostic] = []
    clusterkit.load_dataset(tmp, warnings=warnings)
    return {d.code for d in warnings}


def _broken_test_file(tmp: Path) -> set[str]:
    files(tmp, {"t.ckr": HEAD, "t.tests.toml": "rules = 5\n"})
    try:
        run_test_file(tmp / "t.tests.toml")
    except DiagnosticError as exc:
        return {d.code for d in exc.diagnostics}
    return set()


OTHER: dict[str, Callable[[Path], set[str]]] = {
    "D101": _missing_data,
    "D102": lambda tmp: data_codes(tmp, {"data.json": "{nope"}),
    "D103": lambda tmp: data_codes(
        tmp,
        {
            "data.json": INFO
            + ", "
            + CLUSTER.replace('"sector": "food"', '"sector": "food", "registry_status": "x"')
            + "}"
        },
    ),
    "D104": lambda tmp: data_codes(tmp, {"data.json": INFO + ', "clustres": []}'}),
    "D105": lambda tmp: data_codes(tmp, {"data.json": '{"dataset": {"id": "d"}}'}),
    "D106": lambda tmp: data_codes(
        tmp,
        {
            "data.json": INFO
            + ', "clusters": [{"id": "c1", "name": {"en": "C"}, "regions": ["KZ-X"], '
            '"sector": "s"}]}'
        },
    ),
    "D107": lambda tmp: data_codes(tmp, {"data.json": '{"clusters": []}'}),
    "D108": lambda tmp: data_codes(
        tmp,
        {"data.json": INFO + ", " + CLUSTER + "}", "participants/c1.csv": "id,colour\n1,red\n"},
    ),
    "D109": _unread_file,
    "R100": lambda tmp: rule_file_codes(tmp, {}, "absent.ckr"),
    "R104": lambda tmp: _codes(HEAD + "#" * (4 * 1024 * 1024 + 1)),
    "R208": lambda tmp: rule_file_codes(
        tmp,
        {"usd.ckr": "rulebook u\n  currency USD\n", "kzt.ckr": 'rulebook k\nimport "usd.ckr"\n'},
        "kzt.ckr",
    ),
    "R401": lambda tmp: rule_file_codes(
        tmp, {"a.ckr": "rulebook same\n", "b.ckr": "rulebook same\n"}, "a.ckr", "b.ckr"
    ),
    "R502": lambda tmp: rule_file_codes(
        tmp,
        {"a.ckr": 'rulebook a\nimport "b.ckr"\n', "b.ckr": 'rulebook b\nimport "a.ckr"\n'},
        "a.ckr",
    ),
    "T701": _broken_test_file,
}


def test_every_code_is_provoked_by_some_input() -> None:
    assert set(codes.MEANINGS) == set(RULE_TEXT) | set(OTHER)


@pytest.mark.parametrize("code", sorted(RULE_TEXT))
def test_rule_text_provokes_its_code(code: str) -> None:
    assert code in _codes(RULE_TEXT[code])


@pytest.mark.parametrize("code", sorted(OTHER))
def test_input_provokes_its_code(code: str, tmp_path: Path) -> None:
    assert code in OTHER[code](tmp_path)


def test_every_code_is_documented_and_every_documented_code_exists() -> None:
    text = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| ([DRWT]\d{3}) \|", text, re.MULTILINE))
    assert documented == set(codes.MEANINGS)


def test_code_is_written_only_as_named_constants() -> None:
    literal = re.compile(r"[\"'][DRWT]\d{3}[\"']")
    for path in (ROOT / "src").rglob("*.py"):
        if path.name == "codes.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not literal.search(text), f"{path}: use clusterkit.codes, not a bare code"
