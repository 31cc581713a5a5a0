"""Rule tests: cases beside the rule files, run by ``clusterkit test``.

A test file ``NAME.tests.toml`` sits beside ``NAME.ckr``::

    rules = ["tcp-cofinancing.ckr"]       # default: the .ckr file of the same name
    data = "../examples/kazakhstan-2021"  # optional base dataset, relative to this file
    as_of = 2021-06-30

    [[cases]]
    name = "a project at 29% fails"
    [cases.add]                           # collections added to the base's
    programmes = [ ... ]                  # ([cases.given] replaces them instead)
    [[cases.expect]]
    rule = "cluster_share"
    entity = "p29"
    outcome = "fail"
    values = { "p.cluster_amount" = "29 mln KZT" }
    gap = "short of"                       # text the explanation must contain

Policy authors test their rules without writing Python: a case gives data and the
expected verdicts and values, and the runner says which case failed and why.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.lang.evaluate import evaluate
from clusterkit.lang.program import RULE_SUFFIX, load_rules
from clusterkit.lang.results import Outcome, Result, ResultSet
from clusterkit.loader import dataset_from_document, load_dataset
from clusterkit.model import Dataset
from clusterkit.numbers import NumberFormatError, shift
from clusterkit.units import Measure, UnitError

__all__ = ["TEST_SUFFIX", "CaseResult", "find_test_files", "run_test_file"]

TEST_SUFFIX = ".tests.toml"
_FILE_KEYS = {"rules", "data", "as_of", "cases"}
_CASE_KEYS = {"name", "given", "add", "expect", "as_of", "data"}
_EXPECT_KEYS = {"rule", "entity", "outcome", "values", "gap", "needs", "rank", "count"}


@attrs.frozen
class CaseResult:
    """The outcome of one test case: passed, or the reasons it failed."""

    file: str
    name: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def find_test_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Test files named by ``paths``: test files themselves, those beside rule files,
    and every test file under a directory."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(path.rglob(f"*{TEST_SUFFIX}")))
        elif path.name.endswith(TEST_SUFFIX):
            found.append(path)
        elif path.suffix == RULE_SUFFIX:
            beside = path.with_name(path.name[: -len(RULE_SUFFIX)] + TEST_SUFFIX)
            if beside.exists():
                found.append(beside)
        else:
            found.append(path)
    unique: dict[str, Path] = {str(p): p for p in found}
    return list(unique.values())


def _problem(file: str, message: str, path: str | None = None) -> DiagnosticError:
    return DiagnosticError(
        [
            Diagnostic(
                codes.TEST_FILE,
                Severity.ERROR,
                message,
                file=file,
                path=path,
                span=None if path else Span.point(file, 1, 1),
            )
        ]
    )


def _read(file: Path) -> dict[str, Any]:
    shown = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise _problem(shown, f"cannot be read: {exc.strerror or exc}") from None
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise _problem(shown, f"not valid TOML: {exc}") from None
    _known_keys(document, _FILE_KEYS, shown, "")
    return document


def _known_keys(table: dict[str, Any], allowed: set[str], shown: str, where: str) -> None:
    """Refuse a key the test format does not have, naming the ones it does."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _problem(
            shown,
            f"unknown key {unknown[0]!r}; expected one of: " + ", ".join(sorted(allowed)),
            path=f"{where}.{unknown[0]}" if where else unknown[0],
        )


