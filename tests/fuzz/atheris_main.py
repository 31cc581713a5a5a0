# ruff: noqa: PLC0415 - atheris instruments what is imported after it starts
"""Coverage-guided fuzzing with atheris (optional; ``pip install atheris``).

The hypothesis targets beside this file draw inputs from the shipped files; atheris
instead mutates bytes and keeps the ones that reach new lines of clusterkit. The oracle
is the same: clusterkit's own diagnostics, or a clean result, and nothing else.

    python -m tests.fuzz.atheris_main rules -max_total_time=600 -seed_dir
    python -m tests.fuzz.atheris_main json -max_total_time=600

The first argument picks the target (``rules``: rule text compiled and, when it compiles,
evaluated on the Kazakh example; ``json``: a JSON dataset document); the rest go to
libFuzzer. The shipped files seed the corpus (written to ``.fuzz-corpus/<target>``, which
is ignored by git). A crash is written by libFuzzer as ``crash-<sha1>``; replay it with
the same command and the file as the last argument.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _corpus(target: str) -> Path:
    folder = ROOT / ".fuzz-corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted((ROOT / "rules").glob("*.ckr")) if target == "rules" else []
    if target == "json":
        seeds = sorted((ROOT / "examples").rglob("*.json"))
    for i, seed in enumerate(seeds):
        (folder / f"seed-{i:03d}").write_bytes(seed.read_bytes())
    return folder


def main() -> None:
    try:
        import atheris
    except ImportError:
        sys.exit("atheris is not installed: pip install atheris")
    target = sys.argv[1] if len(sys.argv) > 1 else "rules"
    with atheris.instrument_imports():
        import clusterkit
        from clusterkit.loader.documents import parse_document
    from tests.fuzz.common import diagnosed, evaluated

    dataset = clusterkit.load_dataset(ROOT / "examples" / "kazakhstan-2021")
    day = dt.date(2021, 6, 1)

    def rules(data: bytes) -> None:
        text = data.decode("utf-8", "surrogateescape")
        program = diagnosed(lambda: clusterkit.compile_rules(text, "fuzz.ckr", root=ROOT / "rules"))
        if program is not None:
            results = evaluated(program, dataset, day)
            if results is not None:
                results.render("ru", show_all=True)

    def json_document(data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        problems: list[clusterkit.Diagnostic] = []
        document = parse_document(text, "fuzz.json", problems)
        if document is not None:
            diagnosed(lambda: clusterkit.dataset_from_dict(document, name="fuzz.json"))

    targets: dict[str, Callable[[bytes], None]] = {"rules": rules, "json": json_document}
    if target not in targets:
        sys.exit(f"unknown target {target!r}: one of {', '.join(targets)}")
    argv = [sys.argv[0], *sys.argv[2:]]
    if not any(not a.startswith("-") for a in argv[1:]):
        argv.append(str(_corpus(target)))
    atheris.Setup(argv, targets[target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
