"""Reading and writing datasets: JSON and TOML in, JSON out, CSV participant lists.

- :mod:`~clusterkit.loader.files`: reading text within a size limit, finding a
  dataset's data files, atomic writes.
- :mod:`~clusterkit.loader.documents`: JSON and TOML documents to a
  :class:`~clusterkit.model.Dataset` and back.
- :mod:`~clusterkit.loader.participants_csv`: the participants CSV reader.

Every problem is collected, not just the first, and reported as a
:class:`~clusterkit.diagnostics.Diagnostic` naming the file and data path; the
functions raise :class:`~clusterkit.diagnostics.DiagnosticError` with all of them.
"""

from clusterkit.loader.documents import (
    dataset_from_document,
    dump_dataset,
    load_dataset,
    save_dataset,
)
from clusterkit.loader.files import MAX_FILE_BYTES, atomic_write, read_text
from clusterkit.loader.participants_csv import CSV_COLUMNS, read_participants_csv

__all__ = [
    "CSV_COLUMNS",
    "MAX_FILE_BYTES",
    "atomic_write",
    "dataset_from_document",
    "dump_dataset",
    "load_dataset",
    "read_participants_csv",
    "read_text",
    "save_dataset",
]
