"""Compiled rules run against a dataset as of a date: pure, exact, explained.

:mod:`.evaluator` chooses the rulebook versions in force and runs them in order, each
by :mod:`.rulebook_run`, which turns what its compiled rules give into verdicts;
:mod:`.debug` shows an error inside generated code at the rule file's line.

The package is not named ``evaluate``: that is the function :mod:`clusterkit.lang`
re-exports, and a submodule of that name would replace it on the package.
"""
