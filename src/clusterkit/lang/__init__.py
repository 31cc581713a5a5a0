"""The clusterkit rules language: parse, check, compile, evaluate and explain rules.

Typical use::

    from clusterkit.lang import load_program, evaluate
    program = load_program(["rules/"])          # raises DiagnosticError on bad rules
    results = evaluate(program, dataset, datetime.date(2021, 6, 30))
    for result in results.failed:
        print(result.explain())
"""

from clusterkit.lang.evaluate import data_hash, evaluate
from clusterkit.lang.parser import parse_rules
from clusterkit.lang.program import Program, check_rules, load_program
from clusterkit.lang.results import Outcome, Provenance, Result, ResultSet, TraceEntry

__all__ = [
    "Outcome",
    "Program",
    "Provenance",
    "Result",
    "ResultSet",
    "TraceEntry",
    "check_rules",
    "data_hash",
    "evaluate",
    "load_program",
    "parse_rules",
]
