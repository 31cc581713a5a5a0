"""clusterkit: cluster-development policy as rules that run.

The front door, for embedding::

    import datetime, clusterkit

    program = clusterkit.compile_rules('''
        rulebook demo
        rule share for each p in projects
          require p.cluster_amount >= 30 % * p.budget
    ''', name="demo.ckr")
    data = clusterkit.load_dataset("examples/kazakhstan-2021")
    results = clusterkit.evaluate(program, data, datetime.date(2021, 6, 1))
    for result in results.failed:
        print(result.explain("ru"))
    print(results.to_json())

Everything importable from here is the public, typed API; submodules are
implementation detail unless docs/ documents them. Heavy parts (the rules language,
babel) are imported when first used, so ``import clusterkit`` is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterkit._version import __version__
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.lazy import lazy_attributes

if TYPE_CHECKING:
    from clusterkit.api import dataset_from_dict
    from clusterkit.lang.evaluation.evaluator import evaluate
    from clusterkit.lang.program import Program, check_rules, compile_rules, load_rules
    from clusterkit.lang.results import Outcome, Result, ResultSet, TraceEntry
    from clusterkit.loader import dump_dataset, load_dataset, read_participants_csv, save_dataset
    from clusterkit.model import Dataset
    from clusterkit.money import (
        CurrencyMismatchError,
        ExchangeRate,
        Money,
        MoneyError,
        NoRateError,
        RateTable,
        UnknownCurrencyError,
        parse_money,
    )
    from clusterkit.summary import DatasetSummary, summarize
    from clusterkit.units import Measure, Unit, parse_unit

__all__ = [
    "CurrencyMismatchError",
    "Dataset",
    "DatasetSummary",
    "Diagnostic",
    "DiagnosticError",
    "ExchangeRate",
    "Measure",
    "Money",
    "MoneyError",
    "NoRateError",
    "Outcome",
    "Program",
    "RateTable",
    "Result",
    "ResultSet",
    "Severity",
    "Span",
    "TraceEntry",
    "Unit",
    "UnknownCurrencyError",
    "__version__",
    "check_rules",
    "compile_rules",
    "dataset_from_dict",
    "dump_dataset",
    "evaluate",
    "load_dataset",
    "load_rules",
    "parse_money",
    "parse_unit",
    "read_participants_csv",
    "save_dataset",
    "summarize",
]

# Where each lazily imported public name lives.
_LAZY = {
    "dataset_from_dict": "clusterkit.api",
    "evaluate": "clusterkit.lang.evaluation.evaluator",
    "Program": "clusterkit.lang.program",
    "check_rules": "clusterkit.lang.program",
    "compile_rules": "clusterkit.lang.program",
    "load_rules": "clusterkit.lang.program",
    "Outcome": "clusterkit.lang.results",
    "Result": "clusterkit.lang.results",
    "ResultSet": "clusterkit.lang.results",
    "TraceEntry": "clusterkit.lang.results",
    "dump_dataset": "clusterkit.loader",
    "load_dataset": "clusterkit.loader",
    "read_participants_csv": "clusterkit.loader",
    "save_dataset": "clusterkit.loader",
    "Dataset": "clusterkit.model",
    "CurrencyMismatchError": "clusterkit.money",
    "ExchangeRate": "clusterkit.money",
    "Money": "clusterkit.money",
    "MoneyError": "clusterkit.money",
    "NoRateError": "clusterkit.money",
    "RateTable": "clusterkit.money",
    "UnknownCurrencyError": "clusterkit.money",
    "parse_money": "clusterkit.money",
    "DatasetSummary": "clusterkit.summary",
    "summarize": "clusterkit.summary",
    "Measure": "clusterkit.units",
    "Unit": "clusterkit.units",
    "parse_unit": "clusterkit.units",
}


__getattr__ = lazy_attributes(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
