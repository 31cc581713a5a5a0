"""Reading a rule-test file: the whole structure is checked before anything runs.

Every problem is a T701 diagnostic naming the file and the data path inside it
(``cases[2].expect[0].outcome``), and all of them are reported at once. What comes
out is a :class:`SuiteSpec`: typed cases and expectations, expected values already
read with their units, and data paths that stay inside the allowed folders.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import attrs

from clusterkit.codes import TEST_FILE
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.lang.program import RULE_SUFFIX, declared_schema
from clusterkit.lang.results.outcome import Outcome
from clusterkit.lang.ruletests.values import ValueSpec, read_values, toml_kind
from clusterkit.lang.types.units import Declared
from clusterkit.loader import read_text
from clusterkit.messages import msg

__all__ = [
    "TEST_SUFFIX",
    "CaseSpec",
    "ExpectSpec",
    "SuiteSpec",
    "default_roots",
    "project_root",
    "read_test_file",
]

TEST_SUFFIX = ".tests.toml"
#: A test file larger than this is refused before it is parsed.
MAX_TEST_FILE_BYTES = 4 * 1024 * 1024
#: What marks the folder of a project: test data may come from anywhere inside it.
PROJECT_MARKERS = ("pyproject.toml", ".git")

T = TypeVar("T")

_FILE_KEYS = ("rules", "data", "as_of", "cases")
_CASE_KEYS = ("name", "data", "as_of", "given", "add", "expect")
_EXPECT_KEYS = (
    "rule", "entity", "outcome", "count", "rank", "gap", "needs", "values", "tolerance",
)  # fmt: skip
_COUNT_ONLY = ("values", "gap", "needs", "rank", "tolerance")
_RULES = msg("rules is a list of rule file names")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


@attrs.frozen
class ExpectSpec:
    """One ``[[cases.expect]]``: which rule (and entity) and what it should give."""

    path: str
    rule: str
    entity: str | None = None
    outcome: Outcome | None = None
    count: int | None = None
    rank: int | None = None
    gap: str | None = None
    needs: str | None = None
    values: tuple[ValueSpec, ...] = ()


@attrs.frozen
class CaseSpec:
    """One ``[[cases]]``: its data (a dataset, replaced or added to) and expectations."""

    index: int
    name: str
    as_of: dt.date
    data: Path | None
    given: dict[str, Any] | None
    add: dict[str, Any] | None
    expects: tuple[ExpectSpec, ...]


@attrs.frozen
class SuiteSpec:
    """A whole test file, checked: the rule files, the base dataset, the cases."""

    shown: str
    rules: tuple[Path, ...]
    data: Path | None
    cases: tuple[CaseSpec, ...]


def default_roots(file: Path) -> list[Path]:
    """Where a test file's paths may lead unless told otherwise: its own folder, the
    current folder (where the user runs clusterkit), and the project holding the test
    file (:func:`project_root`)."""
    project = project_root(file.parent.resolve())
    return [file.parent, Path.cwd()] + ([project] if project is not None else [])


def project_root(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` holding a project marker, if any."""
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return None


