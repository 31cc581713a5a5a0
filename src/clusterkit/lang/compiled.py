"""A compiled rulebook: the generated functions of each rule and what is known of it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

from clusterkit.diagnostics import Span
from clusterkit.lang import ast
from clusterkit.lang.check.checked import Checked
from clusterkit.lang.results import RuleInfo
from clusterkit.lang.runtime.context import Context

__all__ = ["Batch", "CompiledRule", "CompiledRulebook", "Raw"]

#: What a rule's function gives for one entity: a status (``pass``, ``fail``, ``ok``,
#: ``warning``, ``breach``, ``not_applicable``, ``score``), the trace as
#: ``(label index, value)`` pairs, and a detail (the failed require and its two
#: values; a score's criteria values and weights; a band's number).
Raw = tuple[str, list[tuple[int, Any]], Any]
#: A rule's batch function: context, entities; it appends to the entities kept (those
#: a ``where`` lets through, when the rule has one), their statuses, and records the
#: exception an entity raised by its position among the statuses.
Batch = Callable[[Context, Iterable[Any], list[Any], list[str | None], dict[int, Exception]], None]


@attrs.frozen
class CompiledRule:
    """A rule ready to run.

    Attributes:
        info: what every verdict of the rule shares (names, titles, trace labels).
        node: its syntax tree.
        entities: gives the entities to go through (``[None]`` for a rule that runs
            once for the dataset).
        where: whether an entity is in scope (None: all are).
        run: evaluates one entity.
        criteria: a score's criterion names, in order.
        minimum: gives a score's minimum, if it has one.
        score_labels: for a score, the trace labels of its total and its rank.
        version_by: for a rule judged by the version of its rulebook in force on each
            entity's own date (``version as of``), gives that date.
        batch: runs the rule on many entities at once, keeping only each status
            (``batch(ctx, entities, kept, statuses, errors)``; see
            :meth:`clusterkit.lang.rule_code.RuleCode.batch`); None for scores and
            ``version as of`` rules, which run entity by entity.
    """

    info: RuleInfo
    node: ast.Rule
    entities: Callable[[Context], list[Any]]
    where: Callable[[Context, Any], bool] | None
    run: Callable[[Context, Any], Raw]
    criteria: tuple[str, ...] = ()
    minimum: Callable[[Context], Any] | None = None
    score_labels: tuple[int, int] = (0, 0)
    version_by: Callable[[Context, Any], Any] | None = None
    batch: Batch | None = None

    @property
    def name(self) -> str:
        return self.info.rule

    @property
    def kind(self) -> str:
        return self.info.kind


@attrs.frozen
class CompiledRulebook:
    """One compiled rule file.

    Attributes:
        checked: what the checker learnt of it.
        rules: its rules, in file order.
        source: the generated Python source (for debugging clusterkit itself).
        filename: the name the generated code was compiled under.
        line_spans: for each line of ``source``, the rule text it was generated from,
            so an error inside generated code can name the rule file's line.
    """

    checked: Checked
    rules: tuple[CompiledRule, ...]
    source: str
    filename: str
    line_spans: tuple[Span | None, ...] = ()

    @property
    def id(self) -> str:
        return self.checked.id

    def span_of_line(self, line: int) -> Span | None:
        """The rule text that line ``line`` (1-based) of the generated code comes from."""
        if 1 <= line <= len(self.line_spans):
            return self.line_spans[line - 1]
        return None
