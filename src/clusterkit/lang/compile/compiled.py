"""A compiled rulebook: the generated functions of each rule and what is known of it.

A rule file is compiled in two steps. The compiler (:mod:`clusterkit.lang.compile.compiler`)
generates a :class:`Generated`: the Python source, its table of constants and what
every verdict of each rule shares, which is all data (the cache of compiled programs,
:mod:`clusterkit.lang.cache.program_cache`, keeps it). :func:`bind` then runs the source's
code into a namespace of its own and makes the :class:`CompiledRulebook`.

The syntax tree and the checker's record of a rulebook are reached through
:class:`Later`: a rulebook compiled in this process has them at hand, one read from
the cache parses and checks its text again only when they are asked for (an
explanation, a debugger, a partitioned run do; an evaluation does not).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import CodeType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from clusterkit.diagnostics import Span
from clusterkit.lang.results.rule_info import RuleInfo
from clusterkit.lang.runtime import RT
from clusterkit.lang.runtime.context import Context

if TYPE_CHECKING:
    from clusterkit.lang import ast
    from clusterkit.lang.check.checked import Checked
    from clusterkit.schema import Schema

__all__ = [
    "Batch",
    "BookHeader",
    "CompiledRule",
    "CompiledRulebook",
    "Generated",
    "Later",
    "Raw",
    "RulePlan",
    "bind",
]

T = TypeVar("T")

#: What a rule's function gives for one entity: a status (``pass``, ``fail``, ``ok``,
#: ``warning``, ``breach``, ``not_applicable``, ``score``), the trace as
#: ``(label index, value)`` pairs, and a detail (the failed require and its two
#: values; a score's criteria values and weights; a band's number).
Raw = tuple[str, list[tuple[int, Any]], Any]
#: A rule's batch function: context, entities; it appends to the entities kept (those
#: a ``where`` lets through, when the rule has one), their statuses, and records the
#: exception an entity raised by its position among the statuses.
Batch = Callable[[Context, Iterable[Any], list[Any], list[str | None], dict[int, Exception]], None]


class Later(Generic[T]):
    """A value made when it is first asked for, then kept."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None

    @classmethod
    def now(cls, value: T) -> Later[T]:
        """A value that is already made."""
        later = cls(lambda: value)
        later._value, later._make = value, None
        return later

    def get(self) -> T:
        make = self._make
        if make is not None:
            self._value = make()
            self._make = None
        return self._value  # type: ignore[return-value]


@attrs.frozen
class BookHeader:
    """What evaluation and provenance need of a rulebook's header and file."""

    id: str
    version: str
    path: str
    currency: str
    content_hash: str
    in_force_from: dt.date | None = None
    in_force_until: dt.date | None = None
    is_schema: bool = False


@attrs.frozen
class RulePlan:
    """What the compiler made of one rule besides its code.

    Attributes:
        info: what every verdict of the rule shares.
        iterates: whether it goes through entities (``for each``), else it runs once.
        criteria: a score's criterion names, in order.
        top: how many a score selects (None: every entity scored).
        tie: the criteria that break a score's ties, in order.
    """

    info: RuleInfo
    iterates: bool
    criteria: tuple[str, ...] = ()
    top: int | None = None
    tie: tuple[str, ...] = ()


@attrs.frozen
class Generated:
    """What the compiler generates for one rule file: data only, nothing to run yet.

    Attributes:
        header: the rulebook's header.
        source: the generated module (every function but the rules' batch functions).
        consts: its constants table ``K`` (rule text reaches the code only through it).
        defines, functions: how many ``D`` and ``F`` functions it defines.
        rules: each rule's plan, in file order (rule ``i``'s functions end in ``i``).
        score_labels: for a score, the trace labels of its total and its rank.
        batches: each batch function as ``(rule index, lines before it, source)``: its
            lines follow the module's in the generated source.
        spans: for each line of the generated source, the rule text it came from.
    """

    header: BookHeader
    source: str
    consts: tuple[object, ...]
    defines: int
    functions: int
    rules: tuple[RulePlan, ...]
    score_labels: tuple[int, int]
    batches: tuple[tuple[int, int, str], ...] = ()
    spans: tuple[Span | None, ...] = ()

    @property
    def filename(self) -> str:
        """The name the generated code is compiled under."""
        return f"<clusterkit rules {self.header.path}>"

    def full_source(self) -> str:
        return self.source + "".join(text for _index, _line, text in self.batches)


@attrs.frozen(eq=False)
class CompiledRule:
    """A rule ready to run.

    Attributes:
        info: what every verdict of the rule shares (names, titles, trace labels).
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
            :meth:`clusterkit.lang.compile.rule_code.RuleCode.batch`); None for scores and
            ``version as of`` rules, which run entity by entity.
        top, tie: how many a score selects (None: all) and the criteria that break
            its ties.
        later_node: gives its syntax tree (:attr:`node`).
    """

    info: RuleInfo
    entities: Callable[[Context], list[Any]]
    where: Callable[[Context, Any], bool] | None
    run: Callable[[Context, Any], Raw]
    criteria: tuple[str, ...] = ()
    minimum: Callable[[Context], Any] | None = None
    score_labels: tuple[int, int] = (0, 0)
    version_by: Callable[[Context, Any], Any] | None = None
    batch: LazyBatch | None = None
    top: int | None = None
    tie: tuple[str, ...] = ()
    later_node: Later[ast.Rule] | None = None

    @property
    def name(self) -> str:
        return self.info.rule

    @property
    def kind(self) -> str:
        return self.info.kind

    @property
    def node(self) -> ast.Rule:
        """The rule's syntax tree (parsed again, once, for a rule from the cache)."""
        assert self.later_node is not None
        return self.later_node.get()


