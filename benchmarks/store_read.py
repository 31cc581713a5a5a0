"""Benchmark: what reading stored documents under the stored schema costs.

Stores read every document through the loader's structurer under the store's schema
(so that declared fields and records come back), where they once structured each
with the bare cattrs converter, which knows no schema. This prints, for a synthetic
registry in a SQLite store: the time of ``store.dataset()`` and ``store.clusters()``,
the bare converter's time on the same documents (the floor: the old way, which
cannot read declared data), their ratio, the time of an import (which reads the
store back only when its schema changes), and of a backup's export and reading.

    python benchmarks/store_read.py                    # 500 clusters of 100 participants
    python benchmarks/store_read.py --clusters 50      # a quick run
    python benchmarks/store_read.py --declared         # every participant with a declared field

It asserts nothing about speed; it checks that the store gives back the dataset.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attrs
from registry import make_registry

from clusterkit.model import Cluster, Dataset, Extra
from clusterkit.plugins import open_store
from clusterkit.schema import FieldDecl, FieldType, Schema
from clusterkit.serde import structure
from clusterkit.transfer import export_lines, read_backup


def best(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def with_declared_field(dataset: Dataset) -> Dataset:
    """The registry under a schema that gives participants a yes/no field, all set."""
    field = FieldDecl("listed", FieldType("bool"))
    clusters = tuple(
        attrs.evolve(
            c,
            participants=tuple(
                attrs.evolve(p, extra=Extra({"listed": i % 2 == 0}))
                for i, p in enumerate(c.participants)
            ),
        )
        for c in dataset.clusters
    )
    schema = Schema(extensions=(("participant", field),))
    return attrs.evolve(dataset, clusters=clusters, schema=schema)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=500)
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--declared",
        action="store_true",
        help="a schema declares a field of participants, and every one has a value",
    )
    args = parser.parse_args()
    dataset = make_registry(args.clusters, args.participants, years=5)
    if args.declared:
        dataset = with_declared_field(dataset)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite://{folder}/store.sqlite3", create=True)
        start = time.perf_counter()
        store.import_dataset(dataset)
        imported = time.perf_counter() - start
        if store.dataset() != dataset:
            print("the store did not give back the dataset", file=sys.stderr)
            return 1
        docs = [json.loads(doc) for (doc,) in store._run("SELECT doc FROM clusters")]  # type: ignore[attr-defined]
        read = best(store.dataset, args.repeat)
        clusters = best(store.clusters, args.repeat)
        # The bare converter cannot read declared fields: it is timed without them.
        plain = [
            {
                **d,
                "participants": [
                    {k: v for k, v in p.items() if k != "listed"} for p in d["participants"]
                ],
            }
            for d in docs
        ]
        bare = best(lambda: [structure(d, Cluster) for d in plain], args.repeat)
        again = attrs.evolve(dataset, observations=())
        start = time.perf_counter()
        store.import_dataset(again)
        reimported = time.perf_counter() - start
        lines: list[str] = []
        exported = best(lambda: lines.__setitem__(slice(None), export_lines(store)), args.repeat)
        backup = best(lambda: read_backup(lines), args.repeat)
        store.close()
    members = args.clusters * args.participants
    print(
        f"registry: {args.clusters} clusters, {members} participants, "
        f"{len(dataset.observations)} observations"
    )
    print(f"import into an empty store      {imported:8.3f} s")
    print(f"import again (read back, check) {reimported:8.3f} s")
    print(f"store.dataset()                 {read:8.3f} s")
    print(f"store.clusters()                {clusters:8.3f} s")
    print(f"bare cattrs, the same clusters  {bare:8.3f} s")
    print(f"clusters(): schema-aware / bare {clusters / bare:8.2f} x")
    print(f"export a backup                 {exported:8.3f} s")
    print(f"read and check the backup       {backup:8.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
