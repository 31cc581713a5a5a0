"""Tests of ``clusterkit.loader``, one module per module of it."""
