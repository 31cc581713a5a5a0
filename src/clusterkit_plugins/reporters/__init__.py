"""Built-in reporters: text, JSON, Markdown, HTML and CSV.

Each module exposes ``plugin``, registered under the ``clusterkit.reporters``
entry-point group in clusterkit's ``pyproject.toml``.
"""
