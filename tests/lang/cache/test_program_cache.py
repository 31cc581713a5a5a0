"""The cache of compiled programs gives back the program that building gives: the same
verdicts, values, explanations, warnings and provenance, without parsing, checking or
compiling; and only while nothing it came from has changed (an edited import, a
damaged entry, another clusterkit are misses, never a wrong answer or a traceback)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from clusterkit.diagnostics import DiagnosticError, Span
from clusterkit.lang import program, reader
from clusterkit.lang.cache import check_cache, encoding, program_cache
from clusterkit.lang.evaluation.evaluator import evaluate
from clusterkit.lang.program import Program, load_rules
from clusterkit.lang.results import ResultSet
from clusterkit.lang.runtime.arith import Table
from clusterkit.lang.runtime.intervals import Interval
from clusterkit.lang.types import value_types as ty
from clusterkit.lang.types.units import Dim
from clusterkit.loader import load_dataset

ROOT = Path(__file__).resolve().parents[3]

#: (rule paths, data folder, date) of every rulebook and dataset shipped together.
SHIPPED = [
    (["rules"], "examples/kazakhstan-2021", dt.date(2021, 6, 1)),
    (["rules"], "examples/selection-2017-sample", dt.date(2017, 6, 1)),
    (["examples/eu-cluster-labels"], "examples/eu-cluster-labels/data", dt.date(2025, 6, 30)),
    (["examples/ru-industrial-clusters"], "examples/ru-industrial-clusters/data", None),
    (["examples/pl-key-clusters"], "examples/pl-key-clusters/data", dt.date(2025, 1, 1)),
]

MAIN = """rulebook t
version "1"
import "lib.ckr"
const unused = 5
rule r for each p in projects
  let share = p.cluster_amount / p.budget
  require share >= floor
  require p.budget <= cap
