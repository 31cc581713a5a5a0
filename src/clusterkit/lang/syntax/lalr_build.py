"""Reading Lark's LALR analysis and contextual lexer for the grammar into the plain
tables :class:`clusterkit.lang.syntax.lalr.Tables` runs on. Used to make
:mod:`clusterkit.lang.syntax.lalr_tables` (``python -m clusterkit.lang.syntax.parser``),
and when the grammar has changed since; a parse does not import this module, nor Lark.
"""

from __future__ import annotations

from typing import Any

from clusterkit.lang.syntax.lalr import CALL, DROP, KEEP, LIST, PASS, SPLICE, Rule

__all__ = ["tables_data"]


def tables_data(lark: Any, meaningful: frozenset[str]) -> dict[str, Any]:
    """What :class:`Tables` is made of, read from a Lark LALR parser (with its
    contextual lexer) for the grammar: plain lists, dicts and strings."""
    from lark.parsers.lalr_analysis import Shift  # noqa: PLC0415 - only to make tables

    frontend = lark.parser
    table = frontend.parser.parser.parse_table
    (start,) = table.start_states.values()
    (end,) = table.end_states.values()
    index = {rule: i for i, rule in enumerate(lark.rules)}
    size = max(table.states) + 1
    actions: list[dict[str, int]] = [{} for _ in range(size)]
    for state, row in table.states.items():
        # Plain strings: Lark's names are its tokens, whose equality is Python code.
        actions[state] = {
            str.__str__(symbol): (arg if action is Shift else ~index[arg])
            for symbol, (action, arg) in sorted(row.items())
        }
    ignore = frozenset(lark.lexer_conf.ignore)
    regexps = {t.name: t.pattern.to_regexp() for t in lark.terminals}
    # What the grammar ignores (blanks, comments) comes before a token, and no other
    # terminal starts with it. Atomic, so that a failed match gives no comment back
    # to be read as tokens.
    skip = "(?>(?:{})*)".format("|".join(regexps[name] for name in sorted(ignore)))
    patterns: list[tuple[str, int, dict[str, dict[str, str]]]] = []
    lexer_of = [-1] * size
    seen: dict[int, int] = {}
    for state, lexer in sorted(frontend.lexer.lexers.items()):
        if id(lexer) not in seen:
            seen[id(lexer)] = len(patterns)
            patterns.append(_lexer(lexer, ignore, skip))
        lexer_of[state] = seen[id(lexer)]
    # Lark numbers its states in an order that changes from run to run; numbered here
    # in the order a walk from the start finds them, the same tables come out each time.
    order = [start]
    number = {start: 0}
    for state in order:
        for target in actions[state].values():
            if target >= 0 and target not in number:
                number[target] = len(order)
                order.append(target)
    used: dict[int, int] = {}
    for state in order:
        if lexer_of[state] >= 0:
            used.setdefault(lexer_of[state], len(used))
    return {
        "start": 0,
        "end": number[end],
        "actions": [
            {symbol: (number[t] if t >= 0 else t) for symbol, t in actions[state].items()}
            for state in order
        ],
        "rules": [_rule(rule, meaningful) for rule in lark.rules],
        "skip": skip,
        "lexer_of": [used.get(lexer_of[state], -1) for state in order],
        "patterns": [patterns[i] for i in sorted(used, key=used.__getitem__)],
    }


def _rule(rule: Any, meaningful: frozenset[str]) -> Rule:
    expansion = rule.expansion
    origin = str.__str__(rule.origin.name)
    if not expansion:
        raise NotImplementedError(f"empty rule {rule}")
    layout = tuple(
        (KEEP if s.name in meaningful else DROP)
        if s.is_term
        else (SPLICE if s.name.startswith("_") else KEEP)
        for s in expansion
    )
    types = tuple(str.__str__(s.name) if s.is_term else None for s in expansion)
    single = rule.options.expand1 and not rule.alias
    if origin.startswith("_"):
        kind, name = LIST, origin
    elif single and len(expansion) == 1:
        if layout != (KEEP,) or types != (None,):
            raise NotImplementedError(f"single-child rule {rule} is not passed through")
        kind, name = PASS, origin
    elif single and SPLICE in layout:
        raise NotImplementedError(f"rule {rule} expands to a varying number of children")
    else:
        kind, name = CALL, str.__str__(rule.alias or origin)
    return (len(expansion), origin, kind, name, layout, types)


def _lexer(
    lexer: Any, ignore: frozenset[str], skip: str
) -> tuple[str, int, dict[str, dict[str, str]]]:
    """One state's lexer: Lark's terminals for the state, in Lark's order, as one
    pattern after what is skipped; and the keywords a terminal's text may be."""
    from lark.lexer import PatternStr, UnlessCallback  # noqa: PLC0415 - only to make tables

    scanner = lexer.scanner  # builds Lark's own scanner and keyword callbacks
    terminals = [t for t in scanner.terminals if t.name not in ignore]
    choices = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals)
    keywords: dict[str, dict[str, str]] = {}
    for name, callback in sorted(lexer.callback.items()):
        if not isinstance(callback, UnlessCallback):
            raise NotImplementedError(f"lexer callback for {name}")
        words: dict[str, str] = {}
        for term in callback.scanner.terminals:
            if not isinstance(term.pattern, PatternStr) or term.pattern.flags:
                raise NotImplementedError(f"keyword {term.name} is not a plain string")
            words.setdefault(str.__str__(term.pattern.value), str.__str__(term.name))
        keywords[str.__str__(name)] = dict(sorted(words.items()))
    return (f"{skip}(?:{choices or '(?!)'})", int(lexer.g_regex_flags), keywords)
