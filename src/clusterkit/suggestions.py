"""Did you mean …? One helper for every "unknown name" message clusterkit gives."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from clusterkit.messages import msg

__all__ = ["closest", "did_you_mean"]


def closest(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The option most like ``word`` (case aside), or None when none is close enough."""
    choices = list(options)
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    if matches:
        return matches[0]
    by_lower = {choice.lower(): choice for choice in choices}
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[matches[0]] if matches else None


def did_you_mean(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    """``did you mean 'x'?`` for the closest option, or None."""
    match = closest(word, options, cutoff)
    return None if match is None else msg("did you mean {match!r}?", match=match)