@attrs.frozen(eq=False)
class CompiledRulebook:
    """One compiled rule file.

    Attributes:
        generated: what the compiler generated for it.
        rules: its rules, in file order.
        schema: what the program's rules declare the data may hold.
        text: the rule file's text.
        code: the generated module's code.
        later_checked: gives what the checker learnt of it (:attr:`checked`).
    """

    generated: Generated
    rules: tuple[CompiledRule, ...]
    schema: Schema
    text: str
    code: CodeType
    later_checked: Later[Checked]

    @property
    def header(self) -> BookHeader:
        return self.generated.header

    @property
    def id(self) -> str:
        return self.generated.header.id

    @property
    def path(self) -> str:
        return self.generated.header.path

    @property
    def currency(self) -> str:
        return self.generated.header.currency

    @property
    def checked(self) -> Checked:
        """What the checker learnt of the file (checked again, once, for a rulebook
        from the cache)."""
        return self.later_checked.get()

    @property
    def source(self) -> str:
        """The generated Python source (for debugging clusterkit itself)."""
        return self.generated.full_source()

    @property
    def filename(self) -> str:
        """The name the generated code was compiled under."""
        return self.generated.filename

    @property
    def line_spans(self) -> tuple[Span | None, ...]:
        """For each line of :attr:`source`, the rule text it was generated from, so an
        error inside generated code can name the rule file's line."""
        return self.generated.spans

    def span_of_line(self, line: int) -> Span | None:
        """The rule text that line ``line`` (1-based) of the generated code comes from."""
        if 1 <= line <= len(self.generated.spans):
            return self.generated.spans[line - 1]
        return None


def bind(
    generated: Generated,
    *,
    schema: Schema,
    text: str,
    checked: Later[Checked],
    code: CodeType | None = None,
    batch_codes: Mapping[int, CodeType] | None = None,
) -> CompiledRulebook:
    """Run the generated module (``code``, else its source compiled now) into a
    namespace of its own and make the rulebook; batch functions are compiled when
    their rule first runs unless ``batch_codes`` has them."""
    filename = generated.filename
    if code is None:
        code = compile(generated.source, filename, "exec")
    namespace: dict[str, Any] = {
        "rt": RT,
        "K": list(generated.consts),
        "Decimal": Decimal,
        "D": [],
        "F": [],
    }
    exec(code, namespace)
    namespace["D"].extend(namespace[f"D{i}"] for i in range(generated.defines))
    namespace["F"].extend(namespace[f"F{i}"] for i in range(generated.functions))
    ready = batch_codes or {}
    batches = {
        index: LazyBatch(namespace, f"B{index}", line, source, filename, ready.get(index))
        for index, line, source in generated.batches
    }
    rules = []
    for index, plan in enumerate(generated.rules):
        rules.append(
            CompiledRule(
                plan.info,
                namespace[f"IT{index}"] if plan.iterates else _once,
                namespace.get(f"W{index}"),
                namespace[f"R{index}"],
                plan.criteria,
                namespace.get(f"M{index}"),
                generated.score_labels,
                namespace.get(f"VB{index}"),
                batches.get(index),
                plan.top,
                plan.tie,
                Later(_rule_of(checked, index)),
            )
        )
    return CompiledRulebook(generated, tuple(rules), schema, text, code, checked)


def _rule_of(checked: Later[Checked], index: int) -> Callable[[], ast.Rule]:
    return lambda: checked.get().rules[index]


class LazyBatch:
    """A rule's batch function, compiled into its rulebook's namespace on first call
    (a rulebook of thousands of rules compiles in half the time), or given compiled."""

    __slots__ = ("filename", "function", "line", "name", "namespace", "ready", "text")

    def __init__(  # noqa: PLR0917 - made in one place, from a generated rulebook
        self,
        namespace: dict[str, Any],
        name: str,
        line: int,
        text: str,
        filename: str,
        code: CodeType | None = None,
    ) -> None:
        self.namespace = namespace
        self.name = name
        self.line = line  # where its text starts in the generated source, less one
        self.text = text
        self.filename = filename
        self.ready = code
        self.function: Batch | None = None

    def code(self) -> CodeType:
        """Its code: the line numbers of its own lines in the generated source."""
        if self.ready is None:
            text = "\n" * self.line + self.text
            self.ready = compile(text, self.filename, "exec")
        return self.ready

    def __call__(
        self,
        ctx: Context,
        entities: Iterable[Any],
        kept: list[Any],
        statuses: list[str | None],
        errors: dict[int, Exception],
    ) -> None:
        if self.function is None:
            exec(self.code(), self.namespace)
            self.function = self.namespace[self.name]
        self.function(ctx, entities, kept, statuses, errors)


def _once(ctx: Context) -> list[Any]:
    return [None]
