"""The growth of membership and the international comparison in every reporter: shown
by name and localized, "no rate" where a currency has none, numbers as numbers in
xlsx, and left out where the dataset has neither."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
from click.testing import CliRunner

from clusterkit.cli import cli
from clusterkit.model import Dataset
from clusterkit.plugins import REPORTERS, ReportContext, discover
from tests.plugins.conftest import EXAMPLE
from tests.plugins.sheets import date_in, text_in

AS_OF = dt.date(2021, 6, 30)
TEXT_FORMATS = ("text", "markdown", "html", "csv", "json")
TITLES = {
    "en": ("Growth of cluster membership", "International comparison of support levels"),
    "ru": ("Рост числа участников кластеров", "Международное сравнение уровней поддержки"),
    "kk": ("Кластерлер қатысушылары санының өсуі", "Қолдау деңгейлерін халықаралық салыстыру"),
}


def render(data: Dataset, fmt: str, lang: str = "en", as_of: dt.date | None = AS_OF) -> Any:
    reporter = discover([REPORTERS]).get(REPORTERS, fmt)
    return reporter.render(ReportContext(data, None, lang, as_of=as_of))


def without_rates(data: Dataset, *currencies: str) -> Dataset:
    return attrs.evolve(data, rates=tuple(r for r in data.rates if r.base not in currencies))


def bare(data: Dataset) -> Dataset:
    """The example without participants, support levels or benchmarks."""
    clusters = tuple(
        attrs.evolve(c, participants=(), links=(), coordinator=None) for c in data.clusters
    )
    return attrs.evolve(data, clusters=clusters, records=type(data.records)(), benchmarks=())


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_tables_for_people_show_both_sections_in_the_language(
    example: Dataset, fmt: str, lang: str
) -> None:
    page = render(example, fmt, lang)
    membership, comparison = TITLES[lang]
    assert membership in page
    assert comparison in page
    # names, not ids; countries in the report's language; rates with their unit
    assert "construction-karaganda" not in page
    assert "world-766-thousand-gbp" not in page
    country = {"en": "Russia", "ru": "Россия", "kk": "Ресей"}[lang]
    assert country in page
    assert {"en": "1 GBP = 600 KZT", "ru": "1 GBP = 600 ₸", "kk": "1 GBP = 600 ₸"}[lang] in page
    converted = {"en": "459.6 mln KZT", "ru": "459,6 млн ₸", "kk": "459,6 млн ₸"}[lang]
    assert converted in page
    illustrative = {"en": "illustrative", "ru": "иллюстративные", "kk": "иллюстрациялық"}[lang]
    assert illustrative in page


def test_the_text_report_rows(example: Dataset) -> None:
    lines = render(example, "text").splitlines()
    total = next(line for line in lines if line.startswith("Total") and "100" in line)
    assert total.split()[-3:] == ["60", "100", "67%"]
    assert any(line.startswith("Published growth") and line.endswith("67%") for line in lines)
    ranged = next(line for line in lines if "2–5 mln EUR" in line)
    assert "1,040–2,600 mln KZT" in ranged
    bound = next(line for line in lines if "programme in total, 2013–2015" in line)
    assert "at least 5 bn RUB" in bound
    assert "at least 29,000 mln KZT" in bound
    assert "All 100 participants are sample records" in "\n".join(lines)
    assert "in force on June 30, 2021" in "\n".join(lines)
    assert "GBP, EUR, RUB: June 1, 2021" in "\n".join(lines)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_currency_without_a_rate_shows_no_rate(example: Dataset, fmt: str) -> None:
    page = render(without_rates(example, "GBP"), fmt)
    row = next(line for line in page.splitlines() if "766 thousand GBP" in line)
    assert "no rate" in row
    assert "459.6" not in page
    assert "No rate: the dataset has no rate for GBP" in page


def test_csv_has_membership_and_support_level_rows(example: Dataset) -> None:
    rows = list(csv.DictReader(io.StringIO(render(without_rates(example, "RUB"), "csv"))))
    members = [r for r in rows if r["kind"] == "membership"]
    assert [r["item"] for r in members][:1] == ["construction-karaganda"]
    assert {(r["base"], r["base_date"], r["target_date"]) for r in members} == {
        ("10", "2017-03-01", "2021-06-30")
    }
    (total,) = [r for r in rows if r["kind"] == "total" and r["group"] == "membership"]
    assert (total["base"], total["target"], total["effect"], total["stated_effect"]) == (
        "60",
        "100",
        "0.67",
        "0.67",
    )
    assert "sample records" in total["note"]
    levels = {r["item"]: r for r in rows if r["kind"] == "support_level"}
    gbp = levels["world-766-thousand-gbp"]
    assert (gbp["base"], gbp["unit"], gbp["rate"], gbp["rate_date"]) == (
        "766000",
        "GBP",
        "600",
        "2021-06-01",
    )
    assert (gbp["converted_base"], gbp["converted_unit"]) == ("459600000", "KZT")
    assert gbp["explanation"].startswith("illustrative")
    rub = levels["russia-100-mln-rub-per-project"]
    assert (rub["label"], rub["rate"], rub["converted_base"], rub["converted_unit"]) == (
        "no rate",
        "",
        "",
        "",
    )
    assert levels["russia-yearly-2017-2020"]["target"] == ""  # only a lower bound


def test_russian_csv_translates_the_new_columns(example: Dataset) -> None:
    text = render(example, "csv", "ru")
    header = text.lstrip("\ufeff").splitlines()[0].split(";")
    assert header[-8:] == [
        "Базовая дата",
        "Целевая дата",
        "Курс",
        "Дата курса",
        "Базовое значение в пересчёте",
        "Целевое значение в пересчёте",
        "Единица пересчёта",
        "Примечание",
    ]
    assert ";0,67;0,67;" in text


def test_json_has_both_tables_with_exact_numbers(example: Dataset) -> None:
    document = json.loads(render(without_rates(example, "EUR"), "json"))
    members = document["membership"]
    assert (members["on"], members["total_start"], members["total"]) == ("2021-06-30", 60, 100)
    assert members["growth"].startswith("0.6666666666")
    assert members["stated_growth"] == "67 %"
    levels = document["support_levels"]
    assert levels["currency"] == "KZT"
    assert levels["missing"] == ["EUR"]
    assert levels["illustrative"] == ["GBP", "RUB"]
    rows = {r["id"]: r for r in levels["rows"]}
    assert rows["world-766-thousand-gbp"]["low_converted"] == "459.600 mln KZT"
    assert rows["world-2-mln-eur"]["low_converted"] is None
    assert rows["world-2-mln-eur"]["rate"] is None
    assert rows["russia-yearly-2017-2020"]["high"] is None


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_the_sections_are_left_out_without_their_data(example: Dataset, fmt: str) -> None:
    page = render(bare(example), fmt)
    for title in TITLES["en"]:
        assert title not in page
    assert "766" not in page
    assert 'id="table-membership"' not in page
    assert "membership," not in page  # no CSV rows of that kind
    if fmt == "json":
        document = json.loads(page)
        assert document["membership"] is None
        assert document["support_levels"] is None


def test_xlsx_has_numeric_cells_with_formats(example: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(render(without_rates(example, "EUR"), "xlsx", "ru"))
    book = openpyxl.load_workbook(path)
    members = book["Рост числа участников"]
    first = list(members[2])
    assert first[0].value == "Строительный кластер Карагандинской области"
    assert date_in(first[1]) == dt.date(2017, 3, 1)
    assert (first[2].value, first[2].data_type, first[2].number_format) == (10, "n", "#,##0")
    assert (first[3].value, first[4].number_format) == (18, "0%")
    total = next(row for row in members.iter_rows() if row[0].value == "Итого")
    assert (total[2].value, total[3].value, total[0].font.b) == (60, 100, True)
    assert total[4].value == pytest.approx(100 / 60 - 1)

    levels = book["Международное сравнение"]
    rows = {
        text_in(row[8]).split(":")[1].split(";")[0].strip(): row
        for row in levels.iter_rows(min_row=2)
        if row[8].value
    }
    gbp = rows["L198"]
    assert (gbp[2].value, gbp[2].number_format) == (766, '#,##0 "тыс. GBP"')
    assert (gbp[4].value, gbp[4].data_type, gbp[4].number_format) == (459.6, "n", '#,##0.0 "млн ₸"')
    assert (gbp[6].value, gbp[6].number_format) == (600, '#,##0 "₸"')
    assert date_in(gbp[7]) == dt.date(2021, 6, 1)
    eur = rows["L204"]
    assert eur[4].value == "нет курса"
    bound = rows["L231"]  # "more than 5 bn RUB": a lower bound, still a number
    assert (bound[2].value, bound[2].number_format) == (5, '"не менее "#,##0 "млрд RUB"')
    assert bound[3].value is None
    assert bound[4].value == 29000
    assert bound[4].number_format.startswith('"не менее "')


def test_the_command_counts_members_on_its_as_of_date() -> None:
    result = CliRunner().invoke(
        cli,
        ["report", "--data", str(EXAMPLE), "--format", "json", "--as-of", "2018-06-30"],
    )
    assert result.exit_code == 0, result.output
    members = json.loads(result.stdout)["membership"]
    assert members["on"] == "2018-06-30"
    assert members["total_start"] == 60
    assert 60 <= members["total"] < 100
