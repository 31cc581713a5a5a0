"""Errors inside generated code, shown at the rule file's line.

A rule's Python is generated, so a bug met while running it would show a frame of
``<clusterkit rules …>`` source that no one wrote. As jinja does for templates, the
frames of generated code are replaced in the traceback by frames that point at the
rule file, line and rule the code came from, and the exception gets a note saying
where in the rules it happened.
"""

from __future__ import annotations

import linecache
from types import CodeType, TracebackType
from typing import TYPE_CHECKING

from clusterkit.diagnostics import Span

if TYPE_CHECKING:
    from clusterkit.lang.compile.compiled import CompiledRulebook

__all__ = ["rewrite_traceback"]


def rewrite_traceback(error: BaseException, book: CompiledRulebook) -> BaseException:
    """``error`` with each frame of ``book``'s generated code replaced by a frame at
    the rule text it was generated from; returned so it can be raised again."""
    frames: list[TracebackType] = []
    tb = error.__traceback__
    first_span: Span | None = None
    while tb is not None:
        span = None
        if tb.tb_frame.f_code.co_filename == book.filename:
            span = book.span_of_line(tb.tb_lineno)
        if span is None:
            frames.append(tb)
        else:
            first_span = first_span or span
            frames.append(_fake_frame(span, book, tb.tb_frame.f_code.co_name) or tb)
        tb = tb.tb_next
    if first_span is not None:
        error.add_note(
            f"in the rules at {first_span} (rulebook {book.id}); "
            "this is a bug in clusterkit or in a plugin, not in the rules: please report it"
        )
    linked: TracebackType | None = None
    for frame in reversed(frames):
        linked = TracebackType(linked, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    return error.with_traceback(linked)


def _fake_frame(span: Span, book: CompiledRulebook, function: str) -> TracebackType | None:
    """A traceback entry whose frame is at ``span``'s line of the rule file."""
    _remember_source(span.file, book.text)
    code: CodeType = compile("\n" * (span.line - 1) + "raise __error__", span.file, "exec")
    code = code.replace(co_name=_rule_name(book, function))
    try:
        exec(code, {"__error__": _Marker()})
    except _Marker as marker:
        tb = marker.__traceback__
        return tb.tb_next if tb is not None else None
    return None


def _rule_name(book: CompiledRulebook, function: str) -> str:
    """``rule cluster_share`` for the generated function ``R3``, and the like."""
    digits = "".join(c for c in function if c.isdigit())
    if digits and function[0] in "RITWMB" and int(digits) < len(book.rules):
        return f"rule {book.rules[int(digits)].name}"
    return "define" if function.startswith("D") else function


def _remember_source(path: str, text: str) -> None:
    """Let the traceback module show the rule text even when it is not a file on disk."""
    lines = text.splitlines(keepends=True)
    linecache.cache[path] = (len(text), None, lines, path)


class _Marker(Exception):  # noqa: N818 - only raised to make a frame
    pass
