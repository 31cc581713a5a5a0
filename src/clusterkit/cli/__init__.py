"""The ``clusterkit`` command: a thin layer over the library.

Its commands, by audience:

- :mod:`~clusterkit.cli.rules`: ``check``, ``lint``, ``test``, for rule authors;
- :mod:`~clusterkit.cli.data`: ``validate``, ``import-participants``, ``report``;
- :mod:`~clusterkit.cli.store`: ``registry ...``, ``observe``, ``runs ...``, ``plugins``;
- :mod:`~clusterkit.cli.common`: what they share (exit codes, the diagnostics
  printer, the date type, the common options, the store).

Exit codes: 0 all good; 1 a rule failed or breached; 2 the input has errors; 3 an
internal error, a bug in clusterkit (:data:`EXIT_INTERNAL`): it is reported in one
short message, never as a raw traceback, unless ``CLUSTERKIT_DEBUG=1`` asks for it.

Commands import the rules language and the plugins when they run, so that
``clusterkit --help`` and ``clusterkit --version`` stay fast.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from clusterkit._version import __version__
from clusterkit.cli import data, integrate, rules, store

__all__ = ["EXIT_INTERNAL", "cli", "main"]

#: An internal error: an exception clusterkit did not expect, which is a bug in it.
EXIT_INTERNAL = 3


def N_(message: str) -> str:  # noqa: N802 - marks a message for the catalogs, as in i18n
    return message


_INTERNAL_MESSAGE = N_(
    "internal error in clusterkit (a bug): {error}; please report it with the command and input"
)
_DEBUG_HINT = N_("re-run with CLUSTERKIT_DEBUG=1 to see the traceback")
#: How much of the exception's message is shown (it may quote a whole input).
_MESSAGE_CHARS = 300


class _Guarded(click.Group):
    """The command group, which turns an unexpected exception into one message and exit 3.

    What click itself handles passes through: its own errors and exits, an abort (Ctrl-C,
    end of input), and a closed pipe.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, EOFError):
            raise
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise
            _report_internal_error(exc)
            raise click.exceptions.Exit(EXIT_INTERNAL) from None


def _report_internal_error(exc: BaseException) -> None:
    debug = os.environ.get("CLUSTERKIT_DEBUG", "") not in ("", "0")
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    lines = str(exc).strip().splitlines()
    message = lines[0] if lines else ""
    if len(message) > _MESSAGE_CHARS or len(lines) > 1:
        message = message[:_MESSAGE_CHARS] + " ..."
    # Control characters from the input must not reach the terminal.
    message = "".join(c if c.isprintable() else "?" for c in message)
    error = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    click.echo(_translated(_INTERNAL_MESSAGE).format(error=error), err=True)
    if not debug:
        click.echo(_translated(_DEBUG_HINT), err=True)


def _translated(text: str) -> str:
    try:
        from clusterkit.i18n import local

        return local(text)
    except Exception:  # the message must be shown even if the catalogs cannot be read
        return text


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clusterkit")
def cli() -> None:
    """clusterkit: cluster-development policy as rules that run."""


for _command in (*rules.COMMANDS, *data.COMMANDS, *store.COMMANDS, *integrate.COMMANDS):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="clusterkit")
