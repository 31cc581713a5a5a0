"""The data fuzzers' seeds and oracle: the example datasets, the shipped rules that
read them, hostile values put anywhere in a document, and the reports made of the
result."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st

from clusterkit import Program, load_dataset, load_rules
from clusterkit.loader import dump_dataset
from clusterkit.model import Dataset
from clusterkit.plugins import REPORTERS, ReportContext, ReportError, discover
from tests.fuzz.common import HOSTILE_NUMBERS, HOSTILE_TEXTS, Shown, evaluated, short
from tests.fuzz.corpus import EXAMPLES, KZ_DATA, RULES

#: Every example dataset folder.
DATA_FOLDERS = (
    KZ_DATA,
    EXAMPLES / "selection-2017-sample",
    EXAMPLES / "eu-cluster-labels" / "data",
    EXAMPLES / "ru-industrial-clusters" / "data",
    EXAMPLES / "pl-key-clusters" / "data",
)
REPORTS = ("text", "markdown", "csv", "json", "html", "xlsx")


@cache
def kz_program() -> Program:
    return load_rules([RULES])


@cache
def kz_dataset() -> Dataset:
    return load_dataset(KZ_DATA, schema=kz_program().schema)


def kz_info() -> dict[str, Any]:
    """The Kazakh example's ``dataset`` information alone."""
    return {"dataset": kz_document()["dataset"]}


@cache
def kz_document() -> dict[str, Any]:
    """The Kazakh example as one document, participants included."""
    document: dict[str, Any] = json.loads(dump_dataset(kz_dataset()), parse_float=Decimal)
    return document


def report_everything(dataset: Dataset, day: dt.date | None, formats: tuple[str, ...]) -> None:
    """The oracle for data that loads: the shipped rules evaluate on it, and reports of
    it are made, without an exception (a reporter may refuse with a ReportError)."""
    results = None
    if day is not None:
        results = evaluated(kz_program(), dataset, day)
        if results is None:
            return
        json.loads(results.to_json("ru"))
        results.render("kk", show_all=True)
    registry = discover([REPORTERS])
    for name in formats:
        reporter = registry.get(REPORTERS, name)
        try:
            content = reporter.render(ReportContext(dataset, results, "ru"))
        except ReportError:
            continue
        # A report never expands a number beyond its bounded form.
        assert len(content) < 20_000_000


# -- hostile values anywhere in a document -------------------------------------------------

Path_ = tuple[str | int, ...]


def paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every path to a value in a JSON-like document (but not into deep nesting)."""
    found = [prefix]
    if len(prefix) > 12:
        return found
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def _is_decimal(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


hostile_values: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.sampled_from(HOSTILE_TEXTS),
    st.sampled_from(HOSTILE_NUMBERS).map(lambda n: n + " mln KZT"),
    st.sampled_from([n for n in HOSTILE_NUMBERS if _is_decimal(n)]).map(Decimal),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([1.5, 0.1, float("nan"), True, False, None, {}, [], {"": ""}, ["x"]]).map(
        copy.deepcopy
    ),
    st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")]),
    st.sampled_from([10, 1000, 5000]).map(_nested),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


def deep(value: Any, limit: int = 50) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (found without recursion)."""
    level = [value]
    for _ in range(limit):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return True


def _copy(value: Any) -> Any:
    return value if deep(value) else copy.deepcopy(value)


def _get(node: Any, path: Path_) -> Any:
    for key in path:
        node = node[key]
    return node


def _short(value: Any) -> str:
    return "<nested deeper than 50 levels>" if deep(value) else short(value)


@st.composite
def mutated_document(draw: st.DrawFn, base: Callable[[], Any], *, max_steps: int = 3) -> Shown[Any]:
    """``base()`` (not changed) with a few values replaced by hostile ones or by values
    from elsewhere in it, keys dropped or added, list items repeated."""
    doc = copy.deepcopy(base())
    edits = []
    for _ in range(draw(st.integers(1, max_steps))):
        where = paths(doc)
        path = draw(st.sampled_from(where))
        op = draw(st.sampled_from(["hostile", "hostile", "elsewhere", "drop", "repeat", "key"]))
        if not path:
            if op == "hostile":
                doc = draw(hostile_values)
                edits.append(f"document = {_short(doc)}")
            continue
        parent = _get(doc, path[:-1])
        key = path[-1]
        if op == "hostile":
            parent[key] = draw(hostile_values)
            edits.append(f"{path} = {_short(parent[key])}")
        elif op == "elsewhere":
            other = draw(st.sampled_from(where))
            parent[key] = _copy(_get(doc, other))
            edits.append(f"{path} = copy of {other}")
        elif op == "drop":
            del parent[key]
            edits.append(f"del {path}")
        elif op == "repeat" and isinstance(parent, list):
            assert isinstance(key, int)  # a path steps into a list by index
            parent.insert(key, _copy(parent[key]))
            edits.append(f"repeat {path}")
        elif op == "key" and isinstance(parent, dict):
            name = draw(st.sampled_from(["", "id", "extra", "ИД", "__class__", 7]))
            parent[name] = draw(hostile_values)
            edits.append(f"{(*path[:-1], name)} = {_short(parent[name])}")
    return Shown(doc, f"{base.__name__}() with {edits}")
