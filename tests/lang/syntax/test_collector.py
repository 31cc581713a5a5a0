"""The garbage collector is paused while rules are parsed and checked, and left as it
was found afterwards: also after an error, when nested, across threads, and when the
program had turned it off itself."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import clusterkit
from clusterkit.diagnostics import DiagnosticError
from clusterkit.lang import parse_rules
from clusterkit.lang.compile import compiler
from clusterkit.lang.syntax.collector import paused_gc

RULES = Path(__file__).resolve().parents[3] / "rules"


@pytest.fixture(autouse=True)
def _collector_enabled() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_during_a_pause_and_on_after() -> None:
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_after_an_exception() -> None:
    with pytest.raises(ZeroDivisionError), paused_gc():
        _ = 1 / 0
    assert gc.isenabled()


def test_nested_pauses_restore_once_at_the_outermost() -> None:
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_program_stays_off() -> None:
    gc.disable()
    with paused_gc():
        pass
    parse_rules("rulebook t\nconst a = 1\n")
    assert not gc.isenabled()


def test_overlapping_pauses_in_threads_leave_it_on() -> None:
    inside = threading.Barrier(2)
    leave = threading.Event()

    def hold() -> None:
        with paused_gc():
            inside.wait()
            leave.wait()

    worker = threading.Thread(target=hold)
    worker.start()
    with paused_gc():
        inside.wait()
    assert not gc.isenabled()  # the other thread's pause is still under way
    leave.set()
    worker.join()
    assert gc.isenabled()


def test_parsing_and_checking_leave_the_collector_on() -> None:
    parse_rules((RULES / "monitoring.ckr").read_text(encoding="utf-8"), "monitoring.ckr")
    assert gc.isenabled()
    clusterkit.check_rules([RULES])
    assert gc.isenabled()


def test_the_collector_runs_while_rules_are_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    original = compiler.compile_rulebook

    def watched(checked: Any) -> Any:
        seen.append(gc.isenabled())
        return original(checked)

    monkeypatch.setattr(compiler, "compile_rulebook", watched)
    clusterkit.load_rules([RULES / "monitoring.ckr"])
    clusterkit.compile_rules("rulebook t\nconst a = 1\n")
    assert seen
    assert all(seen)


def test_a_syntax_error_leaves_the_collector_on() -> None:
    with pytest.raises(DiagnosticError):
        parse_rules("rulebook t\nconst = 1\n")
    assert gc.isenabled()
    with pytest.raises(DiagnosticError):
        clusterkit.compile_rules("rulebook t\nconst a = b\n")
    assert gc.isenabled()
