"""Reading and writing datasets: JSON, TOML, CSV and spreadsheets in, JSON out.

- :mod:`~clusterkit.loader.files`: reading text within a size limit, listing a
  dataset's folder, atomic writes.
- :mod:`~clusterkit.loader.documents`: JSON and TOML documents to a
  :class:`~clusterkit.model.Dataset` and back; their text is parsed by
  :mod:`~clusterkit.loader.parse`, and :mod:`~clusterkit.loader.dataset_schema` reads
  the schema the data is checked against.
- :mod:`~clusterkit.loader.folder`: the tables in a dataset's folder, and a warning
  for each file that is not read.
- :mod:`~clusterkit.loader.tables`: what a table's columns are, and
  :mod:`~clusterkit.loader.cells` how its cells are read;
  :mod:`~clusterkit.loader.csv_tables` (CSV as spreadsheets write it) and
  :mod:`~clusterkit.loader.xlsx` (``.xlsx``, with the optional extra ``xlsx``) read them.
- :mod:`~clusterkit.loader.participants_csv`: the participants reader.
- :mod:`~clusterkit.loader.collect`: every document's and table's collections,
  structured item by item against the schema (:mod:`~clusterkit.loader.structure`);
  :mod:`~clusterkit.loader.assemble` makes them one dataset and checks its
  references, and :mod:`~clusterkit.loader.origins` says where each item was written.

Every problem is collected, not just the first, and reported as a
:class:`~clusterkit.diagnostics.Diagnostic` naming the file and data path; the
functions raise :class:`~clusterkit.diagnostics.DiagnosticError` with all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterkit.lazy import lazy_attributes
from clusterkit.loader.files import MAX_FILE_BYTES, atomic_write, read_text

if TYPE_CHECKING:
    from clusterkit.loader.csv_tables import CsvOptions
    from clusterkit.loader.documents import (
        dataset_from_document,
        dump_dataset,
        load_dataset,
        save_dataset,
    )
    from clusterkit.loader.participants_csv import CSV_COLUMNS, read_participants_csv

__all__ = [
    "CSV_COLUMNS",
    "MAX_FILE_BYTES",
    "CsvOptions",
    "atomic_write",
    "dataset_from_document",
    "dump_dataset",
    "load_dataset",
    "read_participants_csv",
    "read_text",
    "save_dataset",
]

# The readers are imported when first used: reading rule files (``clusterkit lint``)
# needs the file functions only, not the data model the readers bring.
_LAZY = {
    "CSV_COLUMNS": ".participants_csv",
    "read_participants_csv": ".participants_csv",
    "CsvOptions": ".csv_tables",
    "dataset_from_document": ".documents",
    "dump_dataset": ".documents",
    "load_dataset": ".documents",
    "save_dataset": ".documents",
}


__getattr__ = lazy_attributes(__name__, _LAZY, globals())
