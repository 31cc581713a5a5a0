"""``clusterkit fmt``: rule files in one canonical layout, every comment kept.

The layout is the shipped rulebooks':

- items (``const``, ``rule``, …) start at column 0; the header's lines (``version``,
  ``title``, …) and the lines of a block (a rule's ``title``, ``let``, ``require``, a
  kind's ``field``) are indented 2, one per line;
- a title, message or outcome label in several languages keeps its languages on one
  line or one per line as written; continuation lines align under the first language;
- any other line break the author made inside a statement is kept, its continuation
  indented 4 more than the statement in a block (2 after a one-line item);
- the ``basis`` of a parameter's value stays on its ``from`` line (one on a line of
  its own, the parameter's, stays on its own);
- one space between words, none inside brackets, before ``,``, ``:`` and ``)``,
  around ``.``, after a unary minus, nor before the ``(`` of a call or the ``[`` of a
  lookup;
- a blank line after the header and around every item that takes more than one line;
  between one-line items (a run of ``const``s) a blank line only where the author put
  one;
- no blank lines inside an item; comments stay where they were: a comment at the end
  of a line stays there (the comments of consecutive lines aligned), a comment on a
  line of its own stays before what it preceded, at that line's indentation, and an
  indented comment right after a block stays in the block.

Only whitespace changes, which the grammar ignores, so a formatted file means what
it meant: :func:`format_rules` checks that the output has the same tokens and
comments as the input before returning it. Formatting is idempotent.
"""

from __future__ import annotations

import attrs

from clusterkit.diagnostics import unify_line_ends
from clusterkit.lang.syntax.parser import parse_rules
from clusterkit.lang.syntax.tokens import BLOCKS, Comment, Gap, Tok, TokenStream, read_tokens

__all__ = ["FormatterError", "format_rules"]

_INDENT = 2
_NO_SPACE_BEFORE = frozenset({")", "]", "}", ",", ":", "."})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "."})
_CALLS = frozenset({"call", "aggregate", "function"})


class FormatterError(Exception):
    """The layout would have changed the file's tokens or comments (a bug, never the
    author's fault): the file is left as it was."""


@attrs.define
class _Line:
    """One output line: its code (indentation included) and a comment at its end."""

    code: str
    comment: str | None = None


def format_rules(text: str, file: str = "<rules>") -> str:
    """``text`` in the canonical layout.

    Raises :class:`~clusterkit.diagnostics.DiagnosticError` with the usual syntax
    diagnostic if the text does not parse, and :class:`FormatterError` if laying it out
    would change its tokens (which would be a bug in the formatter). Lone carriage
    returns (old Mac line ends) become line feeds.
    """
    text = unify_line_ends(text)
    parse_rules(text, file)
    stream = read_tokens(text)
    result = _Layout(stream).render()
    _check_same(stream, read_tokens(result), file)
    return result


def _check_same(before: TokenStream, after: TokenStream, file: str) -> None:
    def words(stream: TokenStream) -> list[tuple[str, str]]:
        return [(t.type, t.text) for t in stream.tokens]

    def comments(stream: TokenStream) -> list[str]:
        found: list[str] = []
        for gap in stream.gaps:
            if gap.trailing is not None:
                found.append(gap.trailing)
            found.extend(c.text for c in gap.comments)
        return found

    if words(before) != words(after) or comments(before) != comments(after):
        raise FormatterError(f"{file}: formatting would change the file's meaning; left as is")


