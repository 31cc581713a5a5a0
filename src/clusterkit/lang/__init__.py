"""The clusterkit rules language, one subpackage per stage of its pipeline:

- :mod:`.syntax`: ``grammar.lark``, the parser (rule text into a syntax tree) and
  the formatter;
- :mod:`.ast`: the syntax tree, and :mod:`.ast.visitor` to walk it;
- :mod:`.types`: the types of values and their units, which every stage speaks of;
- :mod:`.check`: names, types and units, before any data is read;
- :mod:`.compile`: checked rules into Python functions, once (the built-in functions
  are in :mod:`.builtins`);
- :mod:`.runtime`: what the compiled functions call;
- :mod:`.evaluation`: a program run against a dataset as of a date;
- :mod:`.results`: the verdicts as data, and in words for people.

:mod:`.program` ties the stages together (:mod:`.reader` reads the files and their
imports; :mod:`.cache` keeps what was made of unchanged ones), and :mod:`.ruletests`
runs the rule tests beside the rule files.

The public API is re-exported by :mod:`clusterkit` itself; modules here are
implementation detail unless documented. Names below are imported when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterkit.lazy import lazy_attributes

if TYPE_CHECKING:
    from clusterkit.lang.evaluation.evaluator import data_hash, evaluate
    from clusterkit.lang.program import Program, check_rules, compile_rules, load_rules
    from clusterkit.lang.results import Outcome, Provenance, Result, ResultSet, TraceEntry
    from clusterkit.lang.syntax.parser import parse_rules

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
    "data_hash": ".evaluation.evaluator",
    "evaluate": ".evaluation.evaluator",
    "parse_rules": ".syntax.parser",
    "Program": ".program",
    "check_rules": ".program",
    "compile_rules": ".program",
    "load_rules": ".program",
    "Outcome": ".results.outcome",
    "Provenance": ".results.result_set",
    "Result": ".results.result",
    "ResultSet": ".results.result_set",
    "TraceEntry": ".results.result",
}


__getattr__ = lazy_attributes(__name__, _HOMES, globals())
