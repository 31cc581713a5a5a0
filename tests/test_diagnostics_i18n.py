"""Diagnostics in Russian and Kazakh as well as English: the same codes and places, the
message and hint in the language asked for (``--lang``, else the locale), English by
default and always beside a translation in JSON."""

from __future__ import annotations

import ast
import contextlib
import json
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

import clusterkit
from clusterkit import DiagnosticError, Severity, Span
from clusterkit.diagnostics import Diagnostic, render_text
from clusterkit.messages import Message, join, msg, render, text_of
from tests.cli.runner import run
from tests.test_codes import OTHER, RULE_TEXT

ROOT = Path(__file__).resolve().parent.parent

# A type error (money plus a percentage) and a misspelt field.
RULES = """rulebook t

rule r for each p in projects
  require p.budgett > 0 KZT
  require p.budget + 5 % > 0 KZT
"""
DATASET = '{"dataset": {"id": "d", "title": {"en": "D"}}, "clustres": []}\n'


@pytest.fixture
def rule_file(tmp_path: Path) -> str:
    path = tmp_path / "bad.ckr"
    path.write_text(RULES, encoding="utf-8")
    return str(path)


@pytest.fixture
def data_file(tmp_path: Path) -> str:
    path = tmp_path / "data.json"
    path.write_text(DATASET, encoding="utf-8")
    return str(path)


def codes_in(text: str) -> list[str]:
    return re.findall(r"\[([DRWT]\d{3})\]", text)


# -- messages ----------------------------------------------------------------------------------


def test_a_message_is_its_english_text_and_keeps_its_template() -> None:
    message = msg("unknown name {name!r}", name="budgett")
    assert message == "unknown name 'budgett'"
    assert message.template == "unknown name {name!r}"
    assert message.params == {"name": "budgett"}
    assert message.render("ru") == "неизвестное имя 'budgett'"
    assert message.render("kk") == "белгісіз атау 'budgett'"
    assert message.render("en") == "unknown name 'budgett'"


def test_words_of_ours_in_a_message_are_translated_and_user_text_is_not() -> None:
    money = msg("money")
    message = msg("expected {what}, got {got}", what=money, got="'сто тенге'")
    assert message == "expected money, got 'сто тенге'"
    assert message.render("ru") == "ожидалось: деньги; получено: 'сто тенге'"
    assert message.render("kk") == "күтілгені: ақша; берілгені: 'сто тенге'"


def test_a_list_of_messages_is_shown_in_the_language_of_each_part() -> None:
    joined = join([msg("a number"), "'%'", msg("the end of the file")], msg(" or "))
    assert joined == "a number or '%' or the end of the file"
    assert joined.render("ru") == "число или '%' или конец файла"


def test_an_unknown_language_or_template_is_shown_in_english() -> None:
    assert msg("syntax error").render("de") == "syntax error"
    assert Message("not in any catalog {x}", {"x": 1}).render("ru") == "not in any catalog 1"
    assert render("plain text", "ru") == "plain text"


def test_a_message_survives_pickling_and_exceptions() -> None:
    message = msg("{text!r} is not a number", text="12a")
    copied = pickle.loads(pickle.dumps(message))
    assert isinstance(copied, Message)
    assert copied.render("ru") == "'12a' — не число"
    raised = text_of(ValueError(message))
    assert isinstance(raised, Message)
    assert raised.render("kk") == "'12a' — сан емес"
    assert text_of(ValueError("plain")) == "plain"


def test_a_diagnostic_is_localized_with_its_code_and_place_kept() -> None:
    span = Span("r.ckr", 4, 11, 4, 20)
    diagnostic = Diagnostic(
        "R202",
        Severity.ERROR,
        msg("a {kind} has no field {name!r}", kind="project", name="budgett"),
        file="r.ckr",
        span=span,
        hint=msg("did you mean {match!r}?", match="budget"),
    )
    russian = diagnostic.localized("ru")
    assert (russian.code, russian.span, russian.severity) == ("R202", span, Severity.ERROR)
    assert russian.message == "у объекта «project» нет поля 'budgett'"
    assert russian.hint == "может быть, 'budget'?"
    assert diagnostic.template == "a {kind} has no field {name!r}"
    assert diagnostic.params == {"kind": "project", "name": "budgett"}
    assert str(diagnostic) == (
        "r.ckr:4:11: error[R202]: a project has no field 'budgett' (hint: did you mean 'budget'?)"
    )
    assert render_text(diagnostic, None, "kk") == (
        "r.ckr:4:11: қате[R202]: «project» нысанында 'budgett' өрісі жоқ "
        "(кеңес: 'budget' болуы мүмкін бе?)"
    )