class _Reader:
    """Checks a parsed test file, collecting every problem."""

    def __init__(self, file: Path, roots: Sequence[Path]) -> None:
        self.file = file
        self.shown = str(file)
        self.roots = tuple(dict.fromkeys(r.resolve() for r in roots))
        self.problems: list[Diagnostic] = []
        self.units: Declared = ()

    def problem(self, path: str | None, message: str, hint: str | None = None) -> None:
        self.problems.append(
            Diagnostic(TEST_FILE, Severity.ERROR, message, file=self.shown, path=path, hint=hint)
        )

    def keys(self, table: dict[str, Any], allowed: Sequence[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                self.problem(
                    f"{where}.{key}" if where else key,
                    msg("unknown key {key!r}", key=key),
                    msg("expected one of: {names}", names=", ".join(allowed)),
                )

    def typed(self, value: object, kind: type[T], where: str, what: str) -> T | None:
        """``value`` if it is a ``kind`` (never a true/false for a number), else None
        and a problem saying ``what`` was expected."""
        if isinstance(value, kind) and not isinstance(value, bool):
            return value
        self.problem(where, msg("{what}, got {got}", what=what, got=toml_kind(value)))
        return None

    def date(self, value: object, where: str) -> dt.date | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        self.problem(
            where, msg("as_of must be a date such as 2021-06-30, got {got}", got=toml_kind(value))
        )
        return None

    def path(self, value: object, where: str, what: str) -> Path | None:
        """A file or folder named relative to the test file, refused outside the roots."""
        text = self.typed(value, str, where, msg("{what} is a path (text)", what=what))
        if not text:
            if text == "":
                self.problem(where, msg("{what} is an empty path", what=what))
            return None
        path = self.file.parent / text
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError, ValueError) as exc:  # a loop, a NUL character
            self.problem(
                where,
                msg(
                    "{what} {text!r} cannot be resolved: {why}", what=what, text=text, why=str(exc)
                ),
            )
            return None
        if not any(resolved.is_relative_to(root) for root in self.roots):
            self.problem(
                where,
                msg(
                    "{what} {text!r} is outside the folders test files may read ({roots})",
                    what=what,
                    text=text,
                    roots=", ".join(str(r) for r in self.roots),
                ),
                msg(
                    "keep test data inside the test file's folder, its project or the current "
                    "folder; a program running the tests may allow another folder explicitly"
                ),
            )
            return None
        return path

    def collections(self, value: object, where: str) -> dict[str, Any] | None:
        """``given``/``add``: a table of collections, each an array of tables."""
        table = self.typed(value, dict, where, msg("a table of collections is expected here"))
        if table is None:
            return None
        before = len(self.problems)
        for key, items in table.items():
            inner = f"{where}.{key}"
            if key == "dataset":
                self.typed(items, dict, inner, msg("dataset is a table"))
            elif (
                self.typed(items, list, inner, msg("{key} is an array of tables", key=key))
                is not None
            ):
                for i, item in enumerate(items):
                    self.typed(item, dict, f"{inner}[{i}]", msg("each item is a table"))
        return table if len(self.problems) == before else None


def read_test_file(
    file: str | os.PathLike[str],
    *,
    allowed_roots: Sequence[str | os.PathLike[str]] | None = None,
    extra_roots: Sequence[str | os.PathLike[str]] = (),
) -> SuiteSpec:
    """A test file, read and checked whole; raises :class:`DiagnosticError` with every
    problem (T701) at once.

    Paths in it (``rules``, ``data``) are relative to its folder and must resolve inside
    ``allowed_roots`` (symbolic links followed): by default :func:`default_roots`;
    ``extra_roots`` are allowed besides them.
    """
    path = Path(file)
    roots = default_roots(path) if allowed_roots is None else [Path(r) for r in allowed_roots]
    roots = [*roots, *(Path(r) for r in extra_roots)]
    reader = _Reader(path, roots)
    document = _parse(path, reader)
    spec = None if document is None else _suite(document, reader)
    if spec is None or reader.problems:
        raise DiagnosticError(reader.problems)
    return spec


def _parse(path: Path, reader: _Reader) -> dict[str, Any] | None:
    text = read_text(
        path,
        reader.shown,
        reader.problems,
        code=TEST_FILE,
        too_big_code=TEST_FILE,
        limit=MAX_TEST_FILE_BYTES,
        noun=msg("test file"),
    )
    if text is None:
        return None
    try:
        return tomllib.loads(text.removeprefix("\ufeff"), parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        position = _TOML_POSITION.search(str(exc))
        span = None
        if position and path.name.endswith(TEST_SUFFIX):  # never quote another file
            span = Span.point(reader.shown, int(position[1]), int(position[2]))
        reader.problems.append(
            Diagnostic(
                TEST_FILE,
                Severity.ERROR,
                msg("not valid TOML: {why}", why=str(exc)),
                file=reader.shown,
                span=span,
            )
        )
    except RecursionError:
        reader.problem(None, msg("not valid TOML: nested too deeply"))
    return None


def _declared_units(rules: list[Path]) -> Declared:
    """The units the rule files declare (``unit FTE``), so expected values may use them;
    problems with the rule files themselves are reported when they are loaded."""
    schema, _problems = declared_schema(rules)
    return schema.units


def _suite(document: dict[str, Any], reader: _Reader) -> SuiteSpec | None:
    reader.keys(document, _FILE_KEYS, "")
    default_rules = [reader.file.name.removesuffix(TEST_SUFFIX) + RULE_SUFFIX]
    names = reader.typed(document.get("rules", default_rules), list, "rules", _RULES)
    if names == []:
        reader.problem("rules", msg("rules names no rule file"))
    rules = [
        reader.path(name, f"rules[{i}]", msg("a rule file")) for i, name in enumerate(names or [])
    ]
    reader.units = _declared_units([r for r in rules if r is not None])
    data = reader.path(document["data"], "data", "data") if "data" in document else None
    as_of = reader.date(document["as_of"], "as_of") if "as_of" in document else None
    raw_cases = document.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        message = msg("a test file needs at least one [[cases]] table")
        if raw_cases is not None:
            message = msg("{message}, got {got}", message=message, got=toml_kind(raw_cases))
        reader.problem("cases", message)
        return None
    defaults = _Defaults("data" in document, "as_of" in document, as_of)
    cases = [_case(raw, i, reader, defaults) for i, raw in enumerate(raw_cases)]
    if reader.problems:
        return None
    return SuiteSpec(
        reader.shown,
        tuple(r for r in rules if r is not None),
        data,
        tuple(c for c in cases if c is not None),
    )


@attrs.frozen
class _Defaults:
    """What the file gives every case: whether it has data and an as_of date."""

    has_data: bool
    has_as_of: bool
    as_of: dt.date | None


def _case(raw: object, index: int, reader: _Reader, defaults: _Defaults) -> CaseSpec | None:
    where = f"cases[{index}]"
    case = reader.typed(raw, dict, where, msg("each case is a table ([[cases]])"))
    if case is None:
        return None
    reader.keys(case, _CASE_KEYS, where)
    name = f"case {index + 1}"
    if "name" in case:
        name = reader.typed(case["name"], str, f"{where}.name", msg("name is text")) or name
    data = reader.path(case["data"], f"{where}.data", "data") if "data" in case else None
    as_of = defaults.as_of
    if "as_of" in case:
        as_of = reader.date(case["as_of"], f"{where}.as_of")
    elif not defaults.has_as_of:
        reader.problem(where, msg("no as_of date: give as_of in the file or in the case"))
    given = reader.collections(case["given"], f"{where}.given") if "given" in case else None
    add = reader.collections(case["add"], f"{where}.add") if "add" in case else None
    if not (defaults.has_data or "data" in case or "given" in case):
        reader.problem(
            where, msg("a case needs data: 'data' in the file or the case, or [cases.given]")
        )
    raw_expects = case.get("expect")
    if not isinstance(raw_expects, list) or not raw_expects:
        message = msg("a case needs at least one [[cases.expect]]")
        if raw_expects is not None:
            message = msg("{message}, got {got}", message=message, got=toml_kind(raw_expects))
        reader.problem(where, message)
        raw_expects = []
    expects = [_expect(e, f"{where}.expect[{i}]", reader) for i, e in enumerate(raw_expects)]
    if as_of is None:
        return None
    return CaseSpec(
        index, name, as_of, data, given, add, tuple(e for e in expects if e is not None)
    )


def _expect(raw: object, where: str, reader: _Reader) -> ExpectSpec | None:
    table = reader.typed(raw, dict, where, msg("each expectation is a table ([[cases.expect]])"))
    if table is None:
        return None
    reader.keys(table, _EXPECT_KEYS, where)
    if "rule" not in table:
        reader.problem(where, msg('an expectation names its rule (rule = "...")'))
    texts = {
        key: reader.typed(table[key], str, f"{where}.{key}", msg("{key} is text", key=key))
        for key in ("rule", "entity", "gap", "needs")
        if key in table
    }
    numbers = {
        key: reader.typed(table[key], int, f"{where}.{key}", msg("{key} is an integer", key=key))
        for key in ("count", "rank")
        if key in table
    }
    for key, number in numbers.items():
        if number is not None and number < 0:
            reader.problem(f"{where}.{key}", msg("{key} cannot be negative", key=key))
    outcome = _outcome(table["outcome"], f"{where}.outcome", reader) if "outcome" in table else None
    if "count" in table:
        for key in (k for k in _COUNT_ONLY if k in table):
            reader.problem(
                f"{where}.{key}",
                msg("{key} cannot be checked together with count", key=key),
                msg("count checks how many results there are; name an entity to check one"),
            )
    values = read_values(table, where, reader.problem, reader.units)
    rule = texts.get("rule")
    if rule is None:
        return None
    return ExpectSpec(
        where,
        rule,
        texts.get("entity"),
        outcome,
        numbers.get("count"),
        numbers.get("rank"),
        texts.get("gap"),
        texts.get("needs"),
        values,
    )


def _outcome(value: object, where: str, reader: _Reader) -> Outcome | None:
    names = ", ".join(o.value for o in Outcome)
    text = reader.typed(value, str, where, msg("outcome is one of: {names}", names=names))
    if text is None:
        return None
    try:
        return Outcome(text)
    except ValueError:
        reader.problem(
            where,
            msg("unknown outcome {text!r}", text=text),
            msg("expected one of: {names}", names=names),
        )
        return None
