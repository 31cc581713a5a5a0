"""Rule tests (``*.tests.toml``): values compared with their units and a tolerance,
malformed files reported whole as T701, paths kept inside allowed folders, and the
results as JSON and JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterkit import codes
from clusterkit.cli import cli
from clusterkit.diagnostics import Diagnostic, DiagnosticError
from clusterkit.lang.ruletests import report as test_report
from clusterkit.lang.ruletests.runner import (
    CaseResult,
    FileResult,
    find_test_files,
    read_test_file,
    run_test_file,
    run_test_files,
)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "kazakhstan-2021"

RULES = """\
rulebook t
  currency KZT

rule shares for each p in projects
  let share = p.cluster_amount / p.budget
  let amount = p.cluster_amount
  let per_year = p.cluster_amount / p.programme.duration
  require share >= 30 %
"""

# A project of 100 mln KZT over five years, of which the cluster pays 30.1 mln KZT:
# share 30.1 %, amount 30.1 mln KZT, per_year 6.02 mln KZT/year.
HEAD = f"""\
data = "{EXAMPLE.as_posix()}"
as_of = 2021-06-30

[[cases]]
name = "one project"
[[cases.add.programmes]]
id = "tcp-t"
cluster = "milk-akmola"
title = {{ en = "T" }}
start = 2021-01-01
end = 2025-12-31
[[cases.add.programmes.projects]]
id = "p"
title = {{ en = "P" }}
budget = "100 mln KZT"
financing = [ {{ source = "cluster", amount = "30.1 mln KZT" }} ]

