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
expected verdicts and values, and the runner says which case failed and why. The
file is checked whole before anything runs (:mod:`.spec`); expected values
compare with their units (:mod:`.values`); :mod:`.report` renders the
results as text, JSON or JUnit XML.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.lang.evaluation.evaluator import evaluate
from clusterkit.lang.program import RULE_SUFFIX, Program, load_rules
from clusterkit.lang.results.result import Result
from clusterkit.lang.results.result_set import ResultSet
from clusterkit.lang.ruletests.spec import (
    TEST_SUFFIX,
    CaseSpec,
    ExpectSpec,
    SuiteSpec,
    read_test_file,
)
from clusterkit.lang.ruletests.values import value_failure
from clusterkit.loader import dataset_from_document, load_dataset
from clusterkit.messages import msg
from clusterkit.model import Dataset
from clusterkit.schema import Schema
from clusterkit.suggestions import did_you_mean

__all__ = [
    "TEST_SUFFIX",
    "CaseResult",
    "FileResult",
    "find_test_files",
    "read_test_file",
    "run_suite",
    "run_test_file",
    "run_test_files",
]

Roots = Sequence[str | os.PathLike[str]] | None


@attrs.frozen
class CaseResult:
    """The outcome of one test case: passed, or the reasons it failed."""

    file: str
    name: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@attrs.frozen
class FileResult:
    """One test file's cases, or, for a file that could not run, why (``errors``:
    T701 for a malformed test file, or the rule or data files' own diagnostics)."""

    file: str
    cases: tuple[CaseResult, ...] = ()
    errors: tuple[Diagnostic, ...] = ()

    @property
    def broken(self) -> bool:
        return bool(self.errors)

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cases if c.passed)

    @property
    def failed(self) -> int:
        return sum(1 for c in self.cases if not c.passed)


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


def run_test_file(
    file: str | os.PathLike[str],
    *,
    allowed_roots: Roots = None,
    extra_roots: Roots = None,
    cache: bool = False,
) -> list[CaseResult]:
    """Run every case of one test file.

    A malformed test file raises :class:`DiagnosticError` with every problem in it
    (T701); rule and data files that cannot be loaded raise their own diagnostics.
    ``allowed_roots`` are the folders the file's paths may lead into (see
    :func:`~clusterkit.lang.ruletests.spec.read_test_file`). With ``cache``, the rules
    come from the cache of compiled programs when unchanged (see
    :func:`~clusterkit.lang.program.load_rules`).
    """
    return run_suite(
        read_test_file(file, allowed_roots=allowed_roots, extra_roots=extra_roots or ()),
        cache=cache,
    )


def run_test_files(
    files: Iterable[str | os.PathLike[str]],
    *,
    allowed_roots: Roots = None,
    extra_roots: Roots = None,
    cache: bool = False,
) -> list[FileResult]:
    """Run every case of every file; a file that cannot run is a :class:`FileResult`
    with its ``errors``, and the others still run."""
    out = []
    for file in files:
        try:
            cases = run_test_file(
                file, allowed_roots=allowed_roots, extra_roots=extra_roots, cache=cache
            )
        except DiagnosticError as exc:
            out.append(FileResult(str(file), errors=exc.diagnostics))
        else:
            out.append(FileResult(str(file), tuple(cases)))
    return out


def run_suite(suite: SuiteSpec, *, cache: bool = False) -> list[CaseResult]:
    """Run the cases of a test file already read by :func:`read_test_file`."""
    program = load_rules(list(suite.rules), cache=cache)
    base = load_dataset(suite.data, schema=program.schema) if suite.data is not None else None
    return [_run_case(suite.shown, program, base, case) for case in suite.cases]


