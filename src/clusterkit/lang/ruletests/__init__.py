"""Rule tests: cases beside the rule files (``NAME.tests.toml``), run by ``clusterkit
test``.

:mod:`.spec` reads a test file, checked whole before anything runs; :mod:`.values`
reads expected values with their units and compares them with a verdict's trace;
:mod:`.runner` runs the cases against the rules; :mod:`.report` gives the results as
text, JSON or JUnit XML.

The runner's names are re-exported here, imported when first used::

    from clusterkit.lang.ruletests import find_test_files, report, run_test_files
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterkit.lazy import lazy_attributes

if TYPE_CHECKING:
    from clusterkit.lang.ruletests.runner import (
        TEST_SUFFIX,
        CaseResult,
        FileResult,
        find_test_files,
        read_test_file,
        run_suite,
        run_test_file,
        run_test_files,
    )

__all__ = [
    "TEST_SUFFIX",
    "CaseResult",
    "FileResult",
    "find_test_files",
    "read_test_file",
    "run_suite",
    "run_test_file",
    "run_test_files",
]


# Imported when first used, so that reading one test file (spec) does not bring the
# runner and the evaluator with it.
__getattr__ = lazy_attributes(__name__, dict.fromkeys(__all__, ".runner"), globals())
