"""Where each item of a dataset came from: the file and the item's path in it, or the
table row, so that a problem found once the dataset is assembled is reported where its
item was written."""

from __future__ import annotations

import re

import attrs

from clusterkit.loader.tables import Row, Shape, Table

__all__ = ["PARTICIPANT_PATH", "Part", "Place", "Segments"]

#: The path of a participant's field in a cluster.
PARTICIPANT_PATH = re.compile(r"^clusters\[(\d+)\]\.participants\[(\d+)\]\.?(.*)$")

#: Where an item came from in a table: the table, its shape and the item's row.
Place = tuple[Table, Shape, Row]


@attrs.frozen
class Part:
    """Items of a collection from one file: ``count`` of them from index ``start``,
    and for a table the row of each."""

    file: str
    start: int
    count: int
    rows: tuple[Place, ...] = ()


@attrs.define
class Segments:
    """Which file each item of a merged collection came from."""

    parts: list[Part] = attrs.Factory(list)

    def add(self, file: str, start: int, count: int, rows: tuple[Place, ...] = ()) -> None:
        self.parts.append(Part(file, start, count, rows))

    def locate(
        self, collection: str, path: str, elsewhere: str = "(base data)", offset: int = 0
    ) -> tuple[str, str]:
        """The file an item came from and its path there; ``elsewhere`` for other items.

        ``offset`` is how many items of the collection precede the files' ones.
        """
        file, where, _place = self.find(collection, path, elsewhere, offset)
        return file, where

    def find(
        self, collection: str, path: str, elsewhere: str = "(base data)", offset: int = 0
    ) -> tuple[str, str, tuple[Place, str] | None]:
        """As :meth:`locate`, and for an item from a table its row and the path in it."""
        match = re.match(rf"^{re.escape(collection)}\[(\d+)\]", path)
        if match is None:
            return (self.parts[0].file if self.parts else elsewhere), path, None
        index = int(match[1]) - offset
        for part in self.parts:
            if part.start <= index < part.start + part.count:
                rest = path[match.end() :]
                if part.rows:
                    return part.file, path, (part.rows[index - part.start], rest.lstrip("."))
                return part.file, f"{collection}[{index - part.start}]{rest}", None
        return elsewhere, path, None
