"""Results are data: a verdict per (rule, entity), the exact values behind it, and the
provenance of the run. Nothing in them is in a language: titles are kept in every
language the rule gives, and texts for people are made when a result is shown, in the
language chosen then.

The data: :mod:`.outcome` (a verdict's outcome), :mod:`.rule_info` (what every
verdict of a rule shares, made when the rule is compiled), :mod:`.result` (one verdict
and its values), :mod:`.verdicts` (a rule's verdicts as columns until they are read)
and :mod:`.result_set` (the verdicts of one evaluation and its provenance). For
people: :mod:`.display` (a value in its unit), :mod:`.explain` (a verdict in words)
and :mod:`.render` (a result set as a report or as JSON).

The data's names are re-exported here, imported when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterkit.lazy import lazy_attributes

if TYPE_CHECKING:
    from clusterkit.lang.results.outcome import Outcome
    from clusterkit.lang.results.result import Failure, Need, Result, Standing, TraceEntry
    from clusterkit.lang.results.result_set import Provenance, ResultSet, RulebookRef
    from clusterkit.lang.results.rule_info import Label, RequireInfo, RuleInfo, pick_text
    from clusterkit.lang.results.verdicts import Verdicts

__all__ = [
    "Failure",
    "Label",
    "Need",
    "Outcome",
    "Provenance",
    "RequireInfo",
    "Result",
    "ResultSet",
    "RuleInfo",
    "RulebookRef",
    "Standing",
    "TraceEntry",
    "Verdicts",
    "pick_text",
]

_HOMES = {
    "Outcome": ".outcome",
    "Failure": ".result",
    "Need": ".result",
    "Result": ".result",
    "Standing": ".result",
    "TraceEntry": ".result",
    "Provenance": ".result_set",
    "ResultSet": ".result_set",
    "RulebookRef": ".result_set",
    "Label": ".rule_info",
    "RequireInfo": ".rule_info",
    "RuleInfo": ".rule_info",
    "pick_text": ".rule_info",
    "Verdicts": ".verdicts",
}


__getattr__ = lazy_attributes(__name__, _HOMES, globals())
