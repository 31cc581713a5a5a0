"""``clusterkit report`` on the examples the Kazakh one does not exercise: the foreign
regimes with declared kinds and the sample competitive selection."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from clusterkit.cli import cli
from tests.plugins.conftest import ROOT

EXAMPLES = ROOT / "examples"


def report(*args: str) -> str:
    result = CliRunner().invoke(cli, ["report", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_a_failure_without_a_distance_still_says_what_was_required() -> None:
    # c2023-4's supplier is in another cluster: an equality of ids fails, which has no
    # "short of" distance; the row used to be left with an empty explanation.
    regime = EXAMPLES / "ru-industrial-clusters"
    for lang, word in (("en", "required: "), ("ru", "требуется: ")):
        text = report("--data", str(regime / "data"), "--rules", str(regime), "--lang", lang)
        (row,) = [line for line in text.splitlines() if " c2023-4 " in line]
        assert word + "c.supplier.cluster = c.joint_project.cluster" in row, row


def test_totals_of_an_indicator_with_a_missing_year_give_no_change() -> None:
    # paints-b has no 2012 output: the 2016 total covers one cluster more than the 2012
    # total, so their difference (and its percentage) is not the indicator's change.
    text = report("--data", str(EXAMPLES / "selection-2017-sample"), "--lang", "en")
    lines = text.splitlines()
    start = lines.index("Output, 2012 → 2016")
    total = next(line for line in lines[start:] if line.startswith("Total"))
    assert total.split()[-1] == "—", total
    section = lines[start : lines.index("Exports, 2012 → 2016")]
    assert not any(line.startswith("Change of the total") for line in section)


def test_totals_still_compare_when_every_row_has_both_years(tmp_path: Path) -> None:
    data = tmp_path / "selection"
    shutil.copytree(EXAMPLES / "selection-2017-sample", data)
    path = data / "series.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    items = document["series"] if isinstance(document, dict) else document
    for series in items:
        years = {v["year"] for v in series["values"]}
        if 2012 not in years:
            series["values"].insert(0, {"year": 2012, "value": "100", "kind": "actual"})
    path.write_text(json.dumps(document), encoding="utf-8")
    text = report("--data", str(data), "--lang", "en")
    lines = text.splitlines()
    start = lines.index("Output, 2012 → 2016")
    total = next(line for line in lines[start:] if line.startswith("Total"))
    assert total.split()[-1].endswith("%"), total


def test_indicators_the_model_knows_are_named_in_the_report_language() -> None:
    data = str(EXAMPLES / "selection-2017-sample")
    assert "Employment, 2012 → 2016" in report("--data", data, "--lang", "en")
    assert "Занятость, 2012 → 2016" in report("--data", data, "--lang", "ru")
    assert "Жұмыспен қамту, 2012 → 2016" in report("--data", data, "--lang", "kk")
    assert "employment, 2012" not in report("--data", data, "--lang", "ru", "--format", "markdown")


def test_percentage_points_agree_with_the_number_in_russian() -> None:
    # "на 9 процентного пункта" was the genitive singular after any number; the
    # abbreviation is right after every number.
    text = report(
        "--data",
        str(ROOT / "examples" / "kazakhstan-2021"),
        "--rules",
        str(ROOT / "rules"),
        "--lang",
        "ru",
    )
    assert "процентного пункта" not in text
    assert "0,119239 п. п." in text


def test_points_are_in_the_report_language() -> None:
    regime = EXAMPLES / "pl-key-clusters"
    args = ("--data", str(regime / "data"), "--rules", str(regime))
    ru = report(*args, "--lang", "ru")
    assert "a.points меньше min_points на 1 балл " in ru  # one: балл; many: балл.
    assert "(99 балл. &gt;= 100 балл.)" in report(*args, "--lang", "ru", "--format", "html")
    assert " points" not in ru.replace("a.points", "")
    assert "1 ұпай кем" in report(*args, "--lang", "kk")
    assert "is 1 point short of min_points" in report(*args, "--lang", "en")


def test_a_project_without_financing_has_no_share_rather_than_zero(tmp_path: Path) -> None:
    # The model reads a missing financing line as not stated (the rule is undetermined);
    # the projects table showed 0 and a total share of 29.2%.
    data = tmp_path / "examples" / "kz"
    shutil.copytree(EXAMPLES / "kazakhstan-2021", data)
    shutil.copytree(ROOT / "rules" / "schema", tmp_path / "rules" / "schema")  # its schema
    path = data / "programmes.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    project = document["programmes"][1]["projects"][0]
    del project["financing"]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    args = ("--data", str(data), "--rules", str(ROOT / "rules"))
    lines = report(*args, "--lang", "en").splitlines()
    (row,) = [line for line in lines if line.startswith("Furniture cluster")][:1]
    assert row.split()[-2:] == ["—", "—"], row
    total = next(line for line in lines if line.startswith("Total"))
    assert total.split()[-1] == "—", total
    csv_rows = report(*args, "--format", "csv").splitlines()
    (csv_row,) = [r for r in csv_rows if r.startswith("project,") and project["id"] in r]
    assert ",110000000,,,KZT,," in csv_row, csv_row
    body = json.loads(report(*args, "--format", "json"))
    (found,) = [p for p in body["projects"] if p["project"] == project["id"]]
    assert (found["cluster_share"], found["share"]) == (None, None)


def test_records_without_a_name_are_named_by_their_cluster() -> None:
    # Polish applications and EU label assessments have no name field: the findings
    # showed bare ids ("food-v") although their clusters have names.
    regime = EXAMPLES / "pl-key-clusters"
    text = report("--data", str(regime / "data"), "--rules", str(regime), "--lang", "ru")
    (row,) = [line for line in text.splitlines() if "food-v" in line]
    assert "Пример: пищевой кластер: food-v" in row, row
    regime = EXAMPLES / "eu-cluster-labels"
    text = report("--data", str(regime / "data"), "--rules", str(regime), "--format", "csv")
    assert ",d-1,Sample energy cluster D: d-1," in text