"""
LIB = "rulebook lib\nconst cap = 10 mln KZT\nconst floor = 30 %\n"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "main.ckr").write_text(MAIN, encoding="utf-8")
    (folder / "lib.ckr").write_text(LIB, encoding="utf-8")
    return folder / "main.ckr"


def entries() -> list[Path]:
    folder = Path(os.environ["CLUSTERKIT_CACHE_DIR"]) / "programs"
    return sorted(folder.glob("*.ckp")) if folder.exists() else []


def no_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, parsing or compiling a rule file fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the rules were built, not taken from the cache")

    monkeypatch.setattr(reader, "parse_rules", refuse)
    monkeypatch.setattr(program, "_compiled", refuse)


def everything_shown(results: ResultSet, langs: tuple[str, ...] = ("en", "ru", "kk")) -> list[str]:
    """Every text a person or a tool gets from the results, in every language."""
    shown = [results.to_json(lang) for lang in langs]
    shown += [results.render(lang, show_all=True) for lang in langs]
    shown += [r.explain(lang) for r in results for lang in langs]
    return shown


def traces(results: ResultSet) -> list[list[tuple[str, str, str, object]]]:
    """Each result's trace as (label, role, raw value, type), compared as values: an
    enumeration's type holds a frozenset, whose repr's order is not part of its value."""
    return [[(e.label, e.role, e.raw, e.type) for e in r.trace] for r in results]


@pytest.mark.parametrize(("paths", "data", "day"), SHIPPED, ids=[d for _p, d, _d in SHIPPED])
def test_a_program_from_the_cache_gives_what_a_built_one_gives(
    paths: list[str],
    data: str,
    day: dt.date | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    built = load_rules(paths)
    dataset = load_dataset(data, schema=built.schema)
    assert entries() == []
    assert load_rules(paths, cache=True).diagnostics == built.diagnostics  # a miss, kept
    assert len(entries()) == 1
    no_building(monkeypatch)
    cached = load_rules(paths, cache=True)
    assert cached.sources == built.sources
    assert cached.diagnostics == built.diagnostics
    assert cached.schema == built.schema
    assert [b.header for b in cached.rulebooks] == [b.header for b in built.rulebooks]
    assert [b.generated for b in cached.rulebooks] == [b.generated for b in built.rulebooks]
    when = day or dataset.info.published
    assert when is not None
    fresh, again = evaluate(built, dataset, when), evaluate(cached, dataset, when)
    assert again == fresh
    assert again.provenance == fresh.provenance
    assert everything_shown(again) == everything_shown(fresh)
    assert traces(again) == traces(fresh)


def test_a_cached_program_shows_the_basis_of_each_parameter_value_it_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pl-key-clusters' member minimum: 40 of the earlier rounds is an example, round
    # V's 51 the regulations'; a verdict shows the basis of the value of its round.
    monkeypatch.chdir(ROOT)
    paths, data = ["examples/pl-key-clusters"], "examples/pl-key-clusters/data"
    dataset = load_dataset(data, schema=load_rules(paths, cache=True).schema)
    no_building(monkeypatch)
    cached = load_rules(paths, cache=True)
    results = evaluate(cached, dataset, dt.date(2025, 1, 1))
    bases = {
        r.entity: [kind for name, kind, _note in r.parameters if name == "min_members"]
        for r in results
        if r.rule == "enough_members"
    }
    assert bases["ict-ii"] == ["illustrative"]
    assert bases["ict-v"] == ["source"]
    assert "min_members (illustrative" in next(
        r.explain("en") for r in results if (r.rule, r.entity) == ("enough_members", "ict-ii")
    )


def test_the_syntax_trees_of_a_cached_program_are_made_when_asked_for(
    rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = load_rules([rules], cache=True)
    parsed: list[str] = []
    real = reader.parse_rules

    def counting(text: str, file: str = "<rules>") -> object:
        parsed.append(file)
        return real(text, file)

    monkeypatch.setattr(reader, "parse_rules", counting)
    cached = load_rules([rules], cache=True)
    assert parsed == []
    book = next(b for b in cached.rulebooks if b.id == "t")
    fresh = next(b for b in built.rulebooks if b.id == "t")
    assert book.rules[0].node == fresh.rules[0].node
    assert sorted(parsed) == sorted(str(p) for p in (rules, rules.parent / "lib.ckr"))
    assert book.checked.rules == fresh.checked.rules
    assert book.checked.content_hash == fresh.checked.content_hash
    assert len(parsed) == 2  # parsed once for the whole program


def test_the_code_from_the_cache_keeps_its_lines_in_the_generated_source(rules: Path) -> None:
    built = load_rules([rules], cache=True)
    cached = load_rules([rules], cache=True)
    for fresh, book in zip(built.rulebooks, cached.rulebooks, strict=True):
        assert book.source == fresh.source
        assert book.line_spans == fresh.line_spans
        for rule, again in zip(fresh.rules, book.rules, strict=True):
            assert again.run.__code__.co_firstlineno == rule.run.__code__.co_firstlineno
            if rule.batch is not None:
                assert again.batch is not None
                assert again.batch.code() == rule.batch.code()


def test_a_cached_program_pickles_as_its_sources(
    rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_rules([rules], cache=True)
    cached = load_rules([rules], cache=True)
    again = pickle.loads(pickle.dumps(cached))
    assert isinstance(again, Program)
    assert again.sources == cached.sources
    assert [b.generated for b in again.rulebooks] == [b.generated for b in cached.rulebooks]


def test_warnings_come_back_from_the_cache(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = load_rules([rules], cache=True)
    assert [d.code for d in built.diagnostics] == ["W601"]
    no_building(monkeypatch)
    assert load_rules([rules], cache=True).diagnostics == built.diagnostics


def test_an_edited_import_is_a_miss(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_rules([rules], cache=True)
    (rules.parent / "lib.ckr").write_text(LIB.replace("30 %", "40 %"), encoding="utf-8")
    again = load_rules([rules], cache=True)
    assert dict(again.sources)[str(rules.parent / "lib.ckr")].endswith("40 %\n")
    (book,) = (b for b in again.rulebooks if b.id == "t")
    assert Decimal("0.40") in book.generated.consts  # the import's new value is compiled in
    assert Decimal("0.30") not in book.generated.consts
    no_building(monkeypatch)
    assert load_rules([rules], cache=True).sources == again.sources  # kept anew


def test_an_edited_rule_file_is_a_miss(rules: Path) -> None:
    first = load_rules([rules], cache=True)
    rules.write_text(MAIN.replace('version "1"', 'version "2"'), encoding="utf-8")
    again = load_rules([rules], cache=True)
    assert [b.header.version for b in first.rulebooks] == ["", "1"]
    assert [b.header.version for b in again.rulebooks] == ["", "2"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]),
        lambda raw: raw.replace(b"KZT", b"RUB"),
        lambda raw: b"",
        lambda raw: b"\x00" * 100,
        lambda raw: raw.replace(program_cache.MAGIC, b"clusterkit-program-0\n"),
    ],
    ids=["cut short", "last byte", "changed text", "empty", "zeros", "other layout"],
)
def test_a_damaged_entry_is_a_miss(
    rules: Path, damage: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = load_rules([rules], cache=True)
    (entry,) = entries()
    assert callable(damage)
    entry.write_bytes(damage(entry.read_bytes()))
    again = load_rules([rules], cache=True)
    assert [b.generated for b in again.rulebooks] == [b.generated for b in built.rulebooks]
    no_building(monkeypatch)  # and it was written again, whole
    assert load_rules([rules], cache=True).sources == built.sources


def test_a_damaged_entry_that_still_reads_as_one_is_a_miss(
    rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even with a right digest, an entry whose contents make no program is a miss."""
    load_rules([rules], cache=True)
    (entry,) = entries()
    raw = entry.read_bytes()
    payload = raw[len(program_cache.MAGIC) + 65 :]
    size = int.from_bytes(payload[:8], "big")
    meta = json.loads(payload[8 : 8 + size])
    meta["books"][0]["generated"]["f"][0] = {"@": "Nonsense", "f": []}
    body = json.dumps(meta).encode()
    payload = len(body).to_bytes(8, "big") + body + payload[8 + size :]
    digest = hashlib.sha256(payload).hexdigest().encode()
    entry.write_bytes(program_cache.MAGIC + digest + b"\n" + payload)
    assert load_rules([rules], cache=True).sources == load_rules([rules]).sources