class _Layout:
    """Lays out one file's token stream, item by item."""

    def __init__(self, stream: TokenStream) -> None:
        self.tokens = stream.tokens
        self.gaps = stream.gaps
        # Token index ranges of the items, header first.
        self.items: list[tuple[int, int]] = []
        for index, tok in enumerate(self.tokens):
            if tok.starts == "item":
                if self.items:
                    self.items[-1] = (self.items[-1][0], index)
                self.items.append((index, len(self.tokens)))

    def render(self) -> str:
        out: list[_Line | None] = []  # None is a blank line
        previous: list[_Line] | None = None
        for number, (begin, end) in enumerate(self.items):
            gap = self.gaps[begin]
            lead = list(gap.comments)
            if previous is not None:
                _take_tail(previous, lead, self.tokens[begin - 1])
            lines = self.item(begin, end)
            # The header, and any item of more than one line, stands apart.
            forced = number == 1 or (previous is not None and (len(previous) > 1 or len(lines) > 1))
            if previous is not None:
                out.extend(previous)
            self.comments(out, lead, gap, forced=forced, first=number == 0)
            previous = lines
        end_gap = self.gaps[-1]
        tail = list(end_gap.comments)
        if previous is not None:
            _take_tail(previous, tail, self.tokens[-1])
            out.extend(previous)
        if tail:
            forced = previous is not None and len(previous) > 1
            if forced or tail[0].blank_before:
                out.append(None)
            self.comment_block(out, tail)
        return _render(out)

    def comments(
        self, out: list[_Line | None], lead: list[Comment], gap: Gap, *, forced: bool, first: bool
    ) -> None:
        """The comments before an item and the blank lines around them."""
        if lead:
            if not first and (forced or lead[0].blank_before):
                out.append(None)
            self.comment_block(out, lead)
            if gap.blank_after:
                out.append(None)
        elif not first and (forced or gap.blank_after):
            out.append(None)

    @staticmethod
    def comment_block(out: list[_Line | None], comments: list[Comment]) -> None:
        for position, comment in enumerate(comments):
            if position and comment.blank_before:
                out.append(None)
            out.append(_Line(comment.text))

    def item(self, begin: int, end: int) -> list[_Line]:
        """One item's lines; the comment at the end of its last line included."""
        first = self.tokens[begin]
        block = first.item_kind in BLOCKS
        lines = [_Line(first.text)]
        base = 0  # the indentation of the current statement
        align: int | None = None  # the column of a title's first language
        part = ""  # the first word of the current part
        for index in range(begin + 1, end):
            tok, gap = self.tokens[index], self.gaps[index]
            if gap.trailing is not None:
                lines[-1].comment = gap.trailing
            indent: int | None = None
            if tok.starts == "part" and _value_basis(first, part, tok, gap):
                part = tok.text  # stays on its value's line: it is that value's
            elif tok.starts == "part":
                base = indent = _INDENT
                align = None
                part = tok.text
            elif tok.starts == "next_entry" and gap.newline and align is not None:
                indent = align
            elif gap.newline:
                indent = base + (2 * _INDENT if block else _INDENT)
            if indent is None:
                line = lines[-1]
                line.code += _space(self.tokens[index - 1], tok) + tok.text
            else:
                lines.extend(_Line(" " * indent + c.text) for c in gap.comments)
                lines.append(_Line(" " * indent + tok.text))
            if tok.starts == "first_entry":
                align = len(lines[-1].code) - len(tok.text)
        trailing = self.gaps[end].trailing
        if trailing is not None:
            lines[-1].comment = trailing
        return lines


def _value_basis(first: Tok, part: str, tok: Tok, gap: Gap) -> bool:
    """Whether ``tok`` is the ``basis`` of a parameter's value, written on its ``from``
    line (a ``basis`` on a line of its own is the whole parameter's)."""
    return first.item_kind == "param" and part == "from" and tok.text == "basis" and not gap.newline


def _take_tail(block: list[_Line], comments: list[Comment], last: Tok) -> None:
    """Move the indented comments right after a block, before any blank line, from
    ``comments`` to the block's last lines."""
    while (
        comments
        and last.item_kind in BLOCKS
        and comments[0].column > 1
        and not comments[0].blank_before
    ):
        block.append(_Line(" " * _INDENT + comments.pop(0).text))


def _space(before: Tok, tok: Tok) -> str:
    """The space between two tokens on one line."""
    if tok.text in _NO_SPACE_BEFORE or before.text in _NO_SPACE_AFTER:
        return ""
    if tok.text == "(" and tok.parent in _CALLS:
        return ""
    if tok.text == "[" and tok.parent == "index":
        return ""
    if before.parent == "neg" and before.first:
        return ""
    return " "


def _render(lines: list[_Line | None]) -> str:
    """The text of the lines: no blank line twice, none at either end, the comments at
    the ends of consecutive lines aligned two spaces after the longest line's code."""
    kept: list[_Line | None] = []
    for line in lines:
        if line is None and (not kept or kept[-1] is None):
            continue
        kept.append(line)
    while kept and kept[-1] is None:
        kept.pop()
    text: list[str] = []
    run: list[_Line] = []

    def flush() -> None:
        width = max((len(r.code) for r in run), default=0) + 2
        text.extend(f"{r.code.ljust(width)}{r.comment}" for r in run)
        run.clear()

    for line in kept:
        if line is not None and line.comment is not None:
            run.append(line)
            continue
        flush()
        text.append("" if line is None else line.code)
    flush()
    return "\n".join(text) + "\n"
