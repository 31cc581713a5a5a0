"""CSV tables as spreadsheets write them: a header row of column names, then one row per
item (see :mod:`clusterkit.loader.tables` for what the columns mean).

What Excel and LibreOffice write is read as it is:

- **Encoding**: UTF-8, with or without a byte-order mark; UTF-16 with its mark
  (Excel's "Unicode text"); cp1251, detected when a file is not UTF-8 and reads as
  Russian text in cp1251 (Cyrillic words with no Latin letters inside them), or any
  encoding named by ``csv_encoding`` in the ``dataset`` table or ``--csv-encoding``.
- **Delimiter**: ``,``, ``;`` or a tab, whichever the header line has most of.
- **Decimal comma**: in a file delimited with ``;`` (Excel's choice where ``,`` is the
  decimal separator) numbers are written ``30,5`` and spaces group thousands; other
  files use a decimal point and ``,`` only groups thousands. ``csv_decimal_comma`` in
  the ``dataset`` table or ``--decimal-comma`` says so for every CSV file.

Every problem names the file, line and column and the column's name (``D108``);
a file that cannot be decoded is ``D101``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import attrs

from clusterkit import codes
from clusterkit.diagnostics import Diagnostic
from clusterkit.loader.files import data_error, read_bytes
from clusterkit.loader.tables import Row, Table
from clusterkit.messages import msg

__all__ = ["DETECT", "CsvOptions", "decode", "detect_delimiter", "read_csv"]

_DELIMITERS = (",", ";", "\t")


@attrs.frozen
class CsvOptions:
    """How CSV files are read.

    Attributes:
        encoding: the files' encoding (any Python codec name); None: detect it.
        decimal_comma: whether numbers have a decimal comma; None: when the file is
            delimited with ``;``.
    """

    encoding: str | None = None
    decimal_comma: bool | None = None


#: Every CSV setting detected from the file.
DETECT = CsvOptions()

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[^\W\d_]+")
# Characters of cp1251 outside ASCII that are not letters: typographic punctuation.
_CP1251_MARKS = set("‚„…†‡€‰‹‘’“”•–—™›\xa0¤¦§©«¬\xad®°±µ¶·№»")


def _plausible_cp1251(text: str) -> bool:
    """Whether text decoded as cp1251 reads as Russian text rather than as another
    single-byte encoding misread: its non-ASCII characters are Cyrillic letters and
    punctuation, and its Cyrillic words have no Latin letters inside them."""
    if any(ord(ch) > 127 and not _CYRILLIC.match(ch) and ch not in _CP1251_MARKS for ch in text):
        return False
    words = [w for w in _WORD.findall(text) if _CYRILLIC.search(w)]
    mixed = sum(1 for w in words if _LATIN.search(w))
    return bool(words) and mixed * 10 <= len(words)


def decode(data: bytes, shown: str, problems: list[Diagnostic], encoding: str | None) -> str | None:
    """A CSV file's text: in ``encoding`` if named, else detected (see the module's
    documentation); None with the problem added to ``problems``."""
    if encoding is not None:
        name = codecs.lookup(encoding).name
        if name in ("utf-8", "utf-8-sig"):
            name = "utf-8-sig"
        try:
            return data.decode(name)
        except UnicodeDecodeError as exc:
            problems.append(
                data_error(
                    codes.DATA_UNREADABLE,
                    shown,
                    msg(
                        "is not {encoding} text (byte {start})", encoding=encoding, start=exc.start
                    ),
                    hint=msg("the encoding is named by csv_encoding or --csv-encoding"),
                )
            )
            return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            problems.append(
                data_error(
                    codes.DATA_UNREADABLE,
                    shown,
                    msg("is not UTF-16 text (byte {start})", start=exc.start),
                )
            )
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_cp1251(text):
        return text
    problems.append(
        data_error(
            codes.DATA_UNREADABLE,
            shown,
            msg("is not UTF-8 text (byte {start}), nor Russian text in cp1251", start=start),
            hint=msg(
                "save it as UTF-8, or name its encoding: csv_encoding in the dataset "
                "table or --csv-encoding"
            ),
        )
    )
    return None


def detect_delimiter(text: str) -> str:
    """``,``, ``;`` or a tab: whichever the first line has most of outside quotes."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "\r\n":
            break
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(
    path: Path, shown: str, problems: list[Diagnostic], options: CsvOptions = DETECT
) -> Table | None:
    """A CSV file as a table, or None if it cannot be read (the problem in ``problems``).

    Rows with no text in any cell are skipped; a row with more cells than the header
    is an error unless the extra cells are empty, as is one with fewer.
    """
    data = read_bytes(path, shown, problems)
    if data is None:
        return None
    text = decode(data, shown, problems, options.encoding)
    if text is None:
        return None
    delimiter = detect_delimiter(text)
    decimal_comma = delimiter == ";" if options.decimal_comma is None else options.decimal_comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.append(data_error(codes.DATA_CSV, shown, msg("empty file: expected a header row")))
        return None
    except csv.Error as exc:
        problems.append(
            data_error(codes.DATA_CSV, shown, msg("not valid CSV: {why}", why=str(exc)))
        )
        return None
    table = Table(shown, header, [], decimal_comma=decimal_comma)
    number = 0
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            number += 1
            row = _row(table, number, start, cells, problems)
            if row is not None:
                table.rows.append(row)
    except csv.Error as exc:
        problems.append(
            table.problem(msg("not valid CSV: {why}", why=str(exc)), Row(number + 1, line + 1, {}))
        )
    return table


def _row(
    table: Table, number: int, line: int, cells: list[str], problems: list[Diagnostic]
) -> Row | None:
    values = [c.strip() for c in cells]
    if not any(values):
        return None
    width = len(table.header)
    if len(values) > width and not any(values[width:]):
        values = values[:width]
    row = Row(number, line, {})
    if len(values) != width:
        problems.append(
            table.problem(
                msg("row has {cells} cells, the header {width}", cells=len(values), width=width),
                row,
                None,
            )
        )
        return None
    for column, (name, value) in enumerate(zip(table.header, values, strict=True), start=1):
        if not value:
            continue
        if not name:
            problems.append(
                table.problem(
                    msg(
                        "a value in column {column}, which has no name in the header",
                        column=column,
                    ),
                    row,
                )
            )
            return None
        row.cells[name] = value
    return row