def _as_date(value: object, shown: str, path: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise _problem(shown, "as_of must be a date such as 2021-06-30", path=path)


def run_test_file(file: Path) -> list[CaseResult]:
    """Run every case of one test file; bad test files raise :class:`DiagnosticError`."""
    shown = str(file)
    document = _read(file)
    folder = file.parent
    rules = document.get("rules") or [file.name[: -len(TEST_SUFFIX)] + RULE_SUFFIX]
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise _problem(shown, "rules is a list of rule file names", path="rules")
    program = load_rules([folder / r for r in rules])
    base = load_dataset(folder / document["data"]) if "data" in document else None
    default_as_of = document.get("as_of")
    cases = document.get("cases", [])
    if not isinstance(cases, list) or not cases:
        raise _problem(shown, "a test file needs at least one [[cases]] table", path="cases")
    out = []
    for index, case in enumerate(cases):
        where = f"cases[{index}]"
        if not isinstance(case, dict):
            raise _problem(shown, "each case is a table", path=where)
        _known_keys(case, _CASE_KEYS, shown, where)
        name = str(case.get("name", f"case {index + 1}"))
        case_base = load_dataset(folder / case["data"]) if "data" in case else base
        data = _case_data(case.get("given"), shown, f"{where}.given", case_base)
        if "add" in case:
            data = _case_data(case["add"], shown, f"{where}.add", data, append=True)
        as_of = _as_date(case.get("as_of", default_as_of), shown, f"{where}.as_of")
        results = evaluate(program, data, as_of, data_sha256="-")
        failures = [
            msg
            for i, expect in enumerate(case.get("expect", []))
            for msg in _check(expect, results, shown, f"{where}.expect[{i}]")
        ]
        if not case.get("expect"):
            raise _problem(shown, "a case needs at least one [[cases.expect]]", path=where)
        out.append(CaseResult(shown, name, tuple(failures)))
    return out


def _case_data(
    given: object, shown: str, where: str, base: Dataset | None, append: bool = False
) -> Dataset:
    if given is None:
        if base is None:
            raise _problem(
                shown,
                "a case needs data: 'data' in the file or the case, or [cases.given]",
                path=where,
            )
        return base
    if not isinstance(given, dict):
        raise _problem(shown, "a table of collections is expected here", path=where)
    document = dict(given)
    if base is None and "dataset" not in document:
        document["dataset"] = {"id": "test", "title": {"en": "rule test data"}}
    return dataset_from_document(document, f"{shown}: {where}", base, append=append)


def _check(expect: object, results: ResultSet, shown: str, where: str) -> list[str]:
    if not isinstance(expect, dict) or "rule" not in expect:
        raise _problem(shown, "an expectation names its rule", path=where)
    _known_keys(expect, _EXPECT_KEYS, shown, where)
    rule = str(expect["rule"])
    entity = expect.get("entity")
    found = results.find(rule, None if entity is None else str(entity))
    label = f"{rule}" + (f" on {entity}" if entity is not None else "")
    if "count" in expect:
        wanted = expect["count"]
        matching = [r for r in found if "outcome" not in expect or r.outcome == expect["outcome"]]
        if len(matching) != wanted:
            return [f"{label}: expected {wanted} result(s), got {len(matching)}"]
        return []
    if not found:
        known = sorted({r.rule for r in results.results})
        return [f"{label}: no result (rules that gave results: {', '.join(known) or 'none'})"]
    result = found[0]
    failures: list[str] = []
    if "outcome" in expect:
        try:
            wanted_outcome = Outcome(str(expect["outcome"]))
        except ValueError:
            raise _problem(
                shown,
                f"unknown outcome {expect['outcome']!r}; expected one of: "
                + ", ".join(o.value for o in Outcome),
                path=f"{where}.outcome",
            ) from None
        if result.outcome is not wanted_outcome:
            failures.append(
                f"{label}: expected {wanted_outcome.value}, got "
                f"{result.outcome.value}{_why(result)}"
            )
    texts = {
        "gap": result.gap(),
        "needs": None if result.needs is None else result.needs.text(),
    }
    for key, text in texts.items():
        if key in expect and str(expect[key]) not in (text or ""):
            failures.append(f"{label}: expected {key} to mention {expect[key]!r}, got {text!r}")
    if "rank" in expect and result.rank != expect["rank"]:
        failures.append(f"{label}: expected rank {expect['rank']}, got {result.rank}")
    values = expect.get("values", {})
    if not isinstance(values, dict):
        raise _problem(shown, "values is a table of trace labels", path=f"{where}.values")
    for name, wanted in values.items():
        failures.extend(_check_value(label, result, str(name), wanted))
    return failures


def _why(result: Result) -> str:
    reason = result.gap() or (f"needs {result.needs.text()}" if result.needs else "")
    return f" ({reason})" if reason else ""


def _check_value(label: str, result: Result, name: str, wanted: object) -> list[str]:
    entry = next((t for t in result.trace if t.label == name), None)
    if entry is None:
        names = ", ".join(t.label for t in result.trace) or "none"
        return [f"{label}: no value {name!r} in the trace (it has: {names})"]
    expected = _expected_number(wanted)
    actual = _actual_number(entry.raw)
    if expected is not None and actual is not None:
        if expected != actual:
            return [f"{label}: {name} expected {wanted}, got {entry.text()}"]
        return []
    if str(wanted) not in (entry.text(), entry.raw):
        return [f"{label}: {name} expected {wanted!r}, got {entry.text()!r}"]
    return []


def _expected_number(wanted: object) -> Decimal | None:
    if isinstance(wanted, bool):
        return None
    if isinstance(wanted, int | Decimal):
        return Decimal(wanted)
    if isinstance(wanted, str):
        try:
            measure = Measure.parse(wanted)
        except (UnitError, NumberFormatError, ValueError):
            return None
        value = measure.value
        return shift(value, -2) if measure.unit.base == "%" else value
    return None


def _actual_number(raw: str) -> Decimal | None:
    """The exact value behind a trace entry; an interval counts as its midpoint."""
    try:
        if raw.startswith("["):
            low, high = (Decimal(p) for p in raw.strip("[]").split(", "))
            return (low + high) / 2
        return Decimal(raw)
    except (ArithmeticError, ValueError):
        return None
