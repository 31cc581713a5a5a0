"""JSON and TOML text to Python data, every number exact (a :class:`~decimal.Decimal`),
a key given twice in one object and ``NaN`` or ``Infinity`` refused: ``D102`` with the
line and column where the parser stopped."""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal
from typing import Any

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic, Span
from clusterkit.loader.files import data_error
from clusterkit.messages import msg, text_of
from clusterkit.serde import DataError

__all__ = ["parse_document"]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DataError(msg("key {key!r} appears twice in one object", key=key))
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise DataError(msg("{name} is not a number clusterkit accepts", name=name))


def parse_document(text: str, shown: str, problems: list[Diagnostic]) -> Any:
    """Parse JSON or TOML text (by the file's suffix) with every number exact.

    A byte-order mark (Windows editors write one) is ignored; a document nested
    deeper than the parser can go is refused rather than crashing it.
    """
    try:
        return _parse(text.removeprefix("\ufeff"), shown, problems)
    except RecursionError:
        problems.append(
            data_error(codes.DATA_SYNTAX, shown, msg("nested too deeply to be a dataset file"))
        )
        return None


def _parse(text: str, shown: str, problems: list[Diagnostic]) -> Any:
    if shown.endswith(".toml"):
        try:
            return tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            span = Span.point(shown, int(match[1]), int(match[2])) if match else None
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            problems.append(
                data_error(
                    codes.DATA_SYNTAX, shown, msg("not valid TOML: {why}", why=message), span=span
                )
            )
            return None
    try:
        document = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
        if document is None:  # `null`, which would otherwise pass for an unread file
            top = msg("the top level must be an object of collections")
            problems.append(data_error(codes.DATA_INVALID, shown, top))
        return document
    except json.JSONDecodeError as exc:
        span = Span.point(shown, exc.lineno, exc.colno)
        problems.append(
            data_error(
                codes.DATA_SYNTAX, shown, msg("not valid JSON: {why}", why=exc.msg), span=span
            )
        )
    except DataError as exc:
        problems.append(data_error(codes.DATA_SYNTAX, shown, text_of(exc)))
    return None
