"""``python -m clusterkit`` runs the CLI."""

from clusterkit.cli import main

main()
