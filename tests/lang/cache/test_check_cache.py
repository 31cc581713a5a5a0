"""The cache of checked rules gives back exactly what checking gives, and only while
nothing it came from has changed: an edited import, another clusterkit version or a
damaged entry is a miss, never a wrong answer or a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from clusterkit import _version
from clusterkit.diagnostics import Diagnostic, Severity, Span
from clusterkit.lang import reader
from clusterkit.lang.cache import check_cache
from clusterkit.lang.program import check_rules
from clusterkit.messages import Message, msg, render

MAIN = """rulebook t
import "lib.ckr"
const unused = 5
rule r for each p in projects
  let x = 1
  require p.budget <= cap
"""
LIB = "rulebook lib\nconst cap = 10 mln KZT\n"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "main.ckr").write_text(MAIN, encoding="utf-8")
    (folder / "lib.ckr").write_text(LIB, encoding="utf-8")
    return folder / "main.ckr"


def entries() -> list[Path]:
    folder = check_cache.cache_folder()
    assert folder is not None
    return sorted(folder.glob("*.json")) if folder.exists() else []


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, parsing a rule file fails the test: answers must come from the cache."""

    def refuse(text: str, file: str = "") -> None:
        raise AssertionError(f"{file} was parsed")

    monkeypatch.setattr(reader, "parse_rules", refuse)


def test_a_second_check_comes_from_the_cache_with_the_same_warnings(
    rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = check_rules([rules])
    assert [d.code for d in fresh] == ["W601", "W601"]
    assert check_rules([rules], cache=True) == fresh  # a miss: checked and kept
    assert len(entries()) == 1
    no_parsing(monkeypatch)
    again = check_rules([rules], cache=True)
    assert again == fresh
    assert all(isinstance(d, Diagnostic) for d in again)
    # Each message keeps what it takes to be shown in another language.
    assert [as_made(d) for d in again] == [as_made(d) for d in fresh]
    assert [render(d.message, "ru") for d in again] == [render(d.message, "ru") for d in fresh]


def as_made(diagnostic: Diagnostic) -> tuple[object, ...]:
    message = diagnostic.message
    assert isinstance(message, Message)
    return (type(message), message.template, dict(message.params), message.verbatim)


def test_errors_are_given_back_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.ckr"
    bad.write_text("rulebook t\nconst a = b + 1 mln KZT\n", encoding="utf-8")
    fresh = check_rules([bad])
    assert any(d.is_error for d in fresh)
    check_rules([bad], cache=True)
    no_parsing(monkeypatch)
    assert check_rules([bad], cache=True) == fresh


def test_editing_an_imported_file_is_a_miss(rules: Path) -> None:
    check_rules([rules], cache=True)
    (rules.parent / "lib.ckr").write_text("rulebook lib\nconst cap = 10 mln USD\n", "utf-8")
    after = check_rules([rules], cache=True)
    assert after == check_rules([rules])
    assert any(d.is_error for d in after)  # budget in KZT compared with a cap in USD


def test_editing_the_named_file_is_a_miss(rules: Path) -> None:
    check_rules([rules], cache=True)
    rules.write_text(MAIN.replace("const unused = 5\n", ""), encoding="utf-8")
    assert [d.code for d in check_rules([rules], cache=True)] == ["W601"]


def test_another_clusterkit_version_is_a_miss(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_rules([rules], cache=True)
    monkeypatch.setattr(_version, "__version__", "99.0")
    no_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="was parsed"):
        check_rules([rules], cache=True)


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{",
        b"not json at all \xff",
        b"[]",
        b'{"format": 1}',
        b'{"format": 1, "key": "x", "imports": [], "diagnostics": []}',
    ],
    ids=["empty", "cut short", "garbage", "a list", "no key", "another key"],
)
def test_a_damaged_entry_is_ignored_and_written_again(rules: Path, damage: bytes) -> None:
    fresh = check_rules([rules])
    check_rules([rules], cache=True)
    (entry,) = entries()
    entry.write_bytes(damage)
    assert check_rules([rules], cache=True) == fresh
    assert json.loads(entry.read_bytes())["diagnostics"]


