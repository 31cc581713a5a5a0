"""The verdict of one rule on one entity."""

from __future__ import annotations

import enum

from clusterkit.i18n import translator

__all__ = ["Outcome"]


class Outcome(enum.StrEnum):
    """The verdict of one rule on one entity."""

    PASS = "pass"
    FAIL = "fail"
    WARNING = "warning"
    BREACH = "breach"
    NOT_APPLICABLE = "not_applicable"
    UNDETERMINED = "undetermined"

    @property
    def is_failure(self) -> bool:
        return self in (Outcome.FAIL, Outcome.BREACH)

    def text(self, lang: str = "en") -> str:
        """The outcome's name in ``lang`` (``pass``, ``выполнено``, …)."""
        _ = translator(lang)
        names = {
            Outcome.PASS: _("pass"),
            Outcome.FAIL: _("fail"),
            Outcome.WARNING: _("warning"),
            Outcome.BREACH: _("breach"),
            Outcome.NOT_APPLICABLE: _("not applicable"),
            Outcome.UNDETERMINED: _("undetermined"),
        }
        return names[self]
