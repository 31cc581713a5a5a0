"""Rule-test results for people and for tools: text, JSON and JUnit XML.

Each takes the :class:`~clusterkit.lang.ruletests.runner.FileResult` list that
:func:`~clusterkit.lang.ruletests.runner.run_test_files` returns; :func:`render` picks one by
name and :func:`exit_status` gives ``clusterkit test``'s exit status. The JSON shape
(``clusterkit.tests/1``)::

    {"schema": "clusterkit.tests/1",
     "files": [{"file": "rules/x.tests.toml", "status": "passed" | "failed" | "broken",
                "passed": 3, "failed": 1,
                "cases": [{"name": "...", "status": "passed" | "failed",
                           "failures": ["..."]}],
                "errors": [<diagnostic>, ...]}],
     "totals": {"files": 1, "broken_files": 0, "cases": 4, "passed": 3, "failed": 1}}

A diagnostic is as ``clusterkit lint --format json`` gives it (``code``, ``severity``,
``message``, ``file``, ``path``, ``span``, ``hint``). JUnit XML has one
``<testsuite>`` per test file and one ``<testcase>`` per case, a ``<failure>`` for a
failed case, and for a broken file one ``<testcase>`` holding an ``<error>``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from clusterkit.lang.ruletests.runner import FileResult
from clusterkit.lang.ruletests.spec import TEST_SUFFIX
from clusterkit.messages import msg
from clusterkit.messages import render as render_message

__all__ = [
    "FORMATS",
    "TESTS_SCHEMA",
    "exit_status",
    "render",
    "to_dict",
    "to_json",
    "to_junit",
    "to_text",
]

TESTS_SCHEMA = "clusterkit.tests/1"
#: The formats :func:`render` knows, for ``clusterkit test --format``.
FORMATS = ("text", "json", "junit")
#: Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def exit_status(files: Sequence[FileResult]) -> int:
    """``clusterkit test``'s exit status: 2 if a file is broken, 1 if a case failed, else 0."""
    if any(f.broken for f in files):
        return 2
    return 1 if any(f.failed for f in files) else 0


def _totals(files: Sequence[FileResult]) -> dict[str, int]:
    return {
        "files": len(files),
        "broken_files": sum(1 for f in files if f.broken),
        "cases": sum(len(f.cases) for f in files),
        "passed": sum(f.passed for f in files),
        "failed": sum(f.failed for f in files),
    }


def _status(file: FileResult) -> str:
    if file.broken:
        return "broken"
    return "failed" if file.failed else "passed"


def to_dict(files: Sequence[FileResult], lang: str = "en") -> dict[str, Any]:
    """The results as JSON-ready data (schema ``clusterkit.tests/1``); broken files'
    diagnostics in ``lang`` (see :meth:`Diagnostic.to_json`)."""
    return {
        "schema": TESTS_SCHEMA,
        "files": [
            {
                "file": f.file,
                "status": _status(f),
                "passed": f.passed,
                "failed": f.failed,
                "cases": [
                    {
                        "name": c.name,
                        "status": "passed" if c.passed else "failed",
                        "failures": [render_message(f, lang) for f in c.failures],
                        **(
                            {"failures_en": [str(f) for f in c.failures]}
                            if lang != "en" and c.failures
                            else {}
                        ),
                    }
                    for c in f.cases
                ],
                "errors": [d.to_json(lang) for d in f.errors],
            }
            for f in files
        ],
        "totals": _totals(files),
    }


def to_json(files: Sequence[FileResult], lang: str = "en") -> str:
    """:func:`to_dict` as JSON text."""
    return json.dumps(to_dict(files, lang), ensure_ascii=False, indent=2)


def to_text(files: Sequence[FileResult], lang: str = "en") -> str:
    """``PASS``/``FAIL`` per case with the reasons, and ``N passed, M failed``; the
    reasons and the count in ``lang`` (``PASS`` and ``FAIL`` stay, for scripts).

    Broken files' diagnostics are not included: print them with the other diagnostics.
    """
    lines = []
    for file in files:
        for case in file.cases:
            lines.append(f"{'PASS' if case.passed else 'FAIL'} {case.file}: {case.name}")
            lines.extend(f"     {render_message(reason, lang)}" for reason in case.failures)
    totals = _totals(files)
    summary = msg(
        "{passed} passed, {failed} failed", passed=totals["passed"], failed=totals["failed"]
    )
    lines.append(summary.render(lang))
    return "\n".join(lines)


def _clean(text: str) -> str:
    """``text`` with what XML cannot hold shown as ``\\xNN`` (escaping is ElementTree's)."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _suite_name(file: str) -> str:
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    return name.removesuffix(TEST_SUFFIX)


def to_junit(files: Sequence[FileResult], lang: str = "en") -> str:
    """The results as JUnit XML: a ``<testsuites>`` document, UTF-8; broken files'
    diagnostics in ``lang``."""
    totals = _totals(files)
    root = ET.Element(
        "testsuites",
        name="clusterkit test",
        tests=str(totals["cases"] + totals["broken_files"]),
        failures=str(totals["failed"]),
        errors=str(totals["broken_files"]),
    )
    for file in files:
        name = _clean(_suite_name(file.file))
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_clean(file.file),
            tests=str(len(file.cases) + (1 if file.broken else 0)),
            failures=str(file.failed),
            errors="1" if file.broken else "0",
            skipped="0",
        )
        for case in file.cases:
            element = ET.SubElement(
                suite, "testcase", classname=name, name=_clean(case.name), file=_clean(file.file)
            )
            if not case.passed:
                failure = ET.SubElement(
                    element, "failure", message=_clean(case.failures[0]), type="rule-test"
                )
                failure.text = _clean("\n".join(case.failures))
        if file.broken:
            element = ET.SubElement(
                suite, "testcase", classname=name, name="(test file)", file=_clean(file.file)
            )
            codes = sorted({d.code for d in file.errors})
            error = ET.SubElement(
                element,
                "error",
                message=_clean(
                    f"{len(file.errors)} problem(s); the first: {file.errors[0].text(lang)}"
                ),
                type=",".join(codes),
            )
            error.text = _clean("\n".join(d.text(lang) for d in file.errors))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def render(files: Sequence[FileResult], fmt: str = "text", lang: str = "en") -> str:
    """The results in ``fmt``: ``text`` (:func:`to_text`), ``json`` (:func:`to_json`)
    or ``junit`` (:func:`to_junit`); diagnostics in ``lang``."""
    if fmt == "text":
        return to_text(files, lang)
    renderers = {"json": to_json, "junit": to_junit}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    return renderers[fmt](files, lang)
