"""A rule file as its tokens, with the comments and blank lines between them.

The grammar ignores whitespace and ``#`` comments, so the syntax tree alone cannot
give a file back as written. This module parses the text with the same grammar
(Lark, LALR, its contextual lexer: a keyword used as a field name, ``p.title``, is a
name here too) into Lark's own tree, and lists each token with what the tools need:
where it sits in the tree (the first token of an item, of a part of a block, of a
language entry of a title) and what lies between it and the token before (comments,
blank lines). The formatter lays a file out from this; the language server reads
names and positions from it. Text given here has parsed already
(:func:`clusterkit.lang.parse_rules`), so errors are not turned into diagnostics.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import attrs
from lark import Lark, Token, Tree

__all__ = ["BLOCKS", "Comment", "Gap", "Tok", "TokenStream", "keywords", "read_tokens"]

#: Items whose parts go on lines of their own, indented under the item's first line.
BLOCKS = frozenset(
    {"header", "schema_header", "rule", "monitor", "score", "param", "kind", "extend"}
)
# Children of a block that continue its first line rather than start a part.
_HEAD_PARTS = frozenset({"dotted", "iteration"})

# What a token starts, strongest first.
ITEM, PART, FIRST_ENTRY, NEXT_ENTRY = "item", "part", "first_entry", "next_entry"


@attrs.frozen
class Comment:
    """A comment on a line of its own: its text, its column (1-based), and whether a
    blank line comes right before it."""

    text: str
    column: int
    blank_before: bool


@attrs.frozen
class Gap:
    """What lies between two tokens (or before the first, or after the last).

    Attributes:
        trailing: a comment on the same line as the token before.
        comments: comments on lines of their own, in order.
        blank_after: a blank line right before the next token.
        newline: the next token is on a later line than the token before.
    """

    trailing: str | None = None
    comments: tuple[Comment, ...] = ()
    blank_after: bool = False
    newline: bool = False


@attrs.frozen
class Tok:
    """One token and where it sits.

    Attributes:
        token: Lark's token (type, text, line, column, offsets).
        starts: what it is the first token of: ``item``, ``part``, ``first_entry`` or
            ``next_entry`` (a second or later language of a title), or ``""``.
        parent: the name of the grammar rule that holds it (``call``, ``neg``, ...).
        first: whether it is the first child of that rule.
        item: the index of its item (0 the header).
        item_kind: the grammar rule of its item (``rule``, ``const``, ...).
    """

    token: Token
    starts: str
    parent: str
    first: bool
    item: int
    item_kind: str

    @property
    def text(self) -> str:
        return str(self.token)

    @property
    def type(self) -> str:
        return str(self.token.type)


@attrs.frozen
class TokenStream:
    """A file's tokens and the gaps around them: ``gaps[i]`` comes before ``tokens[i]``,
    ``gaps[-1]`` after the last token."""

    tokens: tuple[Tok, ...]
    gaps: tuple[Gap, ...]


@cache
def _lark() -> Lark:
    grammar = resources.files("clusterkit.lang.syntax").joinpath("grammar.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", keep_all_tokens=True, maybe_placeholders=False)


@cache
def keywords() -> frozenset[str]:
    """Every keyword of the grammar: the words it matches literally."""
    words: set[str] = set()
    for terminal in _lark().terminals:
        pattern = terminal.pattern
        if pattern.type == "str" and pattern.value[:1].isalpha():
            words.add(pattern.value)
        elif terminal.name in ("LEVEL", "LANG", "SCALE"):
            words.update(str(pattern.value).strip("(?:)").split("|"))
    return frozenset(words)


def read_tokens(text: str) -> TokenStream:
    """The tokens of rule text that parses, and the gaps between them."""
    text = text.removeprefix("\ufeff")
    tree = _lark().parse(text)
    tokens = _walk(tree)
    gaps: list[Gap] = []
    previous: Token | None = None
    for tok in tokens:
        start = tok.token.start_pos or 0
        gaps.append(_gap(text, previous, start, has_next=True))
        previous = tok.token
    gaps.append(_gap(text, previous, len(text), has_next=False))
    return TokenStream(tuple(tokens), tuple(gaps))


def _walk(tree: Tree[Token]) -> list[Tok]:
    """The tokens in order, each with what it starts; iterative, as a tree of thousands
    of nested parentheses is as deep as they are."""
    out: list[Tok] = []
    # (node, what its first token starts, parent rule, first child, item, item kind)
    stack: list[tuple[Tree[Token] | Token, str, str, bool, int, str]] = []
    for number in reversed(range(len(tree.children))):
        child = tree.children[number]
        kind = child.data if isinstance(child, Tree) else ""
        stack.append((child, ITEM, "start", number == 0, number, str(kind)))
    while stack:
        node, starts, parent, first, item, kind = stack.pop()
        if isinstance(node, Token):
            out.append(Tok(node, starts, parent, first, item, kind))
            continue
        name = str(node.data)
        entries = [c for c in node.children if isinstance(c, Tree) and c.data == "text_entry"]
        children = []
        for position, child in enumerate(node.children):
            mark = starts if position == 0 else ""
            if isinstance(child, Tree):
                if name in BLOCKS and parent == "start" and child.data not in _HEAD_PARTS:
                    mark = PART
                elif entries and child is entries[0]:
                    mark = mark or FIRST_ENTRY
                elif child.data == "text_entry":
                    mark = NEXT_ENTRY
            children.append((child, mark, name, position == 0, item, kind))
        stack.extend(reversed(children))
    return out


def _gap(text: str, previous: Token | None, end: int, has_next: bool) -> Gap:
    begin = (previous.end_pos or 0) if previous is not None else 0
    between = text[begin:end].replace("\r", "")
    lines = between.split("\n")
    trailing: str | None = None
    if previous is not None:
        trailing = lines.pop(0).strip() or None
    if has_next and lines:
        lines.pop()  # the indentation of the next token's line
    comments: list[Comment] = []
    blank = False
    for line in lines:
        body = line.strip()
        if not body:
            blank = True
            continue
        column = len(line) - len(line.lstrip()) + 1
        comments.append(Comment(body, column, blank))
        blank = False
    newline = previous is None or "\n" in between
    return Gap(trailing, tuple(comments), blank, newline)
