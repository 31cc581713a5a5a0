"""Reports on hostile data: no markup, escape sequence or formula from a name reaches the
reader's tool; and no number, however large or small, is written out digit by digit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

import openpyxl
import pytest

from clusterkit.lang import evaluate, load_rules
from clusterkit.model import Dataset
from clusterkit.plugins import REPORTERS, ReportContext, discover
from clusterkit_plugins.reporters.common import markdown_text, spreadsheet_text, terminal_text
from tests.plugins.conftest import HOSTILE_CLUSTER_NAMES, ROOT

ALL_REPORTERS = ("text", "markdown", "html", "csv", "json", "xlsx")


def render(name: str, data: Dataset, lang: str = "en", *, colour: bool = False) -> str | bytes:
    reporter = discover([REPORTERS]).get(REPORTERS, name)
    output: str | bytes = reporter.render(ReportContext(data, None, lang, colour))
    return output


# -- Markdown ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_markdown_passes_no_html_and_no_markdown_from_data(hostile: Dataset, lang: str) -> None:
    text = render("markdown", hostile, lang)
    assert isinstance(text, str)
    assert "<" not in text  # no tag, comment or autolink can start
    assert "&lt;script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert re.search(r"(?<!\\)\[", text) is None  # no link or image: every [ is escaped
    assert r"\[click\](javascript:alert(1))" in text
    assert r"\*bold\* \_it\_ \`code\` \!\[i\](x)" in text
    assert "\x1b" not in text
    # every table row has as many cell breaks as its header: a | in a name breaks none
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        if lines:
            counts = {len(re.findall(r"(?<!\\)\|", line)) for line in lines}
            assert len(counts) == 1, block


def test_markdown_text_escapes_each_metacharacter() -> None:
    assert markdown_text("<b>&") == "&lt;b&gt;&amp;"
    assert markdown_text(r"a\b*c_d`e[f]g|h~i#j!") == r"a\\b\*c\_d\`e\[f\]g\|h\~i\#j\!"
    assert markdown_text("line\nbreak") == "line break"


# -- text --------------------------------------------------------------------------------------


def test_text_output_reaches_the_terminal_without_control_sequences(hostile: Dataset) -> None:
    text = render("text", hostile)
    assert isinstance(text, str)
    assert not [ch for ch in text if ch != "\n" and (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0)]
    assert "pwned" not in text  # the window-title sequence went whole, not just its ESC
    assert "\u202e" not in text
    assert "-2  cleared" in text  # the text around the sequences stays


def test_coloured_text_output_has_only_its_own_colour_codes(hostile: Dataset) -> None:
    program = load_rules([ROOT / "rules"])
    results = evaluate(program, hostile, dt.date(2021, 6, 30))
    reporter = discover([REPORTERS]).get(REPORTERS, "text")
    text = reporter.render(ReportContext(hostile, results, "en", colour=True))
    assert "\x1b[" in text  # verdicts are coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", text).count("\x1b") == 0
    assert "pwned" not in text


def test_terminal_text_removes_sequences_and_controls() -> None:
    assert terminal_text("a\x1b[31mb\x1b[0mc") == "abc"
    assert terminal_text("a\x1b]0;title\x07b\x1b]8;;http://x\x1b\\c") == "abc"
    assert terminal_text("a\x1bPq#0;2;0;0;0\x1b\\b") == "ab"
    assert terminal_text("a\x9b2Jb\x07c\x00d\x7fe") == "abcde"
    assert terminal_text("tab\there\nline") == "tab here line"
    assert terminal_text("\u202eevil\u2066x\u2069") == "evilx"
    assert terminal_text("Қазақстан — ₸ «ok»") == "Қазақстан — ₸ «ok»"


# -- CSV ---------------------------------------------------------------------------------------


def _is_number(cell: str) -> bool:
    try:
        Decimal(cell.replace(",", "."))
    except InvalidOperation:
        return False
    return True


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_csv_cells_never_start_a_formula(hostile: Dataset, lang: str) -> None:
    text = render("csv", hostile, lang)
    assert isinstance(text, str)
    rows = list(
        csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter="," if lang == "en" else ";")
    )
    risky = [
        cell
        for row in rows
        for cell in row
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not _is_number(cell)
    ]
    assert risky == []
    cells = {cell for row in rows for cell in row}
    assert "'" + HOSTILE_CLUSTER_NAMES[0] in cells
    assert "'+1+1 <img src=x onerror=alert(1)>" in cells
    assert "'@SUM(A1) [click](javascript:alert(1)) | *bold* _it_ `code` ![i](x)" in cells
    assert '<script>alert("x")</script> =cmd|" /C calc"!A0' in cells  # the tab became a space
    assert not any("\x1b" in cell for cell in cells)


def test_spreadsheet_text_marks_each_formula_start() -> None:
    for start in "=+-@\t\r":
        assert spreadsheet_text(start + "1") == "'" + start + "1"
    assert spreadsheet_text("Total") == "Total"
    assert spreadsheet_text("") == ""


# -- HTML, JSON, xlsx --------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.handlers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.handlers.extend(key for key, _ in attrs_ if key.startswith("on"))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("lang", ["en", "kk"])
def test_html_shows_hostile_names_as_text(hostile: Dataset, lang: str) -> None:
    page = render("html", hostile, lang)
    assert isinstance(page, str)
    parser = _Tags()
    parser.feed(page)
    assert not parser.tags & {"script", "img", "a", "iframe"}
    assert parser.handlers == []
    text = "".join(parser.text)
    assert '<script>alert("x")</script>' in text
    assert "<img src=x onerror=alert(1)>" in text


def test_json_keeps_hostile_names_as_data(hostile: Dataset) -> None:
    document = json.loads(str(render("json", hostile)))
    names = {p["cluster_name"] for p in document["projects"]}
    assert HOSTILE_CLUSTER_NAMES[0] in names


def test_xlsx_writes_hostile_names_as_text_cells(hostile: Dataset) -> None:
    data = render("xlsx", hostile)
    assert isinstance(data, bytes)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c for c in cells if c.data_type == "f"]
    by_value = {c.value: c for c in cells if isinstance(c.value, str)}
    assert by_value[HOSTILE_CLUSTER_NAMES[0]].data_type == "s"
    assert by_value["-2  cleared"].data_type == "s"  # the escape sequences are gone
    assert '<script>alert("x")</script> =cmd|" /C calc"!A0' in by_value


# -- numbers beyond any real figure ------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_REPORTERS)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_no_reporter_expands_a_huge_or_tiny_number(huge: Dataset, name: str, lang: str) -> None:
    output = render(name, huge, lang)
    # written out, 1e999999999 alone would be a billion characters
    assert len(output) < 300_000
    if isinstance(output, str):
        assert "E+999999999" in output or "E+1000000005" in output
        assert "E-999999" in output


def test_huge_numbers_are_in_exponent_form_in_each_text_report(huge: Dataset) -> None:
    text = str(render("text", huge, "ru"))
    assert "1E+999999999 млн ₸" in text
    assert "1E-999999 млн ₸" in text
    csv_text = str(render("csv", huge, "en"))
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    furniture = next(
        r for r in rows if r["kind"] == "indicator" and r["item"] == "furniture-almaty"
    )
    assert furniture["target"] == "1E+999999999"
    construction = next(r for r in rows if r["kind"] == "project")
    assert construction["base"] == "1E+1000000005"  # KZT
    workbook = render("xlsx", huge, "en")
    assert isinstance(workbook, bytes)
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    values = {c.value for s in book.worksheets for r in s.iter_rows() for c in r}
    assert "1E+999999999" in values  # beyond a spreadsheet's numbers: text, in exponent form
