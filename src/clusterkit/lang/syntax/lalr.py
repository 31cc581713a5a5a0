"""A lean LALR(1) driver for the rules grammar, run on Lark's own tables and lexers.

Lark builds the parse table and the contextual lexer (the terminals each parser state
accepts, in Lark's order of priority) from ``grammar.lark``. This module reads them
into plain lists, dicts and patterns (:mod:`clusterkit.lang.syntax.lalr_build`; they ship made, in
:mod:`clusterkit.lang.syntax.lalr_tables`, so that a parse neither imports Lark nor builds
its tables) and runs them
in one loop (:func:`run`) that makes no token objects, no parser-state objects and no
wrapper call per reduction. Each reduction that Lark would hand to a transformer is
handed to the builder's method for the grammar rule (:class:`Reducers`), with the
meaningful children (keywords and punctuation dropped, ``x*`` helper lists spliced
in, single-child ``?rule`` reductions passed through) and the span from the first
child's start to the last child's end.

The loop names no errors: where no terminal of the state matches, or the state cannot
take the token, it raises :class:`NotParsedError`, and the caller parses the same text
with Lark to get Lark's own account of the syntax error. The reductions before that
point are the same in both (the same table in the same order), so the builder sees the
same calls either way.

A position is one integer, ``line << 23 | column``: rule files are at most 4 MiB, so a
column fits in 23 bits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "CALL",
    "DROP",
    "KEEP",
    "LIST",
    "PASS",
    "SPLICE",
    "NotParsedError",
    "Reducers",
    "Rule",
    "Tables",
    "Tok",
    "run",
]

_LINE = 23
_COLUMN = (1 << _LINE) - 1
_BREAK = re.compile("\n")

#: Kinds of reduction: pass the only child through, make a helper list, call the builder.
PASS, LIST, CALL = 0, 1, 2
#: What a child of a reduction is to the builder: dropped, kept, or a list spliced in.
DROP, KEEP, SPLICE = 0, 1, 2

#: How a grammar rule reduces: size, the rule it makes (its goto), the kind of
#: reduction, the builder method's name, each child's layout, each child's terminal.
Rule = tuple[int, str, int, str, tuple[int, ...], tuple[str | None, ...]]
#: Builds a reduction's value from its children and their positions.
Build = Callable[[list[Any], Any, Any], Any]
#: One rule as :func:`run` takes it: size, goto, build (``None`` to pass through), and
#: whether ``build`` takes each child's position rather than the first and the last.
Plan = tuple[int, str, Build | None, bool]
Lexer = tuple[Callable[[str, int], "re.Match[str] | None"], dict[str, dict[str, str]]]


class Tok(str):
    """A token's text, with its terminal and position, as Lark's ``Token`` has them
    (for the builder methods that read them; the others get plain text)."""

    __slots__ = ("column", "end_column", "end_line", "line", "type")

    type: str
    line: int
    column: int
    end_line: int
    end_column: int


def _tok(term: str, text: str, start: int, end: int) -> Tok:
    token = Tok(text)
    token.type = term
    token.line, token.column = start >> _LINE, start & _COLUMN
    token.end_line, token.end_column = end >> _LINE, end & _COLUMN
    return token


class NotParsedError(Exception):
    """The text has a syntax error; Lark, given the same text, says which and where."""


class Tables:
    """The grammar's tables as plain data; made once, shared by every parse.

    Attributes:
        actions: per parser state, each symbol it takes to the next state (a shift or
            a goto, ``>= 0``) or to ``~rule`` (reduce by that rule, ``< 0``).
        rules: per grammar rule, how it reduces (:data:`Rule`).
        lexers: per parser state, its lexer once compiled (:meth:`lexer`): the
            ``match`` of one pattern (what is skipped, then the state's terminals in
            Lark's order), and for a terminal such as a name that a keyword of the
            state also matches, the keyword's terminal by its text.
        chains: where a chain of single-child reductions leads (see :func:`run`),
            filled as parses go.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.start: int = data["start"]
        self.end: int = data["end"]
        self.actions: list[dict[str, int]] = data["actions"]
        self.rules: list[Rule] = [
            (size, goto, kind, name, tuple(layout), tuple(types))
            for size, goto, kind, name, layout, types in data["rules"]
        ]
        self.skip = re.compile(data["skip"]).match
        self.lexer_of: list[int] = data["lexer_of"]
        self.patterns: list[tuple[str, int, dict[str, dict[str, str]]]] = data["patterns"]
        self.lexers: list[Lexer | None] = [None] * len(self.actions)
        self.chains: dict[tuple[int, int, str], tuple[int, int | None]] = {}
        self._compiled: dict[int, Lexer] = {}

    def lexer(self, state: int) -> Lexer:
        """The state's lexer, compiled when first needed (a file needs few of them)."""
        index = self.lexer_of[state]
        if index < 0:
            raise NotParsedError
        compiled = self._compiled.get(index)
        if compiled is None:
            pattern, flags, keywords = self.patterns[index]
            compiled = self._compiled[index] = (re.compile(pattern, flags).match, keywords)
        self.lexers[state] = compiled
        return compiled


def run(tables: Tables, text: str, reducers: Reducers) -> Any:  # noqa: PLR0915
    """Parse ``text``: the value the start rule's reduction gave, or
    :class:`NotParsedError`. One loop on purpose: a call per token would cost more
    than all the rest."""
    actions, lexers, chains, end_state = tables.actions, tables.lexers, tables.chains, tables.end
    plans = reducers.plans(tables.rules)
    # Offsets of the line breaks, then a sentinel past the end: the line is counted by
    # passing breaks, once each.
    breaks = [found.start() for found in _BREAK.finditer(text)]
    breaks.append(len(text) + 1)
    passed = 0
    next_break = breaks[0]
    base = (1 << _LINE) + 1  # plus an offset on the current line: that offset's position
    states = [tables.start]
    values: list[Any] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = first = 0
    value = ""
    while True:
        state = states[-1]
        lexer = lexers[state] or tables.lexer(state)
        match = lexer[0](text, pos)
        if match is not None:
            kind = match.lastgroup or ""
            first, pos = match.span(kind)
            value = text[first:pos]
            words = lexer[1].get(kind)
            if words is not None:
                kind = words.get(value, kind)
            if first > next_break:
                while breaks[passed] < first:
                    passed += 1
                base = ((passed + 1) << _LINE) - breaks[passed - 1]
                next_break = breaks[passed]
        else:
            skipped = tables.skip(text, pos)
            if skipped is None or skipped.end() < len(text):
                raise NotParsedError
            kind = "$END"
        act = actions[state].get(kind)
        while act is not None and act < 0:
            size, goto, build, positions = plans[~act]
            if build is None:
                # A chain of single-child reductions (``expr`` to ``or_expr`` ... to
                # ``atom``) leads to the same state whenever it starts from the same
                # two states and token: followed once, then remembered.
                key = (states[-2], states[-1], kind)
                chain = chains.get(key)
                if chain is None:
                    chain = chains[key] = _chain(actions, plans, key, goto, end_state)
                states[-1], act = chain
                if act is None and states[-1] == end_state:
                    return values[-1]
                continue
            children = values[-size:]
            del values[-size:]
            if positions:
                values.append(build(children, starts[-size:], ends[-size:]))
            else:
                values.append(build(children, starts[-size], ends[-1]))
            if size > 1:
                del starts[1 - size :]
                del ends[-size:-1]
                del states[1 - size :]
            states[-1] = top = actions[states[-2]][goto]
            if top == end_state and kind == "$END":
                return values[-1]
            act = actions[top].get(kind)
        if act is None or kind == "$END":
            raise NotParsedError
        states.append(act)
        values.append(value)
        starts.append(base + first)
        if pos > next_break:  # a line break inside the token
            while breaks[passed] < pos:
                passed += 1
            base = ((passed + 1) << _LINE) - breaks[passed - 1]
            next_break = breaks[passed]
        ends.append(base + pos)


def _chain(
    actions: list[dict[str, int]],
    plans: list[Plan],
    key: tuple[int, int, str],
    goto: str,
    end_state: int,
) -> tuple[int, int | None]:
    """Follow single-child reductions from ``key`` (the state below, the state on top,
    the token): the state on top at the end, and the action that comes next (``None``
    at the end state, or where the token is a syntax error)."""
    below, _, kind = key
    while True:
        top = actions[below][goto]
        if top == end_state and kind == "$END":
            return top, None
        act = actions[top].get(kind)
        if act is None or act >= 0:
            return top, act
        _, following, build, _ = plans[~act]
        if build is not None:
            return top, act
        goto = following


class Reducers:
    """What each reduction builds, for one parse: the builder's method for the grammar
    rule, given the span (``span_type(file, line, column, end_line, end_column)``) and
    the meaningful children. Tokens come as plain strings, except to the methods named
    in ``tokens_for``, which get Lark tokens with their types and positions."""

    def __init__(
        self, builder: object, file: str, tokens_for: frozenset[str], span_type: type[Any]
    ) -> None:
        self.builder = builder
        self.file = file
        self.tokens_for = tokens_for
        self.span_type = span_type

    def plans(self, rules: Sequence[Rule]) -> list[Plan]:
        out: list[Plan] = []
        for size, goto, kind, name, layout, types in rules:
            if kind == PASS:
                out.append((size, goto, None, False))
            elif kind == LIST:
                out.append((size, goto, _list(layout), False))
            elif name in self.tokens_for:
                out.append((size, goto, self._with_tokens(name, layout, types), True))
            else:
                out.append((size, goto, self._call(name, layout), False))
        return out

    def _call(self, name: str, layout: tuple[int, ...]) -> Build:
        method = getattr(self.builder, name)
        span, file = self.span_type, self.file
        if SPLICE in layout:

            def build(children: list[Any], s: int, e: int) -> Any:
                where = span(file, s >> _LINE, s & _COLUMN, e >> _LINE, e & _COLUMN)
                return method(where, *_arguments(layout, children))

        elif DROP not in layout:

            def build(children: list[Any], s: int, e: int) -> Any:
                where = span(file, s >> _LINE, s & _COLUMN, e >> _LINE, e & _COLUMN)
                return method(where, *children)

        else:
            keep = tuple(i for i, k in enumerate(layout) if k == KEEP)

            def build(children: list[Any], s: int, e: int) -> Any:
                where = span(file, s >> _LINE, s & _COLUMN, e >> _LINE, e & _COLUMN)
                return method(where, *[children[i] for i in keep])

        return build

    def _with_tokens(
        self, name: str, layout: tuple[int, ...], types: tuple[str | None, ...]
    ) -> Build:
        method = getattr(self.builder, name)
        span, file = self.span_type, self.file
        if SPLICE in layout:
            raise NotImplementedError(f"{name} takes tokens and a list")

        def build(children: list[Any], starts: list[int], ends: list[int]) -> Any:
            args = []
            for i, kind in enumerate(layout):
                if kind == KEEP:
                    term = types[i]
                    child = children[i]
                    if term is not None:
                        child = _tok(term, child, starts[i], ends[i])
                    args.append(child)
            s, e = starts[0], ends[-1]
            return method(span(file, s >> _LINE, s & _COLUMN, e >> _LINE, e & _COLUMN), *args)

        return build


def _arguments(layout: tuple[int, ...], children: list[Any]) -> list[Any]:
    args: list[Any] = []
    for kind, child in zip(layout, children, strict=True):
        if kind == KEEP:
            args.append(child)
        elif kind == SPLICE:
            args.extend(child)
    return args


def _list(layout: tuple[int, ...]) -> Build:
    """An ``x*`` helper: the list of its meaningful children; the left-recursive list
    grows in place (an LALR parse never shares it)."""
    if layout[0] == SPLICE:
        rest = layout[1:]

        def grow(children: list[Any], s: int, e: int) -> Any:
            out = children[0]
            out.extend(_arguments(rest, children[1:]))
            return out

        return grow

    def first(children: list[Any], s: int, e: int) -> Any:
        return _arguments(layout, children)

    return first
