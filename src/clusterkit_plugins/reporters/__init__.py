"""Built-in reporters: text, JSON, Markdown, HTML, CSV and xlsx.

Each reporter's module exposes ``plugin``, registered under the ``clusterkit.reporters``
entry-point group in clusterkit's ``pyproject.toml``. The other modules are what they
share (:mod:`.common`, :mod:`.sections`, :mod:`.words`) and the xlsx reporter's cells
and number formats (:mod:`.xlsx_cells`).
"""
