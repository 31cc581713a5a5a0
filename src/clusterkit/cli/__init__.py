"""The ``clusterkit`` command: a thin layer over the library.

Its commands, by audience:

- :mod:`~clusterkit.cli.rules`: ``check``, ``lint``, ``test``, for rule authors;
- :mod:`~clusterkit.cli.data`: ``validate``, ``import-participants``, ``report``;
- :mod:`~clusterkit.cli.store`: ``registry ...``, ``observe``, ``runs ...``, ``plugins``;
- :mod:`~clusterkit.cli.common`: what they share (exit codes, the diagnostics
  printer, the date type, the common options, the store).

Exit codes: 0 all good; 1 a rule failed or breached; 2 the input has errors.

Commands import the rules language and the plugins when they run, so that
``clusterkit --help`` and ``clusterkit --version`` stay fast.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from clusterkit._version import __version__
from clusterkit.cli import data, integrate, rules, store

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clusterkit")
def cli() -> None:
    """clusterkit: cluster-development policy as rules that run."""


for _command in (*rules.COMMANDS, *data.COMMANDS, *store.COMMANDS, *integrate.COMMANDS):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="clusterkit")
