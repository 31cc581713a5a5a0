"""clusterkit: cluster-development policy as rules that run.

The public surface is re-exported here; submodules are implementation detail
unless documented.
"""

from clusterkit._version import __version__
from clusterkit.diagnostics import Diagnostic, DiagnosticError, Severity, Span
from clusterkit.loader import dump_dataset, load_dataset, read_participants_csv, save_dataset
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
    "DatasetSummary",
    "Diagnostic",
    "DiagnosticError",
    "ExchangeRate",
    "Measure",
    "Money",
    "MoneyError",
    "NoRateError",
    "RateTable",
    "Severity",
    "Span",
    "Unit",
    "UnknownCurrencyError",
    "__version__",
    "dump_dataset",
    "load_dataset",
    "parse_money",
    "parse_unit",
    "read_participants_csv",
    "save_dataset",
    "summarize",
]