def test_rules_with_errors_are_never_kept(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ckr"
    bad.write_text("rulebook t\nconst a = b + 1 mln KZT\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(DiagnosticError) as caught:
            load_rules([bad], cache=True)
        assert [d.code for d in caught.value.diagnostics if d.is_error] == ["R201"]
    assert entries() == []


def test_the_cache_is_off_when_the_environment_says_so(
    rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERKIT_NO_CACHE", "1")
    load_rules([rules], cache=True)
    load_rules([rules], cache=True)
    assert entries() == []


def test_a_program_that_cannot_be_written_down_exactly_is_not_kept(
    rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(encoding._CLASSES, "RequireInfo")
    load_rules([rules], cache=True)
    assert entries() == []


def test_values_read_back_as_the_same_values_of_the_same_types() -> None:
    shared = (ty.NumT(Dim({"[KZT]": 1}), percent=True), "text")
    values = (
        None,
        True,
        0,
        -7,
        "",
        "строка",
        Decimal("1.50"),
        Decimal("-0"),
        Decimal("1E+3"),
        dt.date(2021, 6, 1),
        [1, (2, 3)],
        frozenset({"a", "b"}),
        Span("f.ckr", 1, 2, 3, 4),
        Dim({"[time]": -1, "[KZT]": 1}),
        Table([("gold", Decimal("24")), ("bronze", Decimal("12"))]),
        Interval(Decimal("1.0"), Decimal("2"), low_closed=False),
        ty.TextT(frozenset({"x"})),
        ty.ListT(ty.EntityT("project"), nullable=True),
        (shared, shared, shared),
    )
    back = program_cache.decode(json.loads(json.dumps(program_cache.encode(values))))
    assert back == values
    assert [type(v) for v in back] == [type(v) for v in values]
    assert [str(v) for v in back[6:9]] == ["1.50", "-0", "1E+3"]
    assert back[-1][0] is back[-1][1]  # a shared value is written once


@pytest.mark.parametrize("value", [1.5, {"a": 1}, object(), b"bytes", dt.datetime(2021, 1, 1)])
def test_a_value_of_an_unknown_type_is_refused(value: object) -> None:
    with pytest.raises(TypeError):
        program_cache.encode(("ok", value))


def test_processes_writing_at_once_leave_one_whole_entry(rules: Path) -> None:
    script = textwrap.dedent(
        f"""
        from clusterkit.lang.program import load_rules
        program = load_rules([{str(rules)!r}], cache=True)
        print(sorted(b.id for b in program.rulebooks))
        """
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(6)
    ]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
        assert out.decode().strip() == "['lib', 't']"
    (entry,) = entries()
    assert not list(entry.parent.glob("*.tmp"))
    ticket = check_cache.make_ticket([rules], None, "programs", ".ckp")
    assert ticket is not None
    assert program_cache._read(ticket) is not None


def test_a_declared_schema_comes_back_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    paths = ["rules/schema/kazakhstan.ckr"]
    built, problems = program.declared_schema(paths)
    assert problems == []
    assert program.declared_schema(paths, cache=True) == (built, [])
    no_building(monkeypatch)
    again, problems = program.declared_schema(paths, cache=True)
    assert problems == []
    assert again == built
    assert [k.origin for k in again.kinds] == [k.origin for k in built.kinds]
    with program.caching_schemas():
        assert program.declared_schema(paths) == (built, [])


def test_a_declared_schema_with_problems_is_not_kept(tmp_path: Path) -> None:
    bad = tmp_path / "schema.ckr"
    bad.write_text("schema s\nkind widget in widgets\n  size: nonsense\n", encoding="utf-8")
    for _ in range(2):
        _schema, problems = program.declared_schema([bad], cache=True)
        assert problems
    folder = Path(os.environ["CLUSTERKIT_CACHE_DIR"]) / "schemas"
    assert not folder.exists() or not list(folder.iterdir())
