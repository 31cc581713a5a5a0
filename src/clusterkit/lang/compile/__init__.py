"""Checked rules compiled into Python functions, once per rulebook.

:mod:`.compiler` generates each rulebook's module from the syntax tree and the
checker's record: the source, its table of constants and what every verdict of a rule
shares; :mod:`.rule_code` (definitions, functions and rules) and :mod:`.precision`
(``within precision`` comparisons) are mixins of its generator. :mod:`.compiled` runs
the generated source into a :class:`~.compiled.CompiledRulebook`, which evaluation
calls.
"""