[[cases.expect]]
rule = "shares"
entity = "p"
outcome = "pass"
"""


def write(folder: Path, tests: str, rules: str = RULES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.ckr").write_text(rules, encoding="utf-8")
    file = folder / "t.tests.toml"
    file.write_text(tests, encoding="utf-8")
    return file


def failures(tmp_path: Path, expect: str) -> tuple[str, ...]:
    """The failure messages of the one case, with ``expect`` added to its expectation."""
    file = write(tmp_path, HEAD + expect)
    [case] = run_test_file(file, allowed_roots=[tmp_path, ROOT])
    return case.failures


def problems(file: Path, **kwargs: object) -> list[Diagnostic]:
    with pytest.raises(DiagnosticError) as caught:
        read_test_file(file, **kwargs)  # type: ignore[arg-type]
    return list(caught.value.diagnostics)


def paths(diagnostics: list[Diagnostic]) -> set[str | None]:
    assert all(d.code == codes.TEST_FILE for d in diagnostics), diagnostics
    return {d.path for d in diagnostics}


# -- values with their units --------------------------------------------------------------


def test_values_in_their_own_units_pass(tmp_path: Path) -> None:
    expect = (
        'values = { share = "30.1 %", amount = "30.1 mln KZT", per_year = "6.02 mln KZT/year" }\n'
    )
    assert failures(tmp_path, expect) == ()


def test_a_currency_mismatch_fails_naming_both_units(tmp_path: Path) -> None:
    assert failures(tmp_path, 'values = { amount = "30.1 mln USD" }\n') == (
        "shares on p: amount expected 30.1 mln USD, got 30.1 mln KZT: USD is not KZT",
    )


def test_money_is_not_a_percentage_either_way(tmp_path: Path) -> None:
    assert failures(tmp_path, 'values = { share = "0.301 RUB", amount = "30.1 %" }\n') == (
        "shares on p: share expected 0.301 RUB, got 30.1 %: RUB is not a percentage",
        "shares on p: amount expected 30.1 %, got 30.1 mln KZT: a percentage is not KZT",
    )


def test_a_plain_number_is_not_money(tmp_path: Path) -> None:
    assert failures(tmp_path, "values = { amount = 30100000 }\n") == (
        "shares on p: amount expected 30100000, got 30.1 mln KZT: a plain number is not KZT",
    )


def test_money_per_year_is_not_money(tmp_path: Path) -> None:
    assert failures(tmp_path, 'values = { per_year = "6.02 mln KZT" }\n') == (
        "shares on p: per_year expected 6.02 mln KZT, got 6.02 mln KZT/year: KZT is not KZT/year",
    )


def test_a_percentage_is_a_ratio_and_a_bare_percent_figure_gets_a_hint(tmp_path: Path) -> None:
    assert failures(tmp_path, 'values = { share = "0.301" }\n') == ()
    assert failures(tmp_path, 'values = { share = "30.1" }\n') == (
        "shares on p: share expected 30.1, got 30.1 % (a percentage is written with %: 30.1 %)",
    )


def test_a_wrong_number_in_the_right_unit_fails(tmp_path: Path) -> None:
    assert failures(tmp_path, 'values = { amount = "30 mln KZT" }\n') == (
        "shares on p: amount expected 30 mln KZT, got 30.1 mln KZT",
    )


@pytest.mark.parametrize(
    ("tolerance", "passes"),
    [("0.05 %", False), ("0.1 %", True), ("1 %", True), ("0.0009", False), ("0.001", True)],
)
def test_a_tolerance_allows_that_much_either_way(
    tmp_path: Path, tolerance: str, passes: bool
) -> None:
    expect = f'values = {{ share = {{ value = "30 %", tolerance = "{tolerance}" }} }}\n'
    found = failures(tmp_path, expect)
    if passes:
        assert found == ()
    else:
        assert found == (f"shares on p: share expected 30 % ± {tolerance}, got 30.1 %",)


def test_an_expectation_tolerance_applies_to_each_of_its_numbers(tmp_path: Path) -> None:
    expect = 'tolerance = "0.1 mln KZT"\nvalues = { amount = "30 mln KZT" }\n'
    assert failures(tmp_path, expect) == ()
    expect = 'tolerance = "0.09 mln KZT"\nvalues = { amount = "30 mln KZT" }\n'
    assert failures(tmp_path, expect) == (
        "shares on p: amount expected 30 mln KZT ± 0.09 mln KZT, got 30.1 mln KZT",
    )


def test_a_tolerance_in_another_unit_is_a_broken_test_file(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        HEAD + 'tolerance = "1 %"\n'
        'values = { amount = "30 mln KZT", share = { value = "30 %", tolerance = "1 KZT" } }\n',
    )
    found = problems(file, allowed_roots=[tmp_path, ROOT])
    assert paths(found) == {
        "cases[0].expect[0].tolerance",
        "cases[0].expect[0].values.share.tolerance",
    }
    messages = sorted(d.message for d in found)
    assert messages == [
        "tolerance 1 % does not fit 30 mln KZT: a percentage is not KZT",
        "tolerance 1 KZT does not fit 30 %: KZT is not a percentage",
    ]


def test_a_value_in_an_unknown_unit_is_a_broken_test_file(tmp_path: Path) -> None:
    file = write(tmp_path, HEAD + 'values = { amount = "30.1 mln KTZ" }\n')
    [found] = problems(file, allowed_roots=[tmp_path, ROOT])
    assert found.path == "cases[0].expect[0].values.amount"
    assert found.message == "unknown unit 'KTZ' in '30.1 mln KTZ'"


def test_dates_and_words_still_compare_as_written(tmp_path: Path) -> None:
    rules = RULES.replace("  require", "  let start = p.programme.start\n  require")
    file = write(tmp_path, HEAD + "values = { start = 2021-01-01 }\n", rules)
    [case] = run_test_file(file, allowed_roots=[tmp_path, ROOT])
    assert case.passed
    file = write(tmp_path, HEAD + 'values = { start = "2021-01-02" }\n', rules)
    [case] = run_test_file(file, allowed_roots=[tmp_path, ROOT])
    assert case.failures == ("shares on p: start expected '2021-01-02', got '2021-01-01'",)


# -- malformed test files -----------------------------------------------------------------


def test_every_problem_of_a_malformed_file_at_once_with_its_path(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        """\
rules = "t.ckr"
data = 5
as_of = "2021-06-30"
colour = "blue"

