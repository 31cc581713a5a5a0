"""The ``clusterkit`` command: a thin layer over the library.

Its commands, by audience:

- :mod:`~clusterkit.cli.rules`: ``check``, ``lint``, ``test``, for rule authors;
- :mod:`~clusterkit.cli.data`: ``validate``, ``import-participants``, ``report``;
- :mod:`~clusterkit.cli.store`: ``registry ...``, ``observe``, ``runs ...``, ``plugins``;
- :mod:`~clusterkit.cli.common`: what they share (exit codes, the diagnostics
  printer, the date type, the common options, the store).

Exit codes: 0 all good; 1 a rule failed or breached; 2 the input has errors.

A command's module is imported when the command runs, and the command imports the
rules language and the plugins only then, so that ``clusterkit --version`` imports
click and nothing else of weight.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import click

from clusterkit._version import __version__

__all__ = ["COMMAND_MODULES", "cli", "main"]

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
    """A group whose commands are imported by name when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        home = COMMAND_MODULES.get(cmd_name)
        if home is None:
            return None
        module = importlib.import_module(f"clusterkit.cli.{home}")
        commands: tuple[click.Command, ...] = module.COMMANDS
        return next(c for c in commands if c.name == cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clusterkit")
def cli() -> None:
    """clusterkit: cluster-development policy as rules that run."""


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="clusterkit")
