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

A command's module is imported when the command runs, and the command imports the
rules language and the plugins only then, so that ``clusterkit --version`` imports
click and nothing else of weight.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from clusterkit._version import __version__

__all__ = ["COMMAND_MODULES", "EXIT_INTERNAL", "cli", "main"]

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

#: Each command and the module that defines it
#: (in its ``COMMANDS``). A module is imported only when one of its commands runs, so
#: ``clusterkit --version`` and ``clusterkit lint`` load what they need and no more.
COMMAND_MODULES: dict[str, str] = {
    "check": "rules",
    "lint": "rules",
    "test": "rules",
    "fmt": "rules",
    "lsp": "rules",
    "validate": "data",
    "import-participants": "data",
    "report": "data",
    "registry": "store",
    "observe": "store",
    "runs": "store",
    "plugins": "store",
    "schema": "integrate",
    "serve": "integrate",
}


class _LazyGroup(click.Group):
    """A group whose commands are imported by name when asked for, and which turns an
    unexpected exception into one message and exit 3.

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

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        home = COMMAND_MODULES.get(cmd_name)
        if home is None:
            return None
        module = importlib.import_module(f"clusterkit.cli.{home}")
        commands: tuple[click.Command, ...] = module.COMMANDS
        return next(c for c in commands if c.name == cmd_name)


def _report_internal_error(exc: BaseException) -> None:
    debug = os.environ.get("CLUSTERKIT_DEBUG", "") not in ("", "0")
    if debug:
        import traceback

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


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clusterkit")
def cli() -> None:
    """clusterkit: cluster-development policy as rules that run."""


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="clusterkit")