[[cases]]
name = 7
given = { clusters = [5], dataset = 3, programmes = "x" }
[[cases.expect]]
entity = 12
outcome = "passed"
rank = -1
gap = ["x"]
values = [1]

[[cases.expect]]
rule = "r"
count = true
needs = "x"

[[cases]]
expect = "pass"
as_of = 2021-06-30T10:00:00

[[cases]]
name = "no expectations"
bogus = 1
""",
    )
    found = problems(file)
    assert paths(found) == {
        "colour",
        "rules",
        "data",
        "as_of",
        "cases[0].name",
        "cases[0].given.clusters[0]",
        "cases[0].given.dataset",
        "cases[0].given.programmes",
        "cases[0].expect[0]",  # no rule
        "cases[0].expect[0].entity",
        "cases[0].expect[0].outcome",
        "cases[0].expect[0].rank",
        "cases[0].expect[0].gap",
        "cases[0].expect[0].values",
        "cases[0].expect[1].count",
        "cases[0].expect[1].needs",
        "cases[1]",  # no expectations
        "cases[1].as_of",
        "cases[2]",
        "cases[2].bogus",
    }
    by_path = {d.path: d for d in found}
    assert by_path["data"].message == "data is a path (text), got an integer"
    assert by_path["cases[0].expect[0].outcome"].message == "unknown outcome 'passed'"
    assert "pass, fail, warning, breach, not_applicable, undetermined" in str(
        by_path["cases[0].expect[0].outcome"].hint
    )
    assert by_path["cases[0].expect[1].count"].message == "count is an integer, got true/false"
    assert by_path["cases[1].as_of"].message == (
        "as_of must be a date such as 2021-06-30, got a date and time"
    )
    assert all(d.file == str(file) for d in found)


def test_count_cannot_hide_other_checks(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        'data = "."\nas_of = 2021-06-30\n[[cases]]\n[[cases.expect]]\nrule = "r"\ncount = 2\n'
        "values = { x = 1 }\n",
    )
    [found] = problems(file)
    assert found.path == "cases[0].expect[0].values"
    assert found.message == "values cannot be checked together with count"


def test_a_case_without_data_or_date_is_refused_before_running(tmp_path: Path) -> None:
    file = write(tmp_path, '[[cases]]\n[[cases.expect]]\nrule = "r"\n')
    found = problems(file)
    assert [(d.path, d.message) for d in found] == [
        ("cases[0]", "no as_of date: give as_of in the file or in the case"),
        ("cases[0]", "a case needs data: 'data' in the file or the case, or [cases.given]"),
    ]


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("", "cases", "a test file needs at least one [[cases]] table"),
        ("cases = 3\n", "cases", "a test file needs at least one [[cases]] table, got an integer"),
        ("cases = [1]\n", "cases[0]", "each case is a table ([[cases]]), got an integer"),
        ("rules = []\n[[cases]]\n", "rules", "rules names no rule file"),
        ("as_of = 2021-06-30\ncases = [{}]\n", "cases[0]", None),
    ],
)
def test_each_malformed_shape_is_a_t701(
    tmp_path: Path, text: str, path: str, message: str | None
) -> None:
    found = problems(write(tmp_path, text))
    assert path in paths(found)
    if message is not None:
        assert message in [d.message for d in found if d.path == path]


def test_a_toml_syntax_error_points_at_its_line(tmp_path: Path) -> None:
    file = write(tmp_path, 'as_of = 2021-06-30\n[[cases]\nname = "x"\n')
    [found] = problems(file)
    assert found.code == codes.TEST_FILE
    assert found.message.startswith("not valid TOML:")
    assert found.span is not None
    assert found.span.line == 2


def test_unreadable_and_absurd_files_are_t701_not_tracebacks(tmp_path: Path) -> None:
    binary = tmp_path / "b.tests.toml"
    binary.write_bytes(b"as_of = \xff\xfe\n")
    [found] = problems(binary)
    assert found.message.startswith("is not UTF-8 text")
    deep = tmp_path / "d.tests.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    [found] = problems(deep)
    assert found.message == "not valid TOML: nested too deeply"
    [found] = problems(tmp_path / "missing.tests.toml")
    assert found.message == "test file not found"


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    file = write(tmp_path, HEAD + 'values = { share = "30.1 %" }\n')
    file.write_bytes(b"\xef\xbb\xbf" + file.read_bytes())
    [case] = run_test_file(file, allowed_roots=[tmp_path, ROOT])
    assert case.passed


def test_the_cli_exits_2_with_every_problem_and_no_traceback(tmp_path: Path) -> None:
    write(tmp_path, "data = 5\nas_of = 2021\n[[cases]]\n[[cases.expect]]\noutcome = 1\n")
    result = CliRunner().invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output + result.stderr
    assert "data: error[T701]: data is a path (text), got an integer" in result.stderr
    assert "as_of: error[T701]" in result.stderr
    assert "cases[0].expect[0]: error[T701]: an expectation names its rule" in result.stderr
    assert "cases[0].expect[0].outcome: error[T701]" in result.stderr


# -- paths stay inside the allowed folders ----------------------------------------------------


def test_absolute_data_paths_outside_are_refused(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        'rules = ["/etc/passwd"]\ndata = "/etc/passwd"\nas_of = 2021-06-30\n'
        '[[cases]]\ndata = "/etc"\n[[cases.expect]]\nrule = "r"\n',
    )
    found = problems(file, allowed_roots=[tmp_path])
    assert paths(found) == {"rules[0]", "data", "cases[0].data"}
    assert all("is outside the folders test files may read" in d.message for d in found)


def test_climbing_out_of_the_project_is_refused_and_staying_in_is_not(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "pyproject.toml").write_text("", encoding="utf-8")
    file = write(
        project / "rules",
        'data = "../data"\nas_of = 2021-06-30\n'
        '[[cases]]\ndata = "../../x"\n[[cases.expect]]\nrule = "r"\n',
    )
    found = problems(file)  # the default roots: the file's folder, its project, the cwd
    assert [(d.path, d.message) for d in found] == [
        (
            "cases[0].data",
            "data '../../x' is outside the folders test files may read "
            f"({file.parent.resolve()}, {Path.cwd().resolve()}, {project.resolve()})",
        )
    ]


def test_paths_that_cannot_be_resolved_are_t701(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    file = write(
        tmp_path,
        'data = "a\\u0000b"\nas_of = 2021-06-30\n[[cases]]\ndata = "loop"\n'
        '[[cases.expect]]\nrule = "r"\n',
    )
    found = problems(file, allowed_roots=[tmp_path])
    assert paths(found) == {"data", "cases[0].data"}
    assert all("cannot be resolved" in d.message for d in found)


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "tests"
    folder.mkdir()
    (folder / "data").symlink_to(outside)
    file = write(
        folder, 'data = "data"\nas_of = 2021-06-30\n[[cases]]\n[[cases.expect]]\nrule = "r"\n'
    )
    [found] = problems(file, allowed_roots=[folder])
    assert found.path == "data"
    assert read_test_file(file, allowed_roots=[folder, outside]).data == folder / "data"


# -- results for tools ----------------------------------------------------------------------


@pytest.fixture
def three_files(tmp_path: Path) -> list[FileResult]:
    """A passing file, a failing one (with XML-hostile text) and a broken one."""
    write(tmp_path / "a", HEAD + 'values = { share = "30.1 %" }\n')
    failing = HEAD.replace('"one project"', '"<b>&\\"quoted\\" \\u001b[31m"')
    write(tmp_path / "b", failing + 'values = { amount = "30.1 mln USD" }\n')
    write(tmp_path / "c", "data = 5\n")
    files = find_test_files([tmp_path])
    return run_test_files(files, allowed_roots=[tmp_path, ROOT])


def test_json_results_have_the_documented_shape(three_files: list[FileResult]) -> None:
    document = json.loads(test_report.to_json(three_files))
    assert document == test_report.to_dict(three_files)
    assert document["schema"] == "clusterkit.tests/1"
    assert document["totals"] == {
        "files": 3,
        "broken_files": 1,
        "cases": 2,
        "passed": 1,
        "failed": 1,
    }
    a, b, c = document["files"]
    assert (a["status"], b["status"], c["status"]) == ("passed", "failed", "broken")
    assert a["cases"] == [{"name": "one project", "status": "passed", "failures": []}]
    assert b["cases"][0]["name"] == '<b>&"quoted" \x1b[31m'
    assert b["cases"][0]["failures"] == [
        "shares on p: amount expected 30.1 mln USD, got 30.1 mln KZT: USD is not KZT"
    ]
    assert {e["code"] for e in c["errors"]} == {"T701"}
    assert {e["path"] for e in c["errors"]} == {"data", "cases"}


def test_junit_results_parse_and_count(three_files: list[FileResult]) -> None:
    text = test_report.to_junit(three_files)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    suites = root.findall("testsuite")
    assert [Path(str(s.get("name"))).parent.name for s in suites] == ["a", "b", "c"]
    assert {c.get("classname") for c in root.iter("testcase")} == {"t"}
    assert [s.get("failures") for s in suites] == ["0", "1", "0"]
    assert [s.get("errors") for s in suites] == ["0", "0", "1"]
    assert len(root.findall("./testsuite/testcase")) == 3
    [failure] = root.findall(".//failure")
    assert failure.get("message") == (
        "shares on p: amount expected 30.1 mln USD, got 30.1 mln KZT: USD is not KZT"
    )
    failed_case = suites[1].find("testcase")
    assert failed_case is not None
    assert failed_case.get("name") == '<b>&"quoted" \\x1b[31m'
    [error] = root.findall(".//error")
    assert error.get("type") == "T701"
    assert "data is a path (text), got an integer" in (error.text or "")


def test_text_results_and_exit_status(three_files: list[FileResult]) -> None:
    text = test_report.to_text(three_files)
    assert text.splitlines()[0].startswith("PASS ")
    assert "     shares on p: amount expected 30.1 mln USD" in text
    assert text.endswith("1 passed, 1 failed")
    assert test_report.exit_status(three_files) == 2
    assert test_report.exit_status(three_files[:2]) == 1
    assert test_report.exit_status(three_files[:1]) == 0


def test_render_picks_a_format(three_files: list[FileResult]) -> None:
    assert test_report.render(three_files, "json") == test_report.to_json(three_files)
    assert test_report.render(three_files, "junit") == test_report.to_junit(three_files)
    assert test_report.render(three_files) == test_report.to_text(three_files)
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        test_report.render(three_files, "xml")


def test_a_case_result_passes_without_failures() -> None:
    assert CaseResult("f", "n", ()).passed
    assert not CaseResult("f", "n", ("why",)).passed


def test_failures_and_the_count_are_shown_in_the_chosen_language(
    three_files: list[FileResult],
) -> None:
    english = test_report.to_text(three_files)
    russian = test_report.to_text(three_files, "ru")
    [failure] = [f for file in three_files for case in file.cases for f in case.failures]
    assert failure in english
    assert "expected 30.1 mln USD" in failure
    assert "1 passed, 1 failed" in english
    assert "ожидалось 30.1 mln USD" in russian
    assert "пройдено: 1, не пройдено: 1" in russian
    assert "FAIL" in russian
    assert "expected" not in russian
    [case] = [
        c
        for f in json.loads(test_report.to_json(three_files, "kk"))["files"]
        for c in f["cases"]
        if c["failures"]
    ]
    assert "күтілгені 30.1 mln USD" in case["failures"][0]
    assert case["failures_en"] == [failure]
    english_json = json.loads(test_report.to_json(three_files))
    assert all("failures_en" not in c for f in english_json["files"] for c in f["cases"])
