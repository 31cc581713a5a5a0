"""What translatable diagnostics cost: a message made from a template against the
f-string it replaced, and a large file of bad data reported in English and in Russian.

    python benchmarks/messages.py [ROWS]

Prints measurements and ratios; asserts nothing (see benchmarks/README.md).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import clusterkit
from clusterkit.messages import msg

DATASET = (
    '{"dataset": {"id": "d", "title": {"en": "D"}}, '
    '"regions": [{"code": "KZ-AKM", "name": {"en": "A"}}], '
    '"sectors": [{"code": "food", "name": {"en": "F"}}], '
    '"clusters": [{"id": "c1", "name": {"en": "C"}, "regions": ["KZ-AKM"], "sector": "food"}]}'
)
HEADER = "id,bin,role,region,oked,member_from\n"


def best(action: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def per_call(action: Callable[[], object], calls: int = 200_000) -> float:
    """Nanoseconds per call of ``action``."""

    def loop() -> None:
        for _ in range(calls):
            action()

    return best(loop) / calls * 1e9


def bad_data(folder: Path, rows: int) -> Path:
    """A dataset whose participants file has a wrong BIN on every row."""
    (folder / "data.json").write_text(DATASET, encoding="utf-8")
    (folder / "participants").mkdir()
    lines = [f"p{i},12345678901{i % 10},large,KZ-AKM,10.51,2020-01-01\n" for i in range(rows)]
    (folder / "participants" / "c1.csv").write_text(HEADER + "".join(lines), encoding="utf-8")
    return folder


def main(rows: int) -> None:
    name = "budgett"
    f_string = per_call(lambda: f"unknown name {name!r}")
    template = per_call(lambda: msg("unknown name {name!r}", name=name))
    made = msg("unknown name {name!r}", name=name)
    russian = per_call(lambda: made.render("ru"))
    print(f"f-string:                 {f_string:8.0f} ns")
    print(f"msg(template, **params):  {template:8.0f} ns  ({template / f_string:.1f}x)")
    print(f"render('ru'):             {russian:8.0f} ns")

    with tempfile.TemporaryDirectory() as tmp:
        folder = bad_data(Path(tmp), rows)
        found: list[clusterkit.Diagnostic] = []

        def load() -> None:
            try:
                clusterkit.load_dataset(folder)
            except clusterkit.DiagnosticError as exc:
                found[:] = exc.diagnostics

        loading = best(load, 3)
        english = best(lambda: [d.text() for d in found], 3)
        translated = best(lambda: [d.text("ru") for d in found], 3)
        print(f"load {rows} bad rows:       {loading * 1000:8.1f} ms, {len(found)} diagnostics")
        print(f"  shown in English:       {english * 1000:8.1f} ms")
        ratio = translated / english if english else float("nan")
        print(f"  shown in Russian:       {translated * 1000:8.1f} ms  ({ratio:.1f}x English)")
        print(f"  Russian, of the load:   {translated / loading:8.1%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