def test_json_keeps_english_beside_a_translation_and_only_then() -> None:
    diagnostic = Diagnostic(
        "D104", Severity.ERROR, msg("unknown key {key!r}", key="x"), file="d.json", path="x"
    )
    assert diagnostic.to_json() == {
        "code": "D104",
        "severity": "error",
        "message": "unknown key 'x'",
        "file": "d.json",
        "path": "x",
    }
    russian = diagnostic.to_json("ru")
    assert russian["message"] == "неизвестный ключ 'x'"
    assert russian["message_en"] == "unknown key 'x'"
    assert russian["severity"] == "error"
    assert "hint_en" not in russian


# -- every diagnostic is translated -------------------------------------------------------------


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    """Every diagnostic made while the test runs."""
    found: list[Diagnostic] = []
    original = Diagnostic.__init__

    def recording(self: Diagnostic, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        found.append(self)

    monkeypatch.setattr(Diagnostic, "__init__", recording)
    return found


def _assert_translated(diagnostics: list[Diagnostic]) -> None:
    assert diagnostics
    for diagnostic in diagnostics:
        texts = [t for t in (diagnostic.message, diagnostic.hint) if t is not None]
        for text in texts:
            assert isinstance(text, Message), f"{diagnostic.code}: {text!r} is not a template"
            for lang in ("ru", "kk"):
                shown = text.render(lang)
                assert shown != str(text), f"{diagnostic.code}: {text!r} not in {lang}"


@pytest.mark.parametrize("code", sorted(RULE_TEXT))
def test_every_rule_diagnostic_is_translated(code: str, made: list[Diagnostic]) -> None:
    with contextlib.suppress(DiagnosticError):
        clusterkit.compile_rules(RULE_TEXT[code], name="t.ckr")
    _assert_translated([d for d in made if d.code == code])


@pytest.mark.parametrize("code", sorted(OTHER))
def test_every_other_diagnostic_is_translated(
    code: str, made: list[Diagnostic], tmp_path: Path
) -> None:
    OTHER[code](tmp_path)
    _assert_translated([d for d in made if d.code == code])


def test_every_template_is_a_string_literal_the_catalog_tests_can_find() -> None:
    """``msg(...)``'s first argument is always a literal: a computed template would be
    missed by the check that every template is translated."""
    computed = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "msg":
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    computed.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert computed == []


# -- the command line --------------------------------------------------------------------------


def test_rule_diagnostics_in_russian_and_kazakh_with_the_same_codes(rule_file: str) -> None:
    status, _out, english = run("lint", rule_file)
    assert status == 2
    assert "a project has no field 'budgett' (hint: did you mean 'budget'?)" in english
    assert "cannot add money and a percentage" in english

    status_ru, _out, russian = run("lint", rule_file, "--lang", "ru")
    assert status_ru == 2
    assert "ошибка[R202]: у объекта «project» нет поля 'budgett'" in russian
    assert "(подсказка: может быть, 'budget'?)" in russian
    assert "ошибка[R303]: нельзя складывать деньги и процент" in russian
    assert "ошибок: 2, предупреждений: 0" in russian

    status_kk, _out, kazakh = run("lint", rule_file, "--lang", "kk")
    assert status_kk == 2
    assert "қате[R202]: «project» нысанында 'budgett' өрісі жоқ" in kazakh
    assert "қате[R303]: қосуға болмайды: ақша және пайыз" in kazakh

    assert codes_in(english) == codes_in(russian) == codes_in(kazakh) == ["R202", "R303"]


def test_json_output_in_the_chosen_language_with_english_beside_it(rule_file: str) -> None:
    _status, out, _err = run("lint", rule_file, "--format", "json", "--lang", "ru")
    first, second = json.loads(out)["diagnostics"]
    assert (first["code"], second["code"]) == ("R202", "R303")
    assert first["message"] == "у объекта «project» нет поля 'budgett'"
    assert first["message_en"] == "a project has no field 'budgett'"
    assert first["hint"] == "может быть, 'budget'?"
    assert first["hint_en"] == "did you mean 'budget'?"
    _status, out, _err = run("lint", rule_file, "--format", "json")
    english = json.loads(out)["diagnostics"][0]
    assert english["message"] == "a project has no field 'budgett'"
    assert "message_en" not in english


def test_sarif_in_the_chosen_language(rule_file: str) -> None:
    _status, out, _err = run("lint", rule_file, "--format", "sarif", "--lang", "kk")
    results = json.loads(out)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["R202", "R303"]
    assert results[0]["message"]["text"] == (
        "«project» нысанында 'budgett' өрісі жоқ (кеңес: 'budget' болуы мүмкін бе?)"
    )


def test_a_syntax_error_says_what_was_expected_in_russian(tmp_path: Path) -> None:
    path = tmp_path / "cut.ckr"
    path.write_text("rulebook t\n\nconst x =", encoding="utf-8")
    _status, _out, english = run("lint", str(path))
    assert "the file ends too early; expected an expression (a value, a name, a calculation)" in (
        english
    )
    _status, _out, russian = run("lint", str(path), "--lang", "ru")
    assert "файл заканчивается слишком рано; ожидалось: выражение (значение, имя, расчёт)" in (
        russian
    )
    assert codes_in(english) == codes_in(russian) == ["R102"]


def test_data_diagnostics_in_russian_and_kazakh(data_file: str) -> None:
    _status, _out, english = run("validate", data_file)
    assert "error[D104]: unknown key 'clustres' (hint: expected one of: dataset, " in english
    status, _out, russian = run("validate", data_file, "--lang", "ru")
    assert status == 2
    assert "ошибка[D104]: неизвестный ключ 'clustres' (подсказка: ожидалось одно из: " in russian
    assert "ошибок: 1" in russian
    _status, _out, kazakh = run("validate", data_file, "--lang", "kk")
    assert "қате[D104]: белгісіз кілт 'clustres' (кеңес: мыналардың бірі күтілді: " in kazakh
    assert codes_in(english) == codes_in(russian) == codes_in(kazakh) == ["D104"]


def test_a_table_s_problem_in_kazakh_names_its_column_as_written(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text(
        '{"dataset": {"id": "d", "title": {"en": "D"}}, '
        '"regions": [{"code": "KZ-AKM", "name": {"en": "A"}}], '
        '"sectors": [{"code": "food", "name": {"en": "F"}}], '
        '"clusters": [{"id": "c1", "name": {"en": "C"}, "regions": ["KZ-AKM"], '
        '"sector": "food"}]}',
        encoding="utf-8",
    )
    (tmp_path / "participants").mkdir()
    (tmp_path / "participants" / "c1.csv").write_text("id,colour\n1,red\n", encoding="utf-8")
    _status, out, _err = run("validate", str(tmp_path), "--format", "json", "--lang", "kk")
    found = {d["message"] for d in json.loads(out)["diagnostics"]}
    assert "белгісіз баған 'colour'" in found


def test_the_language_comes_from_the_locale_without_lang(
    rule_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CLUSTERKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "kk_KZ.UTF-8")
    _status, _out, kazakh = run("lint", rule_file)
    assert "«project» нысанында 'budgett' өрісі жоқ" in kazakh
    _status, _out, english = run("lint", rule_file, "--lang", "en")
    assert "a project has no field 'budgett'" in english


def test_rule_test_files_problems_in_russian(tmp_path: Path) -> None:
    (tmp_path / "t.ckr").write_text("rulebook t\n", encoding="utf-8")
    (tmp_path / "t.tests.toml").write_text("rules = 5\n", encoding="utf-8")
    status, out, russian = run("test", str(tmp_path), "--lang", "ru")
    assert status == 2
    assert "ошибка[T701]: rules — список имён файлов правил; получено: целое число" in russian
    _status, out, _err = run("test", str(tmp_path), "--format", "json", "--lang", "ru")
    (error, *_rest) = json.loads(out)["files"][0]["errors"]
    assert error["message_en"] == "rules is a list of rule file names, got an integer"


def test_observe_refuses_in_the_chosen_language(tmp_path: Path) -> None:
    store = f"sqlite://{tmp_path / 'store.sqlite3'}"
    status, _out, err = run(
        "observe",
        "--cluster", "c1", "--indicator", "exports", "--year", "2021", "--value", "12a",
        "--unit", "mln KZT", "--reported-on", "2021-06-30", "--by", "me",
        "--store", store, "--lang", "ru",
    )  # fmt: skip
    assert status == 2
    assert "--value: '12a' — не число" in err