def test_an_entry_with_the_right_key_but_bad_contents_is_a_miss(rules: Path) -> None:
    fresh = check_rules([rules])
    check_rules([rules], cache=True)
    (entry,) = entries()
    data = json.loads(entry.read_bytes())
    data["diagnostics"][0]["severity"] = "catastrophe"
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert check_rules([rules], cache=True) == fresh


def test_the_cache_can_be_turned_off(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTERKIT_NO_CACHE", "1")
    check_rules([rules], cache=True)
    monkeypatch.delenv("CLUSTERKIT_NO_CACHE")
    assert entries() == []


def test_where_the_cache_lives() -> None:
    home = str(Path.home())
    assert check_cache.cache_folder({"CLUSTERKIT_CACHE_DIR": "/c"}) == Path("/c/checked")
    assert check_cache.cache_folder({"XDG_CACHE_HOME": "/x"}) == Path("/x/clusterkit/checked")
    assert check_cache.cache_folder({}) == Path(home, ".cache", "clusterkit", "checked")
    assert check_cache.cache_folder({"CLUSTERKIT_NO_CACHE": "yes"}) is None


def test_a_missing_import_is_not_kept(tmp_path: Path) -> None:
    main = tmp_path / "main.ckr"
    main.write_text('rulebook t\nimport "gone.ckr"\n', encoding="utf-8")
    assert any(d.code == "R105" or d.is_error for d in check_rules([main], cache=True))
    assert entries() == []
    (tmp_path / "gone.ckr").write_text("rulebook gone\n", encoding="utf-8")
    assert not any(d.is_error for d in check_rules([main], cache=True))


def _lint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clusterkit", "lint", *args],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )


def test_lint_uses_the_cache_unless_told_not_to(rules: Path) -> None:
    first = _lint("--no-cache", str(rules))
    assert entries() == []
    second = _lint(str(rules))
    assert len(entries()) == 1
    third = _lint(str(rules))
    assert first.stderr == second.stderr == third.stderr  # diagnostics go to stderr
    assert first.returncode == second.returncode == third.returncode == 0
    assert third.stderr.count("warning[W601]") == 2


def test_processes_checking_at_once_agree_and_leave_one_whole_entry(rules: Path) -> None:
    command = [sys.executable, "-m", "clusterkit", "lint", "--format", "json", str(rules)]
    running = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        for _ in range(6)
    ]
    outputs = {p.communicate()[0] for p in running}
    assert len(outputs) == 1
    assert [p.returncode for p in running] == [0] * 6
    (entry,) = entries()
    assert len(json.loads(entry.read_bytes())["diagnostics"]) == 2
    assert not list(entry.parent.glob("*.tmp"))


def test_messages_with_nested_messages_numbers_and_lists_are_kept_whole() -> None:
    inner = msg("a number in {unit}", unit="KZT")
    message = msg("{what} is {value} ({parts})", what=inner, value=Decimal("1.50"), parts=("a", 2))
    diagnostic = Diagnostic(
        "T100",
        Severity.WARNING,
        message,
        file="f.ckr",
        span=Span("f.ckr", 1, 2, 1, 5),
        hint=msg("try {n} times", n=3),
    )
    back = check_cache.read_diagnostic(
        json.loads(json.dumps(check_cache.write_diagnostic(diagnostic)))
    )
    assert back == diagnostic
    assert isinstance(back.message, Message)
    assert back.message.params == message.params
    assert type(back.message.params["what"]) is Message
    assert render(back.message, "ru") == render(message, "ru")


def test_a_diagnostic_that_cannot_be_written_down_exactly_is_not_kept(tmp_path: Path) -> None:
    rule = tmp_path / "r.ckr"
    rule.write_text("rulebook t\n", encoding="utf-8")
    found, ticket = check_cache.look_up([rule], None)
    assert found is None
    assert ticket is not None
    odd = Diagnostic("T100", Severity.ERROR, msg("at {where}", where=Path("x")))
    check_cache.store(ticket, {str(rule): "rulebook t\n"}, [odd])
    assert entries() == []
