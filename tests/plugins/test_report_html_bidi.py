"""The HTML report drops bidirectional overrides and control characters from data, as
the text and Markdown reports do: a name with U+202E must not reverse what follows it."""

from __future__ import annotations

import pytest

from clusterkit.model import Dataset
from clusterkit.plugins import REPORTERS, ReportContext, discover
from clusterkit_plugins.reporters.common import visible_text


@pytest.mark.parametrize("lang", ["en", "kk"])
def test_html_keeps_no_bidi_override_or_control_character(hostile: Dataset, lang: str) -> None:
    page = discover([REPORTERS]).get(REPORTERS, "html").render(ReportContext(hostile, None, lang))
    assert isinstance(page, str)
    assert "evil" in page  # the name is shown ...
    for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x1b\x07\x9b":
        assert ch not in page, repr(ch)  # ... without what would reorder or hide it


def test_visible_text_keeps_letters_of_every_script_and_line_breaks() -> None:
    assert visible_text("مجموعة\u202e الصناعات\nKZ\x1b") == "مجموعة الصناعات\nKZ"
