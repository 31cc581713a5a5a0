"""Each built-in reporter in each language, against golden files; what each shows.

Regenerate after a deliberate change with ``CLUSTERKIT_UPDATE_GOLDEN=1 pytest`` (see
tests/golden.py), then run again without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest

from clusterkit import load_dataset
from clusterkit.lang import evaluate, load_rules
from clusterkit.lang.results.explain import basis_text
from clusterkit.model import Dataset, LocalizedText
from clusterkit.plugins import REPORTERS, ReportContext, discover
from tests.golden import match_golden

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
REPORTER_NAMES = ("text", "markdown", "html", "csv", "json")  # xlsx: test_report_xlsx.py
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
        self.classes: list[str] = []
        self.scripts = 0
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.scripts += 1
        for key, value in attrs_:
            if key in ("src", "href") and value:
                self.external.append(value)
            if key == "class" and value:
                self.classes.extend(value.split())

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Collect:
    parser = _Collect()
    parser.feed(page)
    parser.close()
    return parser


def test_html_is_self_contained_with_summary_findings_tables_and_charts(data: Dataset) -> None:
    page = discover([REPORTERS]).get(REPORTERS, "html").render(context(data, "en"))
    parser = parse(page)
    # by rulebook, projects, four indicators, membership, international comparison
    assert parser.tags.count("table") == 8
    # the summary's chart, then one per indicator: output, exports, tax, productivity
    assert parser.tags.count("figure") == 5
    assert parser.classes.count("bar") == 6 + 2 * (6 + 5 + 5 + 5)
    assert parser.scripts == 0
    assert parser.external == []
    # the summary comes first, then the findings, then the data's tables
    assert page.index('id="summary"') < page.index('id="findings"') < page.index('id="data"')
    assert "@media print" in page
    assert "size: A4" in page


def test_html_summary_counts_each_outcome(data: Dataset) -> None:
    ctx = context(data, "en")
    assert ctx.results is not None
    page = discover([REPORTERS]).get(REPORTERS, "html").render(ctx)
    for outcome, count in ctx.results.by_outcome().items():
        assert (
            f'data-outcome="{outcome.value}"><span class="number">{count}</span>'
            f'<span class="what">{outcome.text("en")}</span>'
        ) in page
    attention = sum(1 for r in ctx.results if r.outcome.value not in ("pass", "not_applicable"))
    assert f"{attention} of {len(ctx.results)} verdicts need attention" in page


def test_html_findings_are_in_words_with_formulas_in_details(data: Dataset) -> None:
    page = discover([REPORTERS]).get(REPORTERS, "html").render(context(data, "ru"))
    findings = page[page.index('id="findings"') : page.index('id="data"')]
    # the furniture cluster is named, not "furniture-almaty"
    assert "Мебельный кластер г. Алматы: Объём производства" in findings
    assert "furniture-almaty" not in findings
    # a declared record (the budget line's support measure) by its name too
    assert "Субсидирование кластерных проектов" in findings
    assert "kz-project-subsidy" not in findings
    # plain words first; the comparison and its values only inside <details>
    words = findings.index("не дают заявленный эффект")
    details = findings.index("<details>", words)
    assert findings.index("stated_effect(s.cluster, &#34;output&#34;, 2024)", words) > details
    assert "<summary>Формула и значения</summary>" in findings
    # every finding says what it rests on
    stated = re.findall(r'<p class="basis basis-\w+">Основание: ', findings)
    assert len(stated) == findings.count('<article class="finding')


def test_html_shows_each_findings_basis(data: Dataset) -> None:
    ctx = context(data, "kk")
    assert ctx.results is not None
    failed = [r for r in ctx.results if r.outcome.value == "fail"]
    illustrative, unstated = failed[0], failed[1]
    marked = attrs.evolve(
        illustrative,
        info=attrs.evolve(
            illustrative.info,
            basis=("illustrative", "no such band in the document"),
            parameters=(("band", "inferred", "six projects at 30%"),),
        ),
    )
    bare = attrs.evolve(unstated, info=attrs.evolve(unstated.info, basis=None, parameters=()))
    replaced = {id(illustrative): marked, id(unstated): bare}
    results = attrs.evolve(
        ctx.results,
        results=tuple(replaced.get(id(r), r) for r in ctx.results.results),
    )
    page = discover([REPORTERS]).get(REPORTERS, "html").render(attrs.evolve(ctx, results=results))
    text = "".join(parse(page).text)
    assert 'class="basis basis-illustrative"' in page
    assert basis_text(("illustrative", "no such band in the document"), "kk") in text
    assert f"band ({basis_text(('inferred', 'six projects at 30%'), 'kk')})" in text
    assert "негіздеме көрсетілмеген" in text  # the findings that state no basis say so


def test_html_names_dates_and_units_in_the_reports_language(data: Dataset) -> None:
    page = discover([REPORTERS]).get(REPORTERS, "html").render(context(data, "ru"))
    text = "".join(parse(page).text)
    assert "1 июня 2021\u202fг." in text  # the dataset's publication, babel's long date
    assert "30 июня 2021\u202fг." in text  # checked as of
    assert "45 млн ₸/чел." in text
    assert "66\xa0740 млн ₸" in text
    assert "Строительный кластер Карагандинской области" in text
    assert "construction-karaganda" not in text


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
    parser = parse(page)
    assert parser.scripts == 0
    assert "img" not in parser.tags
    assert '<script>alert("x")</script> & co' in parser.text
    assert "<img src=x onerror=alert(1)>" in parser.text


def test_indicator_tables_show_attribution_only_where_given_and_no_sum_of_ratios(
    data: Dataset,
) -> None:
    text = discover([REPORTERS]).get(REPORTERS, "markdown").render(context(data, "en"))
    productivity = text[text.index("## Labour productivity") :]
    productivity = productivity[: productivity.index("\n## ")]
    assert "**Total**" not in productivity  # a sum of productivities means nothing
    assert "Change of the total" not in productivity
    assert "Stated effect" not in productivity  # the document gives none
    # the part due to cluster projects, as an amount per person
    assert "| 45 mln KZT/person | 50 mln KZT/person | 11% | 5 mln KZT/person |" in productivity
    output = text[text.index("## Output") : text.index("## Exports")]
    assert "| Due to cluster projects |" in output
    assert "**Total**" in output
    # names, not ids
    assert "| Construction cluster, Karaganda region |" in output
    assert "construction-karaganda" not in text


def test_csv_is_exact_and_flat(data: Dataset) -> None:
    text = discover([REPORTERS]).get(REPORTERS, "csv").render(context(data, "en"))
    assert not text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    furniture = next(
        r
        for r in rows
        if r["kind"] == "indicator" and r["group"] == "output" and r["item"] == "furniture-almaty"
    )
    assert furniture["name"] == "Furniture cluster, Almaty city"
    assert furniture["base"] == "15568"
    assert furniture["stated_effect"] == "0.88"
    assert furniture["effect"] == "0.87"  # rounded as shown (87%), not 28 digits
    total = next(r for r in rows if r["kind"] == "total" and r["group"] == "exports")
    assert total["base"] == "281.5"
    assert not any(r["kind"] == "total" and r["group"] == "labour_productivity" for r in rows)
    productivity = next(r for r in rows if r["group"] == "labour_productivity")
    assert productivity["attributed"] == "5"
    assert any(r["kind"] == "verdict" and r["outcome"] == "fail" for r in rows)
    verdict = next(
        r for r in rows if r["kind"] == "verdict" and r["entity"] == "furniture-almaty/output"
    )
    assert verdict["entity_name"] == "Furniture cluster, Almaty city: Output"
    assert verdict["basis"].startswith("stated in the source: ")


def test_csv_in_russian_is_what_excel_reads_in_that_locale(data: Dataset) -> None:
    text = discover([REPORTERS]).get(REPORTERS, "csv").render(context(data, "ru"))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    header = rows[0]
    assert header[:4] == ["Вид", "Группа", "Элемент", "Наименование"]
    assert "Заявленный эффект" in header
    by_column = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    exports = next(r for r in by_column if r["Вид"] == "total" and r["Группа"] == "exports")
    assert exports["Базовое значение"] == "281,5"
    assert exports["Эффект"] == "0,50"


def test_json_report_has_its_schema(data: Dataset) -> None:
    document = json.loads(discover([REPORTERS]).get(REPORTERS, "json").render(context(data, "en")))
    assert document["schema"] == "clusterkit.report/1"
    assert document["budget_total"] == ["3.8965 bn KZT"]
    assert document["results"]["schema"] == "clusterkit.results/1"
    productivity = next(
        t for t in document["indicators"] if t["indicator"] == "labour_productivity"
    )
    assert productivity["total_base"] is None
    assert document["projects"][0]["cluster_name"] == "Construction cluster, Karaganda region"
