"""The one place where the benchmarks call clusterkit's rules API: the front door
(``clusterkit.compile_rules``, ``load_rules``, ``check_rules``, ``evaluate``), and the
parser itself for the parse-only measurement. The data builders (``registry.py``,
``peer_data.py``) use the data model (``clusterkit.model``) directly.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark

import clusterkit
from clusterkit.lang.syntax.parser import parse_rules as _parse_rules

__all__ = [
    "CLI_MODULE",
    "Program",
    "check_files",
    "cli_command",
    "compile_files",
    "compile_rules",
    "evaluate",
    "evaluate_partitioned",
    "evaluate_with_hash",
    "lark_noop_parser",
    "made_results",
    "parse_only",
    "verdicts",
]

#: A compiled program, opaque to the benchmarks.
Program = Any
#: The module behind the ``clusterkit`` command (imported in the start-up measurement).
CLI_MODULE = "clusterkit.cli"

Verdict = tuple[str, str, str]


def compile_rules(text: str, name: str = "bench.ckr") -> Program:
    """Parse, check and compile one rule file given as text (raises on bad rules)."""
    return clusterkit.compile_rules(text, name=name)


def compile_files(paths: Sequence[str | os.PathLike[str]]) -> Program:
    """Parse, check and compile rule files (raises on bad rules)."""
    return clusterkit.load_rules(list(paths))


def check_files(paths: Sequence[str | os.PathLike[str]], *, cache: bool = False) -> list[Any]:
    """Parse and check rule files; the diagnostics (each has ``is_error``). With
    ``cache``, through the cache of checked rules (``CLUSTERKIT_CACHE_DIR``)."""
    return clusterkit.check_rules(list(paths), cache=cache)


def parse_only(text: str, name: str = "bench.ckr") -> object:
    """Parse rule text into clusterkit's syntax tree, without checking it."""
    return _parse_rules(text, name)


def evaluate(program: Program, dataset: Any, as_of: dt.date) -> Any:
    """Every rule of ``program`` on ``dataset`` as of ``as_of``: clusterkit's result set.

    The dataset hash for provenance is skipped (``data_sha256`` given), as a caller that
    knows it would; bench.py measures the hashing separately.
    """
    return clusterkit.evaluate(program, dataset, as_of, data_sha256="-")


def evaluate_with_hash(program: Program, dataset: Any, as_of: dt.date) -> Any:
    """As :func:`evaluate`, hashing the dataset for the results' provenance."""
    return clusterkit.evaluate(program, dataset, as_of)


def verdicts(results: Any) -> list[Verdict]:
    """``(rule, entity, outcome)`` for each result, outcome as text (``pass``, ``breach``),
    read from the result set's columns (no result is made)."""
    columns = getattr(results, "verdicts", None)
    if columns is None:  # a clusterkit from before results were kept as columns
        return [(r.rule, r.entity, r.outcome.value) for r in results.results]
    # An Outcome is a str (a StrEnum): equal to its text, and sorted as it is.
    return [(rule, entity, outcome) for _, rule, entity, outcome in columns()]


def made_results(results: Any) -> int:
    """Make every result of a result set (traces, failed comparisons); how many."""
    return len(results.results)


def evaluate_partitioned(program: Program, dataset: Any, as_of: dt.date, client: Any) -> Any:
    """As :func:`evaluate`, by partitions of clusters on a Dask client's workers."""
    from clusterkit.distributed import evaluate_partitioned as by_parts  # noqa: PLC0415

    return by_parts(program, dataset, as_of, client, data_sha256="-")


def cli_command() -> list[str]:
    """How to run the ``clusterkit`` command: the installed script beside this Python,
    else ``python -m clusterkit``."""
    script = Path(sys.executable).with_name("clusterkit")
    if script.exists():
        return [str(script)]
    found = shutil.which("clusterkit")
    return [found] if found else [sys.executable, "-m", "clusterkit"]


class _NoOp:
    """Lark callbacks that build nothing: every rule's reduction returns ``None``."""

    def __getattr__(self, name: str) -> Callable[[list[Any]], None]:
        if name.startswith("__"):
            raise AttributeError(name)
        return _nothing


def _nothing(children: list[Any]) -> None:
    return None


def lark_noop_parser() -> Callable[[str], object]:
    """Lark's LALR parser for clusterkit's grammar, with the options clusterkit's parser
    uses (``clusterkit.lang.syntax.parser``) and callbacks that do nothing: the floor for
    clusterkit's parse+check, as long as the parsing is done by Lark."""
    grammar = resources.files("clusterkit.lang.syntax").joinpath("grammar.lark").read_text("utf-8")
    parser = Lark(
        grammar,
        parser="lalr",
        keep_all_tokens=True,
        maybe_placeholders=False,
        transformer=_NoOp(),
    )
    return parser.parse
