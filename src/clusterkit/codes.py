"""Every diagnostic code clusterkit gives, as a named constant with its meaning.

Codes are stable: tools match on them, docs/diagnostics.md documents each one, and a
test provokes each one. Letters say where a problem lies: ``D`` data files, ``R``
rule files, ``W`` warnings about rule files, ``T`` rule-test files.
"""

from __future__ import annotations

__all__ = ["MEANINGS"]

#: Each code and what it means, in the order docs/diagnostics.md lists them.
MEANINGS: dict[str, str] = {}


def _code(code: str, meaning: str) -> str:
    assert code not in MEANINGS, code
    MEANINGS[code] = meaning
    return code


# -- data files --------------------------------------------------------------------------
DATA_UNREADABLE = _code(
    "D101", "a file or directory is missing, unreadable, not UTF-8, or too large"
)
DATA_SYNTAX = _code(
    "D102", "a file is not valid JSON or TOML (with line and column), or repeats a key"
)
DATA_INVALID = _code(
    "D103",
    "a value is invalid: a bad BIN, a negative budget, a date that does not exist, an "
    "unknown currency, amounts in two currencies, a wrong enumeration value, a float",
)
DATA_UNKNOWN_KEY = _code("D104", "an unknown key (with a suggestion when one is close)")
DATA_MISSING = _code("D105", "a required field is missing")
DATA_REFERENCE = _code("D106", "a reference names something absent, or an id is used twice")
DATA_NO_INFO = _code("D107", "no `dataset` information in any file")
DATA_CSV = _code(
    "D108",
    "a problem in a table: a participants or other CSV file (with line and column), or a "
    "spreadsheet (with sheet and cell)",
)
DATA_NOT_READ = _code(
    "D109",
    "(warning) a file, folder or sheet in a dataset that clusterkit does not read, and why",
)

# -- rule files: reading and syntax ------------------------------------------------------
RULES_UNREADABLE = _code(
    "R100", "a rule file is missing, unreadable or not UTF-8; no rule files given"
)
SYNTAX_CHARACTER = _code("R101", "an unexpected character")
SYNTAX_EOF = _code("R102", "the file ends in the middle of something")
SYNTAX_TOKEN = _code("R103", "an unexpected word or symbol, with what could come there")
RULES_TOO_BIG = _code("R104", "a rule file larger than 4 MiB")
TOO_DEEP = _code("R105", "an expression nested more than 64 levels deep")
BAD_LITERAL = _code(
    "R106", "a date that does not exist, or a line given twice (two `source` lines in a rule)"
)
NUMBER_BOUNDS = _code(
    "R107", "a number beyond the bounds clusterkit computes in (digits, magnitude)"
)
STEP_MISPLACED = _code(
    "R110", "a step in the wrong kind of block (`require` in a monitor, bands in a rule, ...)"
)
PART_MISSING = _code(
    "R111", "a block misses a part (a rule without `require`, a score without `select`)"
)

# -- rule files: names -------------------------------------------------------------------
UNKNOWN_NAME = _code("R201", 'an unknown name (with "did you mean")')
UNKNOWN_FIELD = _code("R202", 'an unknown field (with "did you mean")')
FIELD_OF_LIST = _code("R203", "a field read from a list instead of going through it")
UNKNOWN_UNIT = _code("R204", "an unknown unit")
NOT_A_CHOICE = _code(
    "R205", "a value that is not one of an enumeration's values (a role, a status)"
)
DEFINED_TWICE = _code("R206", "a name defined twice, or a built-in name redefined")
UNKNOWN_CURRENCY = _code("R207", "an unknown currency")
CURRENCY_IMPORT = _code("R208", "an import of a rulebook in another currency")
CONST_NOT_FIXED = _code("R209", "a `const` that is not a fixed value")
UNKNOWN_KIND = _code("R210", "`define` of an unknown entity kind")
AGGREGATE_FORM = _code("R211", "an aggregate in the wrong form (`sum(x in ...)`)")
UNKNOWN_FUNCTION = _code("R212", "an unknown function")
ARITY = _code("R213", "a function called with the wrong number of arguments")
LITERAL_ARGUMENT = _code(
    "R214", "an argument that must be written out (an indicator's name, a currency code)"
)
UNDECLARED_INDICATOR = _code("R215", "an indicator used but not declared")
ROUNDING_MODE = _code("R216", "an unknown rounding mode")
UNKNOWN_SCHEME = _code("R217", "an unknown identifier scheme")
NOT_EXTENDABLE = _code("R218", "values added to a field that is not an extendable enumeration")
RECURSION = _code("R219", "a function that calls itself, or one defined after it")
PARAM_DATES = _code("R220", "a parameter's dates not in order or given twice, or no values")

# -- rule files: types and units ---------------------------------------------------------
TYPE_ERROR = _code(
    "R301", "a type error (text where a number is needed, a condition that is not yes/no)"
)
UNIT_ROLE = _code("R302", "a weight, criterion, scale or conversion in the wrong unit")
UNIT_MIX = _code("R303", "adding or subtracting values in different units (money and a percentage)")
UNIT_COMPARE = _code(
    "R304", "comparing values in different units (KZT with USD, a ratio used as money)"
)
WEIGHTS = _code("R305", "a score's weights do not add up to 100 %")
PRECISION_NOT_COMPARISON = _code("R306", "`within precision` on something that is not a comparison")

# -- rule files: structure over time -------------------------------------------------------
VERSION_OVERLAP = _code("R401", "two versions of one rulebook in force on the same day")
BAND_OVERLAP = _code("R402", "grading bands that overlap")
BAND_GAP = _code("R403", "values no grading band covers")
OTHERWISE = _code("R404", "`otherwise` not last, or more than one")
FORCE_DATES = _code("R501", "a rulebook in force until a date before it starts")
IMPORT_CYCLE = _code("R502", "an import cycle")
IMPORT_NOT_FOUND = _code("R503", "an imported file not found")

# -- warnings and rule tests -------------------------------------------------------------
UNUSED = _code("W601", "(warning) a const, figure, define or let never used")
TEST_FILE = _code("T701", "a broken rule-test file")
