"""The clusterkit rules language, as its pipeline:

``grammar.lark`` → :mod:`.parser` (with :mod:`.lalr`, :mod:`.builder` and
:mod:`.syntax_errors`) →
:mod:`.ast` → :mod:`.check` → :mod:`.compiler` (:mod:`.compiled`, :mod:`.builtins`) →
:mod:`.runtime` → :mod:`.evaluator` (each rulebook run by :mod:`.rulebook_run`) →
:mod:`.results` (one verdict in :mod:`.result`, a rule's verdicts as columns in
:mod:`.verdicts`) → :mod:`.explain` (a verdict in words; values in their units by
:mod:`.display`, a whole result set as a report or JSON by :mod:`.render`);
:mod:`.program` ties the stages together (:mod:`.reader` reads the files,
:mod:`.check_cache` and :mod:`.program_cache` keep what was made of unchanged ones) and
:mod:`.testing` runs rule tests.

The public API is re-exported by :mod:`clusterkit` itself; modules here are
implementation detail unless documented. Names below are imported when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clusterkit.lang.evaluator import data_hash, evaluate
    from clusterkit.lang.parser import parse_rules
    from clusterkit.lang.program import Program, check_rules, compile_rules, load_rules
    from clusterkit.lang.results import Outcome, Provenance, Result, ResultSet, TraceEntry

__all__ = [
    "Outcome",
    "Program",
    "Provenance",
    "Result",
    "ResultSet",
    "TraceEntry",
    "check_rules",
    "compile_rules",
    "data_hash",
    "evaluate",
    "load_rules",
    "parse_rules",
]

_HOMES = {
    "data_hash": "evaluator",
    "evaluate": "evaluator",
    "parse_rules": "parser",
    "Program": "program",
    "check_rules": "program",
    "compile_rules": "program",
    "load_rules": "program",
    "Outcome": "results",
    "Provenance": "results",
    "Result": "results",
    "ResultSet": "results",
    "TraceEntry": "results",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'clusterkit.lang' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"clusterkit.lang.{home}"), name)
    globals()[name] = value
    return value
