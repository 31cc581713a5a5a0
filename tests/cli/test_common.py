"""What the commands share: the one diagnostics printer, the date type, the exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal

import click
import pytest
from click.testing import CliRunner

from clusterkit.cli.common import (
    DATE,
    EXIT_INPUT,
    InputError,
    date_or_dataset_date,
    print_diagnostics,
    resolve_store_url,
)
from clusterkit.diagnostics import Diagnostic, Severity, Span


@pytest.fixture
def rule_file(tmp_path: Path) -> Path:
    path = tmp_path / "r.ckr"
    path.write_text("rulebook t\nrule r for each p in projects\n  require p.budjet > 0\n")
    return path


def rule_diagnostics(rule_file: Path) -> list[Diagnostic]:
    shown = str(rule_file)
    return [
        Diagnostic(
            "R202",
            Severity.ERROR,
            "a project has no field 'budjet'",
            file=shown,
            span=Span(shown, 3, 11, 3, 19),
            hint="did you mean 'budget'?",
        ),
        Diagnostic("W601", Severity.WARNING, "const 'spare' is never used", file=shown, span=None),
    ]


# -- the printer -------------------------------------------------------------------------


def test_text_shows_the_rule_line_with_a_caret_and_counts_errors_and_warnings(
    rule_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    print_diagnostics(rule_diagnostics(rule_file), "text")
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"{rule_file}:3:11: error[R202]: a project has no field 'budjet' "
        "(hint: did you mean 'budget'?)",
        "   3 |   require p.budjet > 0",
        "                 ^^^^^^^^",
        f"{rule_file}: warning[W601]: const 'spare' is never used",
        "1 error(s), 1 warning(s)",
    ]


def test_warnings_alone_are_counted(rule_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    print_diagnostics(rule_diagnostics(rule_file)[1:])
    assert capsys.readouterr().err.splitlines()[-1] == "0 error(s), 1 warning(s)"


def test_a_rule_file_that_cannot_be_read_is_shown_without_an_excerpt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = str(tmp_path / "gone.ckr")
    print_diagnostics([Diagnostic("R100", Severity.ERROR, "x", span=Span.point(shown, 1, 1))])
    assert capsys.readouterr().err.splitlines() == [
        f"{shown}:1:1: error[R100]: x",
        "1 error(s), 0 warning(s)",
    ]


def test_data_diagnostics_are_one_line_each_and_counted_as_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.json"
    data.write_text("{ not json")
    diagnostics = [
        Diagnostic(
            "D102",
            Severity.ERROR,
            "not valid JSON: Expecting property name enclosed in double quotes",
            file=str(data),
            span=Span.point(str(data), 1, 3),
        ),
        Diagnostic(
            "D105",
            Severity.ERROR,
            "required field is missing",
            file=str(data),
            path="dataset.title",
        ),
    ]
    print_diagnostics(diagnostics, "text", source="data")
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"{data}:1:3: error[D102]: not valid JSON: "
        "Expecting property name enclosed in double quotes",
        f"{data}: dataset.title: error[D105]: required field is missing",
        "2 error(s)",
    ]


@pytest.mark.parametrize("source", ["rules", "data"])
def test_json_goes_to_standard_output_for_tools(
    source: Literal["rules", "data"], rule_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    diagnostics = rule_diagnostics(rule_file)
    print_diagnostics(diagnostics, "json", source=source)
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == {"diagnostics": [d.to_json() for d in diagnostics]}
    assert json.loads(out)["diagnostics"][0]["span"] == {
        "file": str(rule_file),
        "line": 3,
        "column": 11,
        "end_line": 3,
        "end_column": 19,
    }


@pytest.mark.parametrize("source", ["rules", "data"])
def test_no_diagnostics_print_nothing_as_text(
    source: Literal["rules", "data"], capsys: pytest.CaptureFixture[str]
) -> None:
    print_diagnostics([], "text", source=source)
    assert capsys.readouterr() == ("", "")


def test_no_diagnostics_are_an_empty_list_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    print_diagnostics([], "json")
    assert json.loads(capsys.readouterr().out) == {"diagnostics": []}


# -- dates -------------------------------------------------------------------------------


@click.command()
@click.option("--when", type=DATE, required=True)
def show_date(when: dt.date) -> None:
    click.echo(repr(when))


def test_a_date_option_gives_a_date() -> None:
    result = CliRunner().invoke(show_date, ["--when", "2021-06-30"])
    assert (result.exit_code, result.stdout) == (0, "datetime.date(2021, 6, 30)\n")
    assert DATE.convert(dt.date(2021, 6, 30), None, None) == dt.date(2021, 6, 30)


@pytest.mark.parametrize("value", ["yesterday", "2021-02-30", "30.06.2021", ""])
def test_a_bad_date_exits_2_naming_the_option(value: str) -> None:
    result = CliRunner().invoke(show_date, ["--when", value])
    assert result.exit_code == EXIT_INPUT
    assert result.stdout == ""
    assert result.stderr == f"error: --when {value!r} is not a date (expected YYYY-MM-DD)\n"


def test_a_bad_date_is_reported_in_the_user_s_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTERKIT_LANG", "ru")
    result = CliRunner().invoke(show_date, ["--when", "вчера"])
    assert result.exit_code == EXIT_INPUT
    assert result.stderr == "ошибка: --when 'вчера' — не дата (ожидается ГГГГ-ММ-ДД)\n"


def test_a_bad_date_outside_an_option_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^date 'soon' is not a date") as exc:
        DATE.convert("soon", None, None)
    assert exc.value.exit_code == EXIT_INPUT


def test_without_as_of_the_dataset_s_date_is_used(capsys: pytest.CaptureFixture[str]) -> None:
    assert date_or_dataset_date(dt.date(2025, 3, 1), dt.date(2021, 6, 1)) == dt.date(2025, 3, 1)
    assert date_or_dataset_date(None, dt.date(2021, 6, 1)) == dt.date(2021, 6, 1)
    with pytest.raises(SystemExit) as exc:
        date_or_dataset_date(None, None)
    assert exc.value.code == EXIT_INPUT
    assert "give --as-of YYYY-MM-DD" in capsys.readouterr().err


# -- the store ---------------------------------------------------------------------------


def test_the_store_is_the_option_then_the_environment_then_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CLUSTERKIT_STORE", raising=False)
    assert resolve_store_url(None) == "sqlite://clusterkit.sqlite3"
    monkeypatch.setenv("CLUSTERKIT_STORE", "jsondir://x")
    assert resolve_store_url(None) == "jsondir://x"
    assert resolve_store_url("sqlite://y") == "sqlite://y"
