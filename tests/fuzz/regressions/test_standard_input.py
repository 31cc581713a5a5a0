"""``fmt -`` reads rule text from standard input as bytes, whatever the locale.

Was: under a UTF-8 locale (standard input decoded strictly, as CliRunner does too), a
byte that is not UTF-8 raised UnicodeDecodeError, an internal error.
"""

from __future__ import annotations

from click.testing import CliRunner

from clusterkit.cli import cli


def _fmt(stdin: bytes) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["fmt", "-"], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_a_byte_that_is_not_utf8_is_a_diagnostic() -> None:
    code, out, err = _fmt(b"rulebook a\nconst x = \x80\n")
    assert (code, out) == (2, "")
    assert err.startswith("-:2:11: error[R101]: ")


def test_a_byte_order_mark_is_dropped() -> None:
    code, out, _ = _fmt(b"\xef\xbb\xbfrulebook a\nconst  x =  1\n")
    assert (code, out) == (0, "rulebook a\n\nconst x = 1\n")
