"""The xlsx reporter: a real workbook written to a file and read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from clusterkit import Outcome, ResultSet
from clusterkit.lang import evaluate, load_rules
from clusterkit.model import Dataset
from clusterkit.plugins import REPORTERS, ReportContext, ReportError, discover, is_binary
from tests.plugins.conftest import ROOT
from tests.plugins.sheets import date_in


@pytest.fixture(scope="module")
def results(example: Dataset) -> ResultSet:
    return evaluate(load_rules([ROOT / "rules"]), example, dt.date(2021, 6, 30))


@pytest.fixture(scope="module")
def workbook(
    example: Dataset, results: ResultSet, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The example's report in Russian, with the check results, as an .xlsx file."""
    reporter = discover([REPORTERS]).get(REPORTERS, "xlsx")
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    path.write_bytes(reporter.render(ReportContext(example, results, "ru")))
    return path


def rows(sheet: Worksheet) -> list[list[object]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def find(sheet: Worksheet, first: str) -> int:
    """The row number whose first cell is ``first``."""
    return next(i for i, row in enumerate(sheet.iter_rows(), start=1) if row[0].value == first)


def test_the_reporter_is_binary_and_registered() -> None:
    reporter = discover([REPORTERS]).get(REPORTERS, "xlsx")
    assert is_binary(reporter)
    assert reporter.suffix == ".xlsx"
    assert not is_binary(discover([REPORTERS]).get(REPORTERS, "csv"))


def test_one_sheet_per_table_and_a_sheet_of_findings(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == [
        "Сводка",
        "Проекты",
        "Объём производства",
        "Экспорт",
        "Налоговые поступления",
        "Производительность труда",
        "Рост числа участников",
        "Международное сравнение",
        "Выводы",
    ]


def test_figures_are_numbers_with_formats_showing_their_unit(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook)["Объём производства"]
    assert [c.value for c in sheet[1]][:4] == ["Кластер", "2020", "2024", "Эффект"]
    row = find(sheet, "Строительный кластер Карагандинской области")
    base, target, effect = sheet.cell(row, 2), sheet.cell(row, 3), sheet.cell(row, 4)
    assert (base.value, base.data_type) == (66740, "n")
    assert base.number_format == '#,##0 "млн ₸"'
    assert target.value == 89160
    assert effect.data_type == "n"
    assert effect.number_format == "0%"
    assert effect.value == pytest.approx(89160 / 66740 - 1)
    total = sheet.cell(find(sheet, "Итого"), 2)
    assert (total.value, total.number_format, total.font.b) == (264893, '#,##0 "млн ₸"', True)
    published = sheet.cell(find(sheet, "Опубликованный итог"), 2)
    assert published.value == pytest.approx(264900)  # 264.9 bn KZT in the table's mln KZT
    assert published.number_format == '#,##0 "млн ₸"'


def test_places_follow_the_stated_precision(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook)["Проекты"]
    row = find(sheet, "Строительный кластер Карагандинской области")
    budget, share, ratio = sheet.cell(row, 3), sheet.cell(row, 4), sheet.cell(row, 5)
    assert budget.value == pytest.approx(112.1)
    assert budget.number_format == '#,##0.0 "млн ₸"'
    assert share.value == pytest.approx(33.6)
    assert (ratio.data_type, ratio.number_format) == ("n", "0.0%")
    exports = openpyxl.load_workbook(workbook)["Экспорт"]
    cell = exports.cell(find(exports, "Мукомольный кластер Костанайской области"), 2)
    assert cell.value == pytest.approx(250.6)
    assert cell.number_format == '#,##0.0 "млн USD"'


def test_ratios_per_person_have_no_total_and_attribution_where_given(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook)["Производительность труда"]
    firsts = [row[0] for row in rows(sheet)]
    assert "Итого" not in firsts
    header = [c.value for c in sheet[1]]
    assert header[-1] == "В т. ч. за счёт проектов кластеров, млн ₸/чел."
    cell = sheet.cell(find(sheet, "Строительный кластер Карагандинской области"), len(header))
    assert (cell.value, cell.number_format) == (5, '#,##0 "млн ₸/чел."')


def test_summary_counts_and_dates(workbook: Path, results: ResultSet) -> None:
    sheet = openpyxl.load_workbook(workbook)["Сводка"]
    published = sheet.cell(find(sheet, "Опубликовано"), 2)
    assert date_in(published) == dt.date(2021, 6, 1)
    assert published.number_format == "dd.mm.yyyy"
    failed = sheet.cell(find(sheet, "не выполнено"), 2)
    expected = results.by_outcome()[Outcome.FAIL]
    assert expected > 0
    assert (failed.value, failed.data_type) == (expected, "n")
    total = sheet.cell(find(sheet, "Итого"), 2)
    assert total.value == len(results)


def test_findings_name_the_entities_and_worst_come_first(
    workbook: Path, results: ResultSet
) -> None:
    sheet = openpyxl.load_workbook(workbook)["Выводы"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Итог", "Правило", "Объект", "Пояснение"]
    assert sheet.auto_filter.ref is not None
    assert sheet.freeze_panes == "A2"
    outcomes = [row[header.index("outcome")] for row in rows(sheet)[1:]]
    assert outcomes[:3] == ["fail", "fail", "fail"]
    assert len(outcomes) == len(results)
    pharma = next(r for r in rows(sheet) if r[header.index("entity")] == "project-pharma-south")
    assert (
        pharma[2]
        == "Развитие производства фито-препаратов из местного растительного лекарственного сырья"
    )
    furniture = next(
        r for r in rows(sheet) if r[header.index("entity")] == "furniture-almaty/output"
    )
    basis = furniture[header.index("Основание")]
    assert isinstance(basis, str)
    assert basis.startswith("указано в источнике: ")


def test_a_missing_openpyxl_is_a_message_not_a_traceback(
    example: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now fails
    reporter = discover([REPORTERS]).get(REPORTERS, "xlsx")
    with pytest.raises(ReportError, match=r"pip install 'clusterkit\[xlsx\]'"):
        reporter.render(ReportContext(example, None, "en"))


def test_a_report_of_the_data_alone_has_no_findings_sheet(example: Dataset) -> None:
    reporter = discover([REPORTERS]).get(REPORTERS, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(reporter.render(ReportContext(example, None, "en"))))
    assert book.sheetnames[0] == "Summary"
    assert "Findings" not in book.sheetnames
