"""Each built-in reporter in each language, against golden files; and HTML safety.

Regenerate after a deliberate change with ``CLUSTERKIT_UPDATE_GOLDEN=1 pytest`` (see
tests/golden.py), then run again without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest

from clusterkit import load_dataset
from clusterkit.lang import evaluate, load_rules
from clusterkit.model import Dataset, LocalizedText
from clusterkit.plugins import REPORTERS, ReportContext, discover
from tests.golden import match_golden

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
REPORTER_NAMES = ("text", "markdown", "html", "csv", "json")
SUFFIX = {"text": "txt", "markdown": "md", "html": "html", "csv": "csv", "json": "json"}


@pytest.fixture(scope="module")
def data() -> Dataset:
    return load_dataset(ROOT / "examples" / "kazakhstan-2021")


def context(data: Dataset, lang: str) -> ReportContext:
    program = load_rules([ROOT / "rules"])
    # A fixed hash keeps golden files independent of unrelated dataset changes.
    results = evaluate(program, data, dt.date(2021, 6, 30), data_sha256="0" * 64)
    stable = attrs.evolve(
        results.provenance,
        clusterkit_version="(version)",
        rulebooks=tuple(
            attrs.evolve(r, sha256="0" * 64, path=Path(r.path).name)
            for r in results.provenance.rulebooks
        ),
    )
    return ReportContext(data, attrs.evolve(results, provenance=stable), lang)


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
@pytest.mark.parametrize("name", REPORTER_NAMES)
def test_reporter_matches_golden_file(name: str, lang: str, data: Dataset) -> None:
    reporter = discover([REPORTERS]).get(REPORTERS, name)
    text = reporter.render(context(data, lang))
    golden = GOLDEN / f"report.{lang}.{SUFFIX[name]}"
    match_golden(golden, text)


def test_russian_report_uses_local_number_format(data: Dataset) -> None:
    text = discover([REPORTERS]).get(REPORTERS, "markdown").render(context(data, "ru"))
    assert "112,1 млн ₸" in text
    assert "Объём производства, 2020 → 2024" in text
    assert "30 %" in text


def test_kazakh_report_translates_headings(data: Dataset) -> None:
    text = discover([REPORTERS]).get(REPORTERS, "text").render(context(data, "kk"))
    assert "Өндіріс көлемі, 2020 → 2024" in text
    assert "Назар аударуды қажет ететін қорытындылар" in text


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts = 0
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.scripts += 1
        for key, value in attrs_:
            if key in ("src", "href") and value:
                self.external.append(value)


def test_html_is_self_contained_with_tables_and_charts(data: Dataset) -> None:
    page = discover([REPORTERS]).get(REPORTERS, "html").render(context(data, "en"))
    parser = _Collect()
    parser.feed(page)
    assert parser.tags.count("table") >= 6
    assert parser.tags.count("svg") == 4  # output, exports, tax revenues, productivity
    assert parser.tags.count("rect") > 40
    assert parser.scripts == 0
    assert parser.external == []


def test_html_escapes_every_value(data: Dataset) -> None:
    hostile = attrs.evolve(
        data,
        info=attrs.evolve(
            data.info,
            title=LocalizedText(en='<script>alert("x")</script> & co'),
            source="<img src=x onerror=alert(1)>",
        ),
    )
    page = discover([REPORTERS]).get(REPORTERS, "html").render(ReportContext(hostile, None))
    assert "<script>" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page


def test_csv_is_exact_and_flat(data: Dataset) -> None:
    text = discover([REPORTERS]).get(REPORTERS, "csv").render(context(data, "ru"))
    rows = list(csv.DictReader(io.StringIO(text)))
    furniture = next(
        r
        for r in rows
        if r["kind"] == "indicator" and r["group"] == "output" and r["item"] == "furniture-almaty"
    )
    assert furniture["base"] == "15568"
    assert furniture["stated_effect"] == "0.88"
    total = next(r for r in rows if r["kind"] == "total" and r["group"] == "exports")
    assert total["base"] == "281.5"
    assert any(r["kind"] == "verdict" and r["outcome"] == "fail" for r in rows)


def test_json_report_has_its_schema(data: Dataset) -> None:
    document = json.loads(discover([REPORTERS]).get(REPORTERS, "json").render(context(data, "en")))
    assert document["schema"] == "clusterkit.report/1"
    assert document["budget_total"] == ["3.8965 bn KZT"]
    assert document["results"]["schema"] == "clusterkit.results/1"
