"""CSV as Excel and LibreOffice write it: byte-order marks, ';' and tabs, decimal commas,
cp1251, dates and yes/no values as a Russian spreadsheet writes them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from clusterkit import load_dataset
from clusterkit.diagnostics import Diagnostic
from clusterkit.loader import CsvOptions, read_participants_csv
from clusterkit.loader.csv_tables import decode, detect_delimiter
from clusterkit.money import parse_money
from clusterkit.numbers import NumberFormatError, from_decimal_comma, parse_decimal
from tests.loader.helpers import (
    PARTICIPANT,
    PARTICIPANT_HEADER,
    declared,
    load_errors,
    loaded,
    write_dataset,
)


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    return "".join(delimiter.join(row) + "\r\n" for row in rows)


PARTICIPANTS = [PARTICIPANT_HEADER, PARTICIPANT]
COST_HEADER = ["id", "project", "amount", "incurred", "share", "fte", "listed", "tags"]


# -- numbers with a decimal comma ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30,5", "30.5"),
        ("-0,25", "-0.25"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234\u00a0567,89", "1234567.89"),
        ("112,1 млн KZT", "112.1 млн KZT"),
        ("₸ 112,1 млн", "₸ 112.1 млн"),
        ("30,5 %", "30.5 %"),
        ("1,5E+03", "1.5E+03"),
        ("30.5", "30.5"),
        ("66 740", "66 740"),
        ("text, with a comma", "text, with a comma"),
    ],
)
def test_a_decimal_comma_becomes_a_point(text: str, expected: str) -> None:
    assert from_decimal_comma(text) == expected


@pytest.mark.parametrize("text", ["1.234,5", "1,234,567", "12,5,1"])
def test_a_number_that_is_ambiguous_with_decimal_commas_is_refused(text: str) -> None:
    with pytest.raises(NumberFormatError, match="decimal comma"):
        from_decimal_comma(text)


def test_outside_tables_a_comma_still_only_groups_thousands() -> None:
    assert parse_decimal("3,896.5") == Decimal("3896.5")
    with pytest.raises(NumberFormatError, match="',' may only group thousands"):
        parse_decimal("30,5")


# -- encodings and delimiters -----------------------------------------------------------


def test_the_delimiter_is_the_one_the_header_has_most_of() -> None:
    assert detect_delimiter("id,name\n1,2") == ","
    assert detect_delimiter("id;name;x\n1,5;2;3") == ";"
    assert detect_delimiter("id\tname\n") == "\t"
    assert detect_delimiter('"a;b",c\n') == ","
    assert detect_delimiter("id\n1\n") == ","


def decoded(data: bytes, encoding: str | None = None) -> tuple[str | None, list[str]]:
    problems: list[Diagnostic] = []
    return decode(data, "f.csv", problems, encoding), [str(p) for p in problems]


def test_encodings_are_detected() -> None:
    text = "id;name_ru\r\np1;Сыр «Молоко» №1\r\n"
    assert decoded(text.encode("utf-8")) == (text, [])
    assert decoded(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, [])
    assert decoded(text.encode("utf-16")) == (text, [])
    assert decoded(text.encode("cp1251")) == (text, [])


def test_a_single_byte_file_that_is_not_russian_is_refused_rather_than_misread() -> None:
    text, problems = decoded("id,name\r\np1,Müller café Straße\r\n".encode("latin-1"))
    assert text is None
    assert problems == [
        "f.csv: error[D101]: is not UTF-8 text (byte 13), nor Russian text in cp1251 "
        "(hint: save it as UTF-8, or name its encoding: csv_encoding in the dataset table "
        "or --csv-encoding)"
    ]
    assert decoded("p1,Müller".encode("latin-1"), "latin-1") == ("p1,Müller", [])


def test_a_named_encoding_that_does_not_fit_is_an_error() -> None:
    assert decoded("Ә".encode(), "ascii")[1] == [
        "f.csv: error[D101]: is not ascii text (byte 0) "
        "(hint: the encoding is named by csv_encoding or --csv-encoding)"
    ]


def test_excel_russian_csv_is_read(tmp_path: Path) -> None:
    """UTF-8 with a byte-order mark, ';', decimal commas, DD.MM.YYYY, ИСТИНА."""
    costs = csv_text(
        [
            COST_HEADER,
            ["k1", "j1", "1 234,5 млн KZT", "01.03.2022", "30,5 %", "0,8 FTE", "ИСТИНА", "a|b"],
            ["k2", "j1", "200 млн KZT", "2022-03-02", "12", "1", "ложь", ""],
        ],
        ";",
    )
    participants = csv_text([*PARTICIPANTS[:1], [*PARTICIPANT[:-1], "12,5"]], ";")
    root = write_dataset(
        tmp_path,
        {
            "cost_items.csv": b"\xef\xbb\xbf" + costs.encode("utf-8"),
            "participants/c1.csv": b"\xef\xbb\xbf" + participants.encode("utf-8"),
        },
    )
    dataset, warnings = loaded(root)
    assert warnings == []
    first, second = dataset.records_of("cost_items")
    assert first.extra["amount"] == parse_money("1234.5 mln KZT")
    assert str(first.extra["incurred"]) == "2022-03-01"
    assert first.extra["share"] == Decimal("30.5")
    assert first.extra["fte"] == Decimal("0.8")
    assert first.extra["listed"] is True
    assert first.extra["tags"] == ("a", "b")
    assert second.extra["listed"] is False
    (participant,) = dataset.clusters[0].participants
    assert participant.extra["staff"] == Decimal("12.5")


def test_cp1251_is_detected_or_named(tmp_path: Path) -> None:
    participants = csv_text(PARTICIPANTS).encode("cp1251")
    root = write_dataset(tmp_path, {"participants/c1.csv": participants})
    assert loaded(root)[0].clusters[0].participants[0].name.ru == "Организация"
    info = (root / "dataset.toml").read_text(encoding="utf-8")
    (root / "dataset.toml").write_text(
        info.replace('id = "t"', 'id = "t"\ncsv_encoding = "utf-8"'), encoding="utf-8"
    )
    assert load_errors(root) == [
        f"{root / 'participants' / 'c1.csv'}: error[D101]: is not utf-8 text (byte 103) "
        "(hint: the encoding is named by csv_encoding or --csv-encoding)"
    ]
    assert load_dataset(root, csv_encoding="cp1251").clusters[0].participants


def test_the_dataset_or_the_caller_says_whether_numbers_have_decimal_commas(
    tmp_path: Path,
) -> None:
    rows = [COST_HEADER[:4], ["k1", "j1", "1,5 mln KZT", "2022-03-01"]]
    root = write_dataset(tmp_path, {"cost_items.csv": csv_text(rows, "\t")})
    errors = load_errors(root)
    assert errors == [
        f"{root / 'cost_items.csv'}:2:3: error[D108]: amount: '1,5': use '.' as the "
        "decimal separator; ',' may only group thousands"
    ]
    dataset = load_dataset(root, decimal_comma=True)
    assert dataset.records_of("cost_items")[0].extra["amount"] == parse_money("1.5 mln KZT")
    info = (root / "dataset.toml").read_text(encoding="utf-8")
    (root / "dataset.toml").write_text(
        info.replace('id = "t"', 'id = "t"\ncsv_decimal_comma = true'), encoding="utf-8"
    )
    assert load_dataset(root).records_of("cost_items")[0].extra["amount"].amount == 1_500_000
    assert dataset.info.id == "t"  # the settings are not part of the dataset's description


def test_a_semicolon_file_can_say_its_numbers_have_points(tmp_path: Path) -> None:
    rows = [COST_HEADER[:4], ["k1", "j1", "1,500.5 KZT", "2022-03-01"]]
    root = write_dataset(tmp_path, {"cost_items.csv": csv_text(rows, ";")})
    assert "1.5 mln KZT" not in load_errors(root)[0]
    dataset = load_dataset(root, decimal_comma=False)
    assert dataset.records_of("cost_items")[0].extra["amount"] == parse_money("1500.5 KZT")


def test_bad_settings_are_reported_in_the_dataset_table(tmp_path: Path) -> None:
    root = write_dataset(tmp_path, {})
    info = (root / "dataset.toml").read_text(encoding="utf-8")
    (root / "dataset.toml").write_text(
        info.replace('id = "t"', 'id = "t"\ncsv_encoding = "klingon"\ncsv_decimal_comma = "y"'),
        encoding="utf-8",
    )
    assert load_errors(root) == [
        f"{root / 'dataset.toml'}: dataset.csv_encoding: error[D103]: 'klingon' is not an "
        "encoding clusterkit knows (hint: for example utf-8, cp1251, kz1048)",
        f"{root / 'dataset.toml'}: dataset.csv_decimal_comma: error[D103]: expected true or false",
    ]
    with pytest.raises(ValueError, match="klingon"):
        load_dataset(root, csv_encoding="klingon")


# -- where problems are -------------------------------------------------------------------


def test_each_cell_error_names_its_column_line_and_cell(tmp_path: Path) -> None:
    rows = [
        COST_HEADER,
        ["k1", "j1", "1.234,5 KZT", "30.02.2022", "x", "1", "maybe", ""],
        ["k2", "j9", "5 KZT", "2022-01-01", "", "", "", ""],
    ]
    root = write_dataset(tmp_path, {"cost_items.csv": csv_text(rows, ";")})
    shown = root / "cost_items.csv"
    assert load_errors(root) == [
        f"{shown}:2:3: error[D108]: amount: '1.234,5 KZT': with decimal commas, write the "
        "number without '.' (1234,5 or 1 234,5)",
        f"{shown}:2:4: error[D108]: incurred: '30.02.2022' is not a date that exists (DD.MM.YYYY)",
        f"{shown}:2:7: error[D108]: listed: expected yes or no (true/false, 1/0, да/нет), "
        "got 'maybe'",
        # References are checked too, in the same run: every problem at once.
        f"{shown}:3:2: error[D106]: project: 'j9' is not a known project",
    ]
    rows.pop(1)
    (root / "cost_items.csv").write_text(csv_text(rows, ";"), encoding="utf-8")
    assert load_errors(root) == [f"{shown}:2:2: error[D106]: project: 'j9' is not a known project"]


def test_a_quoted_cell_over_several_lines_keeps_the_row_lines_right(tmp_path: Path) -> None:
    rows = [
        PARTICIPANT_HEADER,
        [*PARTICIPANT[:6], '"two\nlines"', "1"],
        ["p2", "060240113699", *PARTICIPANT[2:]],
    ]
    problems: list[Diagnostic] = []
    (tmp_path / "p.csv").write_text(csv_text(rows), encoding="utf-8")
    read_participants_csv(
        tmp_path / "p.csv", shown="p.csv", problems=problems, schema=declared(tmp_path)
    )
    assert [str(p) for p in problems] == ["p.csv:4:2: error[D108]: bin: check digit does not match"]


def test_empty_trailing_cells_and_unnamed_columns(tmp_path: Path) -> None:
    header = [*PARTICIPANT_HEADER, "", ""]
    rows = [header, [*PARTICIPANT, "", ""], [*PARTICIPANT, "", "", "", ""], [*PARTICIPANT, "x", ""]]
    (tmp_path / "p.csv").write_text(csv_text(rows, ";"), encoding="utf-8")
    problems: list[Diagnostic] = []
    found = read_participants_csv(
        tmp_path / "p.csv", shown="p.csv", problems=problems, schema=declared(tmp_path)
    )
    assert len(found) == 2
    assert [str(p) for p in problems] == [
        "p.csv:4:1: error[D108]: a value in column 9, which has no name in the header"
    ]


def test_options_reach_the_participants_reader(tmp_path: Path) -> None:
    rows = [PARTICIPANT_HEADER, [*PARTICIPANT[:-1], "7,5"]]
    (tmp_path / "p.csv").write_text(csv_text(rows, "\t"), encoding="cp1251")
    (found,) = read_participants_csv(
        tmp_path / "p.csv",
        options=CsvOptions(encoding="cp1251", decimal_comma=True),
        schema=declared(tmp_path),
    )
    assert found.extra["staff"] == Decimal("7.5")
