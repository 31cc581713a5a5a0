"""Did you mean …? One helper for every "unknown name" message clusterkit gives."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]


def closest(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The option most like ``word``, or None when none is close enough."""
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    """``did you mean 'x'?`` for the closest option, or None."""
    match = closest(word, options, cutoff)
    return None if match is None else f"did you mean {match!r}?"
