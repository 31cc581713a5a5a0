"""Fuzzing the rules language: parser, checker, compiler, formatter and evaluator.

Every program either compiles or is refused with diagnostics; every program that
compiles is evaluated on its example dataset at ordinary and extreme dates and its
results are rendered in every language, and none of that raises (arithmetic beyond
the bounds is an ``undetermined`` verdict, not an exception).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from clusterkit import Program, compile_rules, load_dataset, load_rules
from clusterkit.lang.syntax.formatter import format_rules
from clusterkit.model import Dataset
from tests.fuzz.common import diagnosed, evaluated, fuzz_settings, mutated_bytes
from tests.fuzz.corpus import RULES, Source, grammar_rules, mutated_rules, sources, spliced_rules

DATES = (
    dt.date(2021, 6, 1),
    dt.date(2016, 12, 23),
    dt.date(2022, 7, 12),
    dt.date(2030, 1, 1),
    dt.date(1, 1, 1),
    dt.date(9999, 12, 31),
)


@cache
def dataset(folder: Path) -> Dataset:
    return load_dataset(folder)


def compiled(source: Source, text: str) -> Program | None:
    """The program, or None when the text is refused with diagnostics."""
    return diagnosed(lambda: compile_rules(text, source.path.name, root=source.path.parent))


def evaluate_everywhere(program: Program, data: Dataset, dates: tuple[dt.date, ...]) -> None:
    """The oracle for a program that compiles: evaluating and rendering never raise."""
    for day in dates:
        results = evaluated(program, data, day)
        if results is None:
            return
        for lang in ("en", "ru", "kk"):
            json.loads(results.to_json(lang))
            results.render(lang, show_all=True)
        for result in results:
            result.explain("ru")
            result.threshold("kk")
            result.gap("en")


def formats_stably(source: Source, text: str) -> None:
    formatted = diagnosed(lambda: format_rules(text, source.path.name))
    if formatted is not None:
        assert format_rules(formatted, source.path.name) == formatted


def run_program(source: Source, text: str, dates: tuple[dt.date, ...]) -> None:
    program = compiled(source, text)
    formats_stably(source, text)
    if program is not None:
        evaluate_everywhere(program, dataset(source.data), dates)


def test_every_shipped_rule_file_compiles_and_evaluates() -> None:
    # The seeds themselves: each compiles clean and evaluates at every date.
    for source in sources():
        program = compile_rules(source.text, source.path.name, root=source.path.parent)
        evaluate_everywhere(program, dataset(source.data), DATES)


@fuzz_settings()
@given(case=mutated_rules(), day=st.sampled_from(DATES))
def test_mutated_rule_files(case: tuple[Source, str], day: dt.date) -> None:
    run_program(*case, (day,))


@fuzz_settings()
@given(case=spliced_rules(), day=st.sampled_from(DATES))
def test_spliced_rule_files(case: tuple[Source, str], day: dt.date) -> None:
    run_program(*case, (day,))


@fuzz_settings()
@given(case=grammar_rules(), day=st.sampled_from(DATES))
def test_rule_files_from_the_grammar(case: tuple[Source, str], day: dt.date) -> None:
    run_program(*case, (day,))


@fuzz_settings(0.5)
@given(data=st.data())
def test_rule_files_as_bytes(project: Path, data: st.DataObject) -> None:
    # Decoding is fuzzed too: a BOM, invalid UTF-8, NUL bytes, a file cut mid-character.
    source = data.draw(st.sampled_from([s for s in sources() if s.path.parent == RULES]))
    rules_copy = project / "rules"
    target = rules_copy / source.path.name
    original = source.path.read_bytes()
    target.write_bytes(data.draw(mutated_bytes(original)))
    try:
        program = diagnosed(lambda: load_rules([target], root=rules_copy))
        if program is not None:
            evaluate_everywhere(program, dataset(source.data), DATES[:1])
    finally:
        target.write_bytes(original)