def _run_case(shown: str, program: Program, base: Dataset | None, case: CaseSpec) -> CaseResult:
    where = f"cases[{case.index}]"
    schema = program.schema
    data = load_dataset(case.data, schema=schema) if case.data is not None else base
    if case.given is not None:
        data = _case_data(case.given, f"{shown}: {where}.given", data, schema)
    if case.add is not None:
        data = _case_data(case.add, f"{shown}: {where}.add", data, schema, append=True)
    assert data is not None  # read_test_file refuses a case without data
    results = evaluate(program, data, case.as_of, data_sha256="-")
    rules = {rule.name for book in program.rulebooks for rule in book.rules}
    failures = [msg for expect in case.expects for msg in _check(expect, results, rules)]
    return CaseResult(shown, case.name, tuple(failures))


def _case_data(
    collections: dict[str, object],
    shown: str,
    base: Dataset | None,
    schema: Schema,
    *,
    append: bool = False,
) -> Dataset:
    document = dict(collections)
    if base is None and "dataset" not in document:
        document["dataset"] = {"id": "test", "title": {"en": "rule test data"}}
    return dataset_from_document(document, shown, base, append=append, schema=schema)


def _check(expect: ExpectSpec, results: ResultSet, rules: set[str]) -> list[str]:
    # Each failure is a Message: English text, shown in another language by the report.
    found = results.find(expect.rule, expect.entity)
    label: str = expect.rule
    if expect.entity is not None:
        label = msg("{rule} on {entity}", rule=expect.rule, entity=expect.entity)
    if expect.rule not in rules:
        # A misspelt rule would otherwise pass a "count = 0" expectation.
        hint = did_you_mean(expect.rule, rules)
        if hint:
            return [
                msg(
                    "{label}: the rules tested have no rule {rule!r}; {hint}",
                    label=label,
                    rule=expect.rule,
                    hint=hint,
                )
            ]
        return [
            msg("{label}: the rules tested have no rule {rule!r}", label=label, rule=expect.rule)
        ]
    if expect.count is not None:
        matching = [r for r in found if expect.outcome is None or r.outcome is expect.outcome]
        if len(matching) != expect.count:
            return [
                msg(
                    "{label}: expected {count} result(s), got {got}",
                    label=label,
                    count=expect.count,
                    got=len(matching),
                )
            ]
        return []
    if not found:
        known = sorted({r.rule for r in results.results})
        return [
            msg(
                "{label}: no result (rules that gave results: {rules})",
                label=label,
                rules=", ".join(known) or msg("none"),
            )
        ]
    result = found[0]
    failures: list[str] = []
    if expect.outcome is not None and result.outcome is not expect.outcome:
        failures.append(_wrong_outcome(label, expect.outcome.value, result))
    texts = {
        "gap": (expect.gap, result.gap()),
        "needs": (expect.needs, None if result.needs is None else result.needs.text()),
    }
    for key, (wanted, text) in texts.items():
        if wanted is not None and wanted not in (text or ""):
            failures.append(
                msg(
                    "{label}: expected {key} to mention {wanted!r}, got {text!r}",
                    label=label,
                    key=key,
                    wanted=wanted,
                    text=text,
                )
            )
    if expect.rank is not None and result.rank != expect.rank:
        failures.append(
            msg(
                "{label}: expected rank {expected}, got {got}",
                label=label,
                expected=expect.rank,
                got=result.rank,
            )
        )
    trace = result.trace
    names = ", ".join(t.label for t in trace)
    for spec in expect.values:
        entry = next((t for t in trace if t.label == spec.name), None)
        failure = value_failure(label, spec, entry, names)
        failures.extend([failure] if failure else [])
    return failures


def _wrong_outcome(label: str, expected: str, result: Result) -> str:
    got = result.outcome.value
    reason = result.gap() or (
        msg("needs {needs}", needs=result.needs.text()) if result.needs else ""
    )
    if reason:
        return msg(
            "{label}: expected {expected}, got {got} ({reason})",
            label=label,
            expected=expected,
            got=got,
            reason=reason,
        )
    return msg("{label}: expected {expected}, got {got}", label=label, expected=expected, got=got)
