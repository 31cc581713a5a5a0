"""Benchmark: parse+check time, evaluation throughput, peak memory, and the ratio of
evaluation time to hand-written Python computing the same verdicts on the same data.

    python benchmarks/bench.py                 # 10,000 clusters, 1,000,000 participants
    python benchmarks/bench.py --clusters 500  # a quick run

It prints measurements; it asserts nothing about speed (shared machines vary), but
it does check that the rules and the hand-written code give the same verdicts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from handwritten import cofinancing, monitoring, registry  # noqa: E402
from registry import make_registry  # noqa: E402

from clusterkit.lang import check_rules, evaluate, load_program  # noqa: E402

RULES = HERE.parent / "rules"
SHIPPED = ["registry-entry.ckr", "tcp-cofinancing.ckr", "monitoring.ckr"]
AS_OF = dt.date(2025, 6, 30)


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def big_rule_file(rules: int) -> str:
    lines = ["rulebook bench.big", "const min_share = 30 %", "const cap = 112 mln KZT per year"]
    for i in range(rules):
        kind = i % 3
        if kind == 0:
            lines.append(
                f"rule share_{i} for each p in projects\n"
                f"  require p.cluster_amount >= min_share * p.budget within precision"
            )
        elif kind == 1:
            lines.append(
                f"rule cap_{i} for each p in projects\n"
                f"  let per_year = (p.budget - p.cluster_amount) / p.programme.duration\n"
                f"  require per_year <= cap"
            )
        else:
            lines.append(
                f"rule members_{i} for each c in clusters\n"
                f"  require count(x in c.participants where x.is_enterprise) >= {i % 7}"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clusters", type=int, default=10_000)
    parser.add_argument("--participants", type=int, default=100, help="per cluster")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--rules", type=int, default=10_000, help="rules in the big rule file")
    args = parser.parse_args()

    print("== parse + check")
    paths = [RULES / name for name in SHIPPED]
    seconds, _ = timed(lambda: check_rules(paths), repeat=3)
    print(f"shipped rulebooks ({len(SHIPPED)} files): {seconds * 1000:.1f} ms")
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.ckr"
        big.write_text(big_rule_file(args.rules), encoding="utf-8")
        seconds, diagnostics = timed(lambda: check_rules([big]))
        errors = [d for d in diagnostics if d.is_error]
        print(
            f"{args.rules:,}-rule file: parse+check {seconds:.2f} s "
            f"({len(errors)} errors; target under 1 s)"
        )
        seconds, _ = timed(lambda: load_program([big]))
        print(f"{args.rules:,}-rule file: parse+check+compile {seconds:.2f} s")

    print("== data")
    seconds, data = timed(lambda: make_registry(args.clusters, args.participants, args.years))
    participants = sum(len(c.participants) for c in data.clusters)
    print(
        f"synthetic registry: {len(data.clusters):,} clusters, {participants:,} participants, "
        f"{args.years} years of indicators, built in {seconds:.1f} s"
    )

    print("== evaluation (shipped rulebooks: registry entry, co-financing, monitoring)")
    program = load_program(paths)
    evaluate(program, data, AS_OF, data_sha256="-")  # warm-up
    rule_seconds, results = timed(lambda: evaluate(program, data, AS_OF, data_sha256="-"), 3)
    hand_seconds, verdicts = timed(
        lambda: registry(data) + cofinancing(data) + monitoring(data, AS_OF), 3
    )
    ours = sorted((r.rule, r.entity, r.outcome.value) for r in results.results)
    theirs = sorted(verdicts)
    agree = sum(1 for a, b in zip(ours, theirs, strict=False) if a == b)
    print(
        f"results: {len(ours):,} (hand-written: {len(theirs):,}; agreeing: {agree:,}"
        f"{'' if ours == theirs else ' — MISMATCH'})"
    )
    print(
        f"rules:        {rule_seconds:.2f} s, {len(ours) / rule_seconds:,.0f} verdicts/s, "
        f"{participants / rule_seconds:,.0f} participants/s"
    )
    print(f"hand-written: {hand_seconds:.2f} s")
    print(f"ratio rules / hand-written: {rule_seconds / hand_seconds:.2f}x (aim: within 2x)")
    hash_seconds, _ = timed(lambda: evaluate(program, data, AS_OF).provenance.data_sha256)
    print(f"with the data hash for provenance: {hash_seconds:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (whole process): {peak:,.0f} MiB")
    if ours != theirs:
        sys.exit(1)


if __name__ == "__main__":
    main()
