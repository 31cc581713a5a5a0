"""Tests of the ``clusterkit`` command, one module per module of ``clusterkit.cli``."""
