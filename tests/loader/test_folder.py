"""What a dataset folder holds: the files read, a warning for each one that is not, paths
the user names that are not a dataset, tables of the built-in flat collections."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterkit import load_dataset
from clusterkit.cli import cli
from tests.loader.helpers import PARTICIPANT, PARTICIPANT_HEADER, load_errors, loaded, write_dataset


def csv_text(rows: list[list[str]]) -> str:
    return "".join(",".join(row) + "\n" for row in rows)


def test_files_that_are_not_read_are_named_in_warnings(tmp_path: Path) -> None:
    root = write_dataset(
        tmp_path,
        {
            "README.md": "notes",
            "old.xls": "",
            "rules.ckr": "rulebook r\n",
            "~$book.xlsx": "",
            "clusters.csv": "id\n",
            "widgets.csv": "id\n",
            "Participants/c1.csv": "",
            "archive/2020.json": "{}",
            "participants/notes.txt": "",
            "participants/old/c1.csv": "",
            ".hidden.json": "{",
            ".git/config": "",
        },
    )
    _dataset, warnings = loaded(root)
    assert warnings == [
        f"{root / 'Participants'}: warning[D109]: not read: a folder; participants are read "
        "from participants/ (lower case)",
        f"{root / 'README.md'}: warning[D109]: not read: clusterkit reads .json, .toml, .csv "
        "and .xlsx files",
        f"{root / 'archive'}: warning[D109]: not read: a folder; clusterkit reads the files at "
        "the top of a dataset folder",
        f"{root / 'clusters.csv'}: warning[D109]: not read: 'clusters': its items have nested "
        "parts, so it is read from JSON or TOML files only",
        f"{root / 'old.xls'}: warning[D109]: not read: clusterkit reads spreadsheets saved as "
        ".xlsx; save it as .xlsx or .csv",
        f"{root / 'participants' / 'notes.txt'}: warning[D109]: not read: a participants file "
        "is <cluster-id>.csv or .xlsx",
        f"{root / 'participants' / 'old'}: warning[D109]: not read: a folder; participants "
        "files are at the top of participants/",
        f"{root / 'rules.ckr'}: warning[D109]: not read: a rule file; a dataset reads the "
        "declarations of the rule files its 'schema' lists",
        f"{root / 'widgets.csv'}: warning[D109]: not read: 'widgets' is not a table of this "
        "dataset (tables: benchmarks, cost_items, figures, obligations, observations, "
        "participants, rates, regions, sectors)",
        f"{root / '~$book.xlsx'}: warning[D109]: not read: a spreadsheet program's lock file "
        "(the workbook is open)",
    ]


def test_a_table_of_a_declared_kind_is_not_read_without_its_schema(tmp_path: Path) -> None:
    root = write_dataset(tmp_path, {"cost_items.csv": "id\n"})
    info = (root / "dataset.toml").read_text(encoding="utf-8")
    (root / "dataset.toml").write_text(info.replace('schema = ["schema.ckr"]\n', ""))
    (root / "schema.ckr").unlink()
    assert loaded(root)[1] == [
        f"{root / 'cost_items.csv'}: warning[D109]: not read: 'cost_items' is not a table of "
        "this dataset (tables: benchmarks, figures, obligations, observations, participants, "
        "rates, regions, sectors)"
    ]


def test_entries_named_like_data_that_are_not_files_are_reported(tmp_path: Path) -> None:
    root = write_dataset(tmp_path, {})
    (root / "x.json").mkdir()
    (root / "loop1.json").symlink_to("loop2.json")
    (root / "loop2.json").symlink_to("loop1.json")
    (root / "gone.toml").symlink_to("nowhere.toml")
    (root / "participants").mkdir()
    (root / "participants" / "c1.csv").symlink_to("c1.csv")
    _dataset, warnings = loaded(root)
    assert warnings == [
        f"{root / 'gone.toml'}: warning[D109]: not read: is a symbolic link to a missing file",
        f"{root / 'loop1.json'}: warning[D109]: not read: is a symbolic link loop",
        f"{root / 'loop2.json'}: warning[D109]: not read: is a symbolic link loop",
        f"{root / 'x.json'}: warning[D109]: not read: is a directory",
        f"{root / 'participants' / 'c1.csv'}: warning[D109]: not read: is a symbolic link loop",
    ]


def test_an_unreadable_data_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_dataset(tmp_path, {})
    real = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "clusters.json":
            raise PermissionError(13, "Permission denied")
        return real(path)

    # Root reads any file whatever its permissions, so the refusal is simulated.
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert load_errors(root) == [f"{root / 'clusters.json'}: error[D101]: permission denied"]


def test_warnings_are_among_the_errors_when_a_dataset_fails(tmp_path: Path) -> None:
    root = write_dataset(tmp_path, {"regions.xls": ""})
    (root / "clusters.json").write_text("{")
    errors = load_errors(root)
    assert (
        f"{root / 'regions.xls'}: warning[D109]: not read: clusterkit reads spreadsheets "
        "saved as .xlsx; save it as .xlsx or .csv" in errors
    )
    assert any("error[D102]" in e for e in errors)


# -- paths the user names ----------------------------------------------------------------


def test_a_named_path_that_is_not_a_dataset_says_what_was_expected(tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "data", {"participants/c1.csv": "id\n"})
    expected = "a dataset folder (with dataset.toml or *.json files), or one .json or .toml file"
    assert load_errors(root / "clusters.json") == [
        f"{root / 'clusters.json'}: error[D107]: holds no dataset information: it is one file "
        f"of the dataset in {root}, not a dataset on its own (hint: give the folder; expected "
        f"{expected})"
    ]
    assert load_errors(root / "schema.ckr") == [
        f"{root / 'schema.ckr'}: error[D101]: is a rule file, not a dataset (hint: expected "
        f"{expected}; rules are checked with `clusterkit check RULES --data DATASET`)"
    ]
    assert load_errors(root / "participants" / "c1.csv")[0].startswith(
        f"{root / 'participants' / 'c1.csv'}: error[D101]: is a table, not a dataset"
    )
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "r.ckr").write_text("rulebook r\n")
    assert load_errors(rules) == [
        f"{rules}: error[D101]: holds rule files (*.ckr) and no .json or .toml data files: not "
        f"a dataset (hint: expected {expected}; rules are checked with `clusterkit check RULES "
        "--data DATASET`)"
    ]
    (rules / "r.tests.toml").write_text('rules = "r.ckr"\n')
    assert load_errors(rules) == [
        f"{rules}: error[D107]: holds rule files (*.ckr) and no dataset information: not a "
        f"dataset (hint: expected {expected}; rules are checked with `clusterkit check RULES "
        "--data DATASET`)"
    ]


def test_a_named_symbolic_link_loop_or_dangling_link_fails(tmp_path: Path) -> None:
    (tmp_path / "a.json").symlink_to("b.json")
    (tmp_path / "b.json").symlink_to("a.json")
    (tmp_path / "c.json").symlink_to("none.json")
    assert load_errors(tmp_path / "a.json") == [
        f"{tmp_path / 'a.json'}: error[D101]: is a symbolic link loop"
    ]
    assert load_errors(tmp_path / "c.json") == [
        f"{tmp_path / 'c.json'}: error[D101]: is a symbolic link to a missing file"
    ]


def test_a_lone_file_with_its_dataset_information_is_a_dataset(tmp_path: Path) -> None:
    (tmp_path / "d.json").write_text('{"dataset": {"id": "d", "title": {"en": "D"}}}')
    (tmp_path / "other.json").write_text("{}")
    assert load_dataset(tmp_path / "d.json").info.id == "d"


# -- byte-order marks ---------------------------------------------------------------------


def test_json_and_toml_files_with_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    root = write_dataset(tmp_path, {})
    for name in ("dataset.toml", "clusters.json"):
        text = (root / name).read_text(encoding="utf-8")
        (root / name).write_text(text, encoding="utf-8-sig")
    dataset, warnings = loaded(root)
    assert (dataset.info.id, len(dataset.clusters), warnings) == ("t", 1, [])


def test_syntax_errors_after_a_byte_order_mark_keep_their_columns(tmp_path: Path) -> None:
    root = write_dataset(tmp_path, {})
    (root / "clusters.json").write_text('{"clusters": [,]}', encoding="utf-8-sig")
    assert load_errors(root) == [
        f"{root / 'clusters.json'}:1:15: error[D102]: not valid JSON: Expecting value"
    ]


# -- tables of built-in collections ----------------------------------------------------------


def test_flat_built_in_collections_come_from_csv_tables(tmp_path: Path) -> None:
    observations = csv_text(
        [
            ["cluster", "indicator", "year", "value", "unit", "reported_on", "reported_by"],
            ["c1", "output", "2021", '"3,896.5"', "mln KZT", "2022-02-01", "akimat"],
        ]
    )
    rates = csv_text(
        [["base", "quote", "rate", "on", "source"], ["USD", "KZT", "420.5", "2021-01-01", "NBK"]]
    )
    sectors = csv_text(
        [["code", "name_en", "name_ru", "oked"], ["dairy", "Dairy", "Молоко", "10.51|10.52"]]
    )
    root = write_dataset(
        tmp_path,
        {"observations.csv": observations, "rates.csv": rates, "sectors.csv": sectors},
    )
    dataset, warnings = loaded(root)
    assert warnings == []
    (observation,) = dataset.observations
    assert (observation.year, observation.value) == (2021, Decimal("3896.5"))
    assert dataset.rates[0].rate == Decimal("420.5")
    dairy = next(s for s in dataset.sectors if s.code == "dairy")
    assert {s.code for s in dataset.sectors} == {"food", "dairy"}
    assert dairy.oked == ("10.51", "10.52")
    assert dairy.name.ru == "Молоко"


def test_problems_in_built_in_tables_are_at_their_cells(tmp_path: Path) -> None:
    observations = csv_text(
        [
            ["cluster", "indicator", "year", "value", "unit", "reported_on", "reported_by"],
            ["c9", "output", "2021", "5", "mln KZT", "2022-02-01", "akimat"],
        ]
    )
    root = write_dataset(tmp_path, {"observations.csv": observations})
    assert load_errors(root) == [
        f"{root / 'observations.csv'}:2:1: error[D106]: cluster: 'c9' is not a known cluster"
    ]
    (root / "observations.csv").write_text(observations.replace("2021", "twenty"))
    assert load_errors(root) == [
        f"{root / 'observations.csv'}:2:3: error[D108]: year: 'twenty' is not a number"
    ]
    (root / "observations.csv").write_text("cluster,year\n")
    assert load_errors(root) == [
        f"{root / 'observations.csv'}:1:1: error[D108]: required column 'indicator' is missing",
        f"{root / 'observations.csv'}:1:1: error[D108]: required column 'value' is missing",
        f"{root / 'observations.csv'}:1:1: error[D108]: required column 'unit' is missing",
        f"{root / 'observations.csv'}:1:1: error[D108]: required column 'reported_on' is missing",
        f"{root / 'observations.csv'}:1:1: error[D108]: required column 'reported_by' is missing",
    ]


def test_a_participants_table_at_the_top_names_each_row_s_cluster(tmp_path: Path) -> None:
    rows = [["cluster", *PARTICIPANT_HEADER], ["c1", *PARTICIPANT], ["c7", "p2", *PARTICIPANT[1:]]]
    root = write_dataset(tmp_path, {"participants.csv": csv_text(rows)})
    shown = root / "participants.csv"
    assert load_errors(root) == [f"{shown}:3:1: error[D106]: cluster: no cluster with id 'c7'"]
    (root / "participants.csv").write_text(csv_text(rows[:2]))
    assert [p.id for p in loaded(root)[0].clusters[0].participants] == ["p1"]


def test_a_bad_region_in_a_participants_file_is_reported_at_its_cell(tmp_path: Path) -> None:
    row = [*PARTICIPANT[:3], "KZ-XXX", *PARTICIPANT[4:]]
    root = write_dataset(tmp_path, {"participants/c1.csv": csv_text([PARTICIPANT_HEADER, row])})
    errors = load_errors(root)
    assert errors == [
        f"{root / 'participants' / 'c1.csv'}:2:4: error[D106]: region: 'KZ-XXX' is not a "
        "known region"
    ], errors


# -- the command line -----------------------------------------------------------------------


def test_validate_prints_warnings_and_passes(tmp_path: Path) -> None:
    root = write_dataset(tmp_path, {"notes.txt": "x"})
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 0, result.output
    assert f"{root / 'notes.txt'}: warning[D109]: not read" in result.stderr
    assert "dataset t" in result.stdout
    result = CliRunner().invoke(cli, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 0
    (warning,) = json.loads(result.stdout)["diagnostics"]
    assert (warning["code"], warning["severity"]) == ("D109", "warning")


def test_validate_takes_the_csv_settings(tmp_path: Path) -> None:
    rows = [["id", "project", "amount", "incurred"], ["k1", "j1", "1,5 mln KZT", "2022-03-01"]]
    root = write_dataset(tmp_path, {"cost_items.csv": csv_text(rows).replace(",", "\t")})
    (root / "cost_items.csv").write_text(
        "id\tproject\tamount\tincurred\nk1\tj1\t1,5 mln KZT\t2022-03-01\n", encoding="cp1251"
    )
    assert CliRunner().invoke(cli, ["validate", str(root)]).exit_code == 2
    ok = CliRunner().invoke(
        cli, ["validate", str(root), "--decimal-comma", "--csv-encoding", "cp1251"]
    )
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(cli, ["validate", str(root), "--csv-encoding", "klingon"])
    assert bad.exit_code == 2
    assert "'klingon' is not an encoding" in bad.output
