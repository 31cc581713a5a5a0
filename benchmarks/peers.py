"""clusterkit beside the rule engines a Python user would otherwise pick, in one run.

    python benchmarks/peers.py                   # 10,000 records of each kind
    python benchmarks/peers.py --records 1000    # a quick run
    pip install -r benchmarks/requirements.txt   # the peers (each is optional)

The same rules, on the same records (``peer_data.py``), written for each engine:
hand-written Python with ``Decimal`` (the exact reference) and with ``float``,
clusterkit (its rules language), rule-engine, cel-python and zen-engine (a JSON
decision graph, and its compiled-expression API). Two groups of rules:

* cheap single-record rules: one comparison on a project's own figures;
* rulebook-like rules: the shipped rulebooks' co-financing share and yearly state cap,
  the registry-entry count of enterprises, and the monitoring band of a
  counter-obligation (breach below 70%, warning below 90%, else ok).

For each engine and group it prints the time (best of ``--repeat`` runs), the ratio to
hand-written Decimal Python, verdicts per second, and every verdict that differs from
the exact reference: how many, how many of the exact-boundary cases it gets wrong, and
an example. An engine that is not installed is reported as such. Nothing is asserted
about speed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import adapter  # noqa: E402
import peer_data  # noqa: E402
from peer_data import AS_OF, ENTERPRISE_ROLES, Records  # noqa: E402

from clusterkit.model import FundingSource, Role  # noqa: E402

Verdict = tuple[str, str, str]
#: Each kind of record's ``(id, input)`` pairs, the input in an engine's own form.
KindRows = dict[str, list[tuple[str, Any]]]
PASS, FAIL = "pass", "fail"

#: Which entity each rule judges.
KIND = {
    "budget_positive": "project",
    "share_within_budget": "project",
    "cluster_share": "project",
    "financing_adds_up": "project",
    "state_cap_per_year": "project",
    "enough_enterprises": "cluster",
    "counter_obligation": "obligation",
}
GROUPS = {
    "cheap": (
        "cheap single-record rules",
        ("budget_positive", "share_within_budget", "cluster_share", "financing_adds_up"),
    ),
    "rulebook": (
        "rulebook-like rules",
        ("cluster_share", "state_cap_per_year", "enough_enterprises", "counter_obligation"),
    ),
}

# -- the rules, once per engine ------------------------------------------------------

CLUSTERKIT_HEADER = """\
rulebook bench.peers
  title en "The peer benchmark's rules"
  currency KZT

const min_share = 30 %
const state_cap = 112 mln KZT per year
const min_enterprises = 10 organisation
"""
CLUSTERKIT = {
    "budget_positive": """
rule budget_positive for each p in projects
  require p.budget > 0 KZT""",
    "share_within_budget": """
rule share_within_budget for each p in projects
  require p.cluster_amount <= p.budget""",
    "cluster_share": """
rule cluster_share for each p in projects
  require p.cluster_amount >= min_share * p.budget""",
    "financing_adds_up": """
rule financing_adds_up for each p in projects
  require p.cluster_amount + p.state_amount + p.other_amount = p.budget""",
    "state_cap_per_year": """
rule state_cap_per_year for each p in projects
  let per_year = (p.budget - p.cluster_amount - p.other_amount) / p.programme.duration
  require per_year <= state_cap""",
    "enough_enterprises": """
rule enough_enterprises for each c in clusters
  require count(x in c.participants where x.is_enterprise) >= min_enterprises""",
    "counter_obligation": """
monitor counter_obligation for each o in obligations
  let achieved = (o.actual - o.base_value) / (o.target_value - o.base_value)
  breach when achieved < 70 %
  warning when 70 % <= achieved < 90 %
  ok when achieved >= 90 %""",
}

_ENTERPRISES = json.dumps(list(ENTERPRISE_ROLES))
_RATIO = "(actual - base) / (target - base)"

RULE_ENGINE = {
    "budget_positive": "budget > 0",
    "share_within_budget": "cluster <= budget",
    "cluster_share": "cluster >= 0.3 * budget",
    "financing_adds_up": "cluster + state + other == budget",
    "state_cap_per_year": "(budget - cluster - other) / years <= 112",
    "enough_enterprises": f"[x for x in participants if x['role'] in {_ENTERPRISES}].length >= 10",
    "counter_obligation": (f'{_RATIO} < 0.7 ? "breach" : ({_RATIO} < 0.9 ? "warning" : "pass")'),
}

_CEL_RATIO = "(o.actual - o.base) / (o.target - o.base)"
CEL = {
    "budget_positive": "p.budget > 0.0",
    "share_within_budget": "p.cluster <= p.budget",
    "cluster_share": "p.cluster >= 0.3 * p.budget",
    "financing_adds_up": "p.cluster + p.state + p.other == p.budget",
    "state_cap_per_year": "(p.budget - p.cluster - p.other) / double(p.years) <= 112.0",
    "enough_enterprises": f"size(c.participants.filter(x, x.role in {_ENTERPRISES})) >= 10",
    "counter_obligation": (
        f'{_CEL_RATIO} < 0.7 ? "breach" : ({_CEL_RATIO} < 0.9 ? "warning" : "pass")'
    ),
}
_CEL_VAR = {"project": "p", "cluster": "c", "obligation": "o"}

ZEN = {
    "budget_positive": "budget > 0",
    "share_within_budget": "cluster <= budget",
    "cluster_share": "cluster >= 0.3 * budget",
    "financing_adds_up": "cluster + state + other == budget",
    "state_cap_per_year": "(budget - cluster - other) / years <= 112",
    "enough_enterprises": f"count(participants, #.role in {_ENTERPRISES}) >= 10",
    "counter_obligation": RULE_ENGINE["counter_obligation"],
}


# -- hand-written Python: one function per group, for Decimal or float ---------------

_ENTERPRISE_SET = frozenset(ENTERPRISE_ROLES)


def hand_cheap(data: Records, share: Any) -> list[Verdict]:
    out: list[Verdict] = []
    add = out.append
    for p in data.projects:
        pid, budget, cluster = p["id"], p["budget"], p["cluster"]
        add(("budget_positive", pid, PASS if budget > 0 else FAIL))
        add(("share_within_budget", pid, PASS if cluster <= budget else FAIL))
        add(("cluster_share", pid, PASS if cluster >= share * budget else FAIL))
        adds_up = cluster + p["state"] + p["other"] == budget
        add(("financing_adds_up", pid, PASS if adds_up else FAIL))
    return out


def hand_rulebook(data: Records, share: Any, cap: Any, low: Any, high: Any) -> list[Verdict]:
    out: list[Verdict] = []
    add = out.append
    for p in data.projects:
        pid, budget, cluster = p["id"], p["budget"], p["cluster"]
        add(("cluster_share", pid, PASS if cluster >= share * budget else FAIL))
        per_year = (budget - cluster - p["other"]) / p["years"]
        add(("state_cap_per_year", pid, PASS if per_year <= cap else FAIL))
    for c in data.clusters:
        enterprises = sum(1 for x in c["participants"] if x["role"] in _ENTERPRISE_SET)
        add(("enough_enterprises", c["id"], PASS if enterprises >= 10 else FAIL))
    for o in data.obligations:
        base = o["base"]
        achieved = (o["actual"] - base) / (o["target"] - base)
        level = "breach" if achieved < low else ("warning" if achieved < high else PASS)
        add(("counter_obligation", o["id"], level))
    return out


def model_cheap(dataset: Any) -> list[Verdict]:
    """The cheap rules in hand-written Decimal Python reading clusterkit's domain model
    (money in KZT; a project's share is the sum of its financing by that source)."""
    out: list[Verdict] = []
    add = out.append
    share = Decimal("0.3")
    for programme in dataset.programmes:
        for p in programme.projects:
            pid, budget = p.id, p.budget.amount
            cluster = p.funding(FundingSource.CLUSTER).amount
            state = p.funding(FundingSource.STATE).amount
            other = p.funding(FundingSource.OTHER).amount
            add(("budget_positive", pid, PASS if budget > 0 else FAIL))
            add(("share_within_budget", pid, PASS if cluster <= budget else FAIL))
            add(("cluster_share", pid, PASS if cluster >= share * budget else FAIL))
            adds_up = cluster + state + other == budget
            add(("financing_adds_up", pid, PASS if adds_up else FAIL))
    return out


def model_rulebook(dataset: Any) -> list[Verdict]:
    """The rulebook-like rules in hand-written Decimal Python on clusterkit's model."""
    out: list[Verdict] = []
    add = out.append
    share, cap = Decimal("0.3"), Decimal(112_000_000)
    low, high = Decimal("0.7"), Decimal("0.9")
    for programme in dataset.programmes:
        years = programme.end.year - programme.start.year + 1
        for p in programme.projects:
            pid, budget = p.id, p.budget.amount
            cluster = p.funding(FundingSource.CLUSTER).amount
            other = p.funding(FundingSource.OTHER).amount
            add(("cluster_share", pid, PASS if cluster >= share * budget else FAIL))
            per_year = (budget - cluster - other) / years
            add(("state_cap_per_year", pid, PASS if per_year <= cap else FAIL))
    for c in dataset.clusters:
        enterprises = sum(1 for x in c.participants if x.role in _MODEL_ENTERPRISES)
        add(("enough_enterprises", c.id, PASS if enterprises >= 10 else FAIL))
    reported = {}
    for r in dataset.observations:  # the latest report for each cluster, indicator and year
        key = (r.cluster, r.indicator, r.year)
        if r.reported_on <= AS_OF and (key not in reported or reported[key][0] <= r.reported_on):
            reported[key] = (r.reported_on, r.value)
    for o in dataset.obligations:
        actual = reported[(o.cluster, o.indicator, o.target_year)][1]
        base = o.base_value
        achieved = (actual - base) / (o.target_value - base)
        level = "breach" if achieved < low else ("warning" if achieved < high else PASS)
        add(("counter_obligation", o.id, level))
    return out


_MODEL_ENTERPRISES = frozenset(Role(r) for r in ENTERPRISE_ROLES)


def _model_compile(rules: tuple[str, ...]) -> Callable[[Any], list[Verdict]]:
    if rules == GROUPS["cheap"][1]:
        return model_cheap
    if rules == GROUPS["rulebook"][1]:
        return model_rulebook
    raise ValueError(f"no hand-written code for {rules}")


_DECIMAL_CONSTANTS = (Decimal("0.3"), Decimal(112), Decimal("0.7"), Decimal("0.9"))
_FLOAT_CONSTANTS = (0.3, 112.0, 0.7, 0.9)


def _hand(constants: tuple[Any, ...]) -> Callable[[tuple[str, ...]], Callable[[Records], Any]]:
    def compile_(rules: tuple[str, ...]) -> Callable[[Records], Any]:
        if rules == GROUPS["cheap"][1]:
            return lambda data: hand_cheap(data, constants[0])
        if rules == GROUPS["rulebook"][1]:
            return lambda data: hand_rulebook(data, *constants)
        raise ValueError(f"no hand-written code for {rules}")

    return compile_


# -- the engines ----------------------------------------------------------------------


def _outcome(value: Any) -> str:
    if isinstance(value, str):
        return str(value)
    return PASS if value else FAIL


def _by_kind(
    rows: KindRows, rules: Iterable[tuple[str, Any]]
) -> Iterator[tuple[list[tuple[str, Any]], list[tuple[str, Any]]]]:
    """For each kind of record: its rows and the (name, compiled rule) pairs judging it."""
    rules = list(rules)
    for kind, kind_rows in rows.items():
        mine = [(name, compiled) for name, compiled in rules if KIND[name] == kind]
        if mine:
            yield kind_rows, mine


def _per_rule(call: Callable[[Any, Any], Any]) -> Callable[[Any, Any], list[Verdict]]:
    """Run each compiled rule on each record in turn, as one does with a rule engine."""

    def run(compiled: list[tuple[str, Any]], rows: KindRows) -> list[Verdict]:
        out: list[Verdict] = []
        add = out.append
        for kind_rows, mine in _by_kind(rows, compiled):
            for rid, row in kind_rows:
                for name, rule in mine:
                    add((name, rid, _outcome(call(rule, row))))
        return out

    return run


def _rows(
    records: Records, convert: Callable[[str, dict[str, Any]], Any] | None = None
) -> KindRows:
    kinds = (
        ("project", records.projects),
        ("cluster", records.clusters),
        ("obligation", records.obligations),
    )
    return {
        kind: [(r["id"], convert(kind, r) if convert else r) for r in rows] for kind, rows in kinds
    }


def _rule_engine_compile(rules: tuple[str, ...]) -> list[tuple[str, Any]]:
    import rule_engine  # noqa: PLC0415 (optional: imported only when installed)

    return [(name, rule_engine.Rule(RULE_ENGINE[name])) for name in rules]


def _cel_environment(runner: str) -> Any:
    import celpy  # noqa: PLC0415 (optional: imported only when installed)
    import celpy.celparser  # noqa: PLC0415

    # cel-python keeps one parser for the process, built for the first runner's tree
    # class; start afresh so either runner can follow the other.
    celpy.celparser.CELParser.CEL_PARSER = None
    if runner == "compiled":
        return celpy.Environment(runner_class=celpy.CompiledRunner)
    return celpy.Environment()


def _cel_compile(runner: str) -> Callable[[tuple[str, ...]], list[tuple[str, Any]]]:
    def compile_(rules: tuple[str, ...]) -> list[tuple[str, Any]]:
        env = _cel_environment(runner)
        return [(name, env.program(env.compile(CEL[name]))) for name in rules]

    return compile_


def _cel_rows(decimal_records: Records, float_records: Records) -> KindRows:
    import celpy  # noqa: PLC0415 (optional: imported only when installed)

    return _rows(float_records, lambda kind, r: {_CEL_VAR[kind]: celpy.json_to_cel(r)})


def _zen_expressions_compile(rules: tuple[str, ...]) -> list[tuple[str, Any]]:
    import zen  # noqa: PLC0415 (optional: imported only when installed)

    return [(name, zen.compile_expression(ZEN[name])) for name in rules]


def _node(node_id: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": kind,
        "name": node_id,
        "position": {"x": 0, "y": 0},
        "content": content,
    }


def _edge(source: str, target: str) -> dict[str, str]:
    return {"id": f"{source}-{target}", "sourceId": source, "targetId": target, "type": "edge"}


def zen_graphs(rules: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """One JSON decision model per kind of record: request -> expression node (one
    expression per rule) -> response; the monitoring band is a first-hit decision
    table on the achieved share."""
    graphs: dict[str, dict[str, Any]] = {}
    for kind in ("project", "cluster", "obligation"):
        mine = [name for name in rules if KIND[name] == kind]
        if not mine:
            continue
        nodes = [_node("request", "inputNode", {}), _node("response", "outputNode", {})]
        edges: list[dict[str, str]] = []
        expressions = [
            {"id": name, "key": name, "value": ZEN[name]}
            for name in mine
            if name != "counter_obligation"
        ]
        if expressions:
            nodes.append(_node("rules", "expressionNode", {"expressions": expressions}))
            edges += [_edge("request", "rules"), _edge("rules", "response")]
        if "counter_obligation" in mine:
            achieved = [{"id": "achieved", "key": "achieved", "value": _RATIO}]
            bands = [("< 0.7", "breach"), ("< 0.9", "warning"), ("", "pass")]
            table = {
                "hitPolicy": "first",
                "inputs": [{"id": "achieved", "name": "achieved", "field": "achieved"}],
                "outputs": [{"id": "level", "name": "level", "field": "counter_obligation"}],
                "rules": [
                    {"_id": f"band{i}", "achieved": test, "level": json.dumps(level)}
                    for i, (test, level) in enumerate(bands)
                ],
            }
            nodes.append(_node("share", "expressionNode", {"expressions": achieved}))
            nodes.append(_node("band", "decisionTableNode", table))
            edges += [_edge("request", "share"), _edge("share", "band"), _edge("band", "response")]
        graphs[kind] = {"nodes": nodes, "edges": edges}
    return graphs


def _zen_graph_compile(rules: tuple[str, ...]) -> tuple[Any, dict[str, Any], tuple[str, ...]]:
    import zen  # noqa: PLC0415 (optional: imported only when installed)

    graphs = zen_graphs(rules)
    engine = zen.ZenEngine({"loader": {"type": "static", "content": graphs}})
    decisions = {kind: engine.create_decision(json.dumps(g)) for kind, g in graphs.items()}
    return engine, decisions, rules


def _zen_collect(
    rules: tuple[str, ...], kind_rows: KindRows, results: Iterable[Any]
) -> list[Verdict]:
    out: list[Verdict] = []
    add = out.append
    results = iter(results)
    for kind, rows in kind_rows.items():
        mine = [name for name in rules if KIND[name] == kind]
        if not mine:
            continue
        for (rid, _), result in zip(rows, results, strict=False):
            for name in mine:
                add((name, rid, _outcome(result.get(name))))
    return out


def _zen_batch_run(compiled: Any, rows: KindRows) -> list[Verdict]:
    engine, decisions, rules = compiled
    kinds = [k for k in rows if k in decisions]
    requests = [{"key": k, "context": row} for k in kinds for _, row in rows[k]]
    answers = engine.evaluate_batch(requests)
    results = (a["data"]["result"] if a.get("success") else {} for a in answers)
    return _zen_collect(rules, {k: rows[k] for k in kinds}, results)


def _zen_each_run(compiled: Any, rows: KindRows) -> list[Verdict]:
    _, decisions, rules = compiled
    kinds = [k for k in rows if k in decisions]
    results = (decisions[k].evaluate(row)["result"] for k in kinds for _, row in rows[k])
    return _zen_collect(rules, {k: rows[k] for k in kinds}, results)


@dataclass
class Engine:
    """How one engine compiles the rules, takes the records and runs.

    ``decimal`` says whether its arithmetic is decimal (so it must agree with the
    reference on every verdict); it is what the engine claims, the run measures it.
    """

    name: str
    arithmetic: str
    decimal: bool
    requires: str | None
    compile: Callable[[tuple[str, ...]], Any]
    inputs: Callable[[Records, Records], Any]
    run: Callable[[Any, Any], Any]
    collect: Callable[[Any], list[Verdict]] = field(default=lambda verdicts: verdicts)
    note: str = ""

    def missing(self) -> str | None:
        """Why it cannot run here, or None."""
        if self.requires is None:
            return None
        try:
            metadata.version(self.requires)
        except metadata.PackageNotFoundError:
            return "not installed"
        return None

    def version(self) -> str:
        if self.requires is None:
            return ""
        try:
            return metadata.version(self.requires)
        except metadata.PackageNotFoundError:
            return ""


def _clusterkit_compile(rules: tuple[str, ...]) -> Any:
    text = CLUSTERKIT_HEADER + "".join(CLUSTERKIT[name] + "\n" for name in rules)
    return adapter.compile_rules(text, name="peers.ckr")


CLUSTERKIT_READ = "clusterkit, reading every verdict"
MODEL = "hand-written Python, Decimal, on clusterkit's model"


def _clusterkit_made(program: Any, dataset: Any) -> Any:
    results = adapter.evaluate(program, dataset, AS_OF)
    adapter.made_results(results)
    return results


ENGINES = [
    Engine(
        "hand-written Python, Decimal",
        "Decimal",
        True,
        None,
        _hand(_DECIMAL_CONSTANTS),
        lambda dec, flo: dec,
        lambda fn, data: fn(data),
        note="the exact reference",
    ),
    Engine(
        "hand-written Python, float",
        "float (binary64)",
        False,
        None,
        _hand(_FLOAT_CONSTANTS),
        lambda dec, flo: flo,
        lambda fn, data: fn(data),
    ),
    Engine(
        MODEL,
        "Decimal",
        True,
        None,
        _model_compile,
        lambda dec, flo: peer_data.to_dataset(dec),
        lambda fn, dataset: fn(dataset),
        note="the same hand-written rules reading clusterkit's domain model, not dicts",
    ),
    Engine(
        "clusterkit",
        "Decimal",
        True,
        "clusterkit",
        _clusterkit_compile,
        lambda dec, flo: peer_data.to_dataset(dec),
        lambda program, dataset: adapter.evaluate(program, dataset, AS_OF),
        adapter.verdicts,
        note="clusterkit.evaluate: the verdicts kept as columns, a result (trace, failed "
        "comparison) made when it is read",
    ),
    Engine(
        CLUSTERKIT_READ,
        "Decimal",
        True,
        "clusterkit",
        _clusterkit_compile,
        lambda dec, flo: peer_data.to_dataset(dec),
        lambda program, dataset: adapter.verdicts(adapter.evaluate(program, dataset, AS_OF)),
        note="evaluate, then (rule, entity, outcome) of every verdict, as the hand-written "
        "functions give them",
    ),
    Engine(
        "clusterkit, every result made",
        "Decimal",
        True,
        "clusterkit",
        _clusterkit_compile,
        lambda dec, flo: peer_data.to_dataset(dec),
        _clusterkit_made,
        adapter.verdicts,
        note="evaluate, then every result made: its trace of exact values and, for a "
        "failure, the comparison",
    ),
    Engine(
        "rule-engine",
        "Decimal",
        True,
        "rule-engine",
        _rule_engine_compile,
        lambda dec, flo: _rows(dec),
        _per_rule(lambda rule, row: rule.evaluate(row)),
    ),
    Engine(
        "cel-python, compiled runner",
        "float (CEL double)",
        False,
        "cel-python",
        _cel_compile("compiled"),
        _cel_rows,
        _per_rule(lambda program, activation: program.evaluate(activation)),
    ),
    Engine(
        "cel-python, interpreted runner",
        "float (CEL double)",
        False,
        "cel-python",
        _cel_compile("interpreted"),
        _cel_rows,
        _per_rule(lambda program, activation: program.evaluate(activation)),
        note="cel-python's default runner",
    ),
    Engine(
        "zen-engine, decision graph, evaluate_batch",
        "rust_decimal",
        True,
        "zen-engine",
        _zen_graph_compile,
        lambda dec, flo: _rows(flo),
        _zen_batch_run,
        note="may use both cores",
    ),
    Engine(
        "zen-engine, decision graph, one evaluate() per record",
        "rust_decimal",
        True,
        "zen-engine",
        _zen_graph_compile,
        lambda dec, flo: _rows(flo),
        _zen_each_run,
    ),
    Engine(
        "zen-engine, compiled expressions",
        "rust_decimal",
        True,
        "zen-engine",
        _zen_expressions_compile,
        lambda dec, flo: _rows(flo),
        _per_rule(lambda expression, row: expression.evaluate(row)),
    ),
]
REFERENCE = ENGINES[0].name


# -- measuring ------------------------------------------------------------------------


@dataclass
class Row:
    """One engine's measurement on one group of rules."""

    engine: Engine
    missing: str | None = None
    error: str | None = None
    compile_seconds: float = 0.0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    verdicts: list[Verdict] = field(default_factory=list)
    differing: list[tuple[str, str, str, str]] = field(default_factory=list)
    boundary_wrong: int = 0


@dataclass
class GroupReport:
    key: str
    title: str
    rules: tuple[str, ...]
    boundary_total: int
    rows: list[Row]

    def reference(self) -> Row:
        return next(r for r in self.rows if r.engine.name == REFERENCE)


#: Slow engines are not run again once their runs have taken this long.
ENOUGH_SECONDS = 5.0


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best wall-clock time of up to ``repeat`` runs (fewer once they have taken
    :data:`ENOUGH_SECONDS`), the CPU time of that run, and its result."""
    best, best_cpu, result, spent = float("inf"), 0.0, None, 0.0
    for _ in range(max(1, repeat)):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if wall < best:
            best, best_cpu = wall, cpu
        spent += wall
        if spent > ENOUGH_SECONDS:
            break
    return best, best_cpu, result


def _compare(
    reference: dict[tuple[str, str], str], verdicts: list[Verdict], boundary: set[tuple[str, str]]
) -> tuple[list[tuple[str, str, str, str]], int]:
    got = {(rule, entity): outcome for rule, entity, outcome in verdicts}
    differing = []
    for key in sorted(reference.keys() | got.keys()):
        want, have = reference.get(key, "(none)"), got.get(key, "(none)")
        if want != have:
            differing.append((key[0], key[1], have, want))
    return differing, sum(1 for rule, entity, _, _ in differing if (rule, entity) in boundary)


def compare(
    records: int = 10_000,
    *,
    repeat: int = 3,
    engines: Sequence[Engine] | None = None,
    groups: Sequence[str] = ("cheap", "rulebook"),
    seed: int = 2021,
    progress: Callable[[str], None] | None = None,
) -> tuple[Records, list[GroupReport]]:
    """Run every engine on every group; the records and one report per group."""
    engines = list(ENGINES if engines is None else engines)
    if not any(e.name == REFERENCE for e in engines):
        engines.insert(0, ENGINES[0])
    data = peer_data.make_records(records, seed)
    floats = peer_data.as_floats(data)
    boundary = peer_data.at_boundary(data)
    inputs: dict[str, Any] = {}
    reports = []
    for key in groups:
        title, rules = GROUPS[key]
        in_group = {(rule, entity) for rule, entity in boundary if rule in rules}
        rows = []
        for engine in engines:
            row = Row(engine, missing=engine.missing())
            rows.append(row)
            if row.missing:
                continue
            if progress:
                progress(f"{title}: {engine.name}")
            try:
                if engine.name not in inputs:
                    inputs[engine.name] = engine.inputs(data, floats)
                row.compile_seconds, _, compiled = timed(lambda e=engine, r=rules: e.compile(r), 1)
                row.seconds, row.cpu_seconds, raw = timed(
                    lambda e=engine, c=compiled: e.run(c, inputs[e.name]), repeat
                )
                row.verdicts = engine.collect(raw)
            except Exception as exc:  # an engine's failure is reported, not raised
                row.error = f"{type(exc).__name__}: {exc}"
        report = GroupReport(key, title, rules, len(in_group), rows)
        reference = {(r, e): o for r, e, o in report.reference().verdicts}
        for row in rows:
            if not row.missing and not row.error:
                row.differing, row.boundary_wrong = _compare(reference, row.verdicts, in_group)
        reports.append(report)
    return data, reports


# -- printing -------------------------------------------------------------------------


def _record(data: Records, rule: str, entity: str) -> str:
    kind = KIND.get(rule, "project")
    rows = {"project": data.projects, "cluster": data.clusters, "obligation": data.obligations}
    row = next((r for r in rows[kind] if r["id"] == entity), None)
    if row is None:
        return ""
    if kind == "cluster":
        count = sum(1 for x in row["participants"] if x["role"] in _ENTERPRISE_SET)
        return f"{count} enterprises"
    return ", ".join(f"{k} {v}" for k, v in row.items() if k != "id")


def render(data: Records, reports: list[GroupReport]) -> str:
    lines = []
    for report in reports:
        ref = report.reference()
        count = len(ref.verdicts)
        lines += [
            "",
            f"### {report.title}: {', '.join(report.rules)}",
            "",
            f"{count:,} verdicts per engine, of which {report.boundary_total:,} sit exactly "
            "on a rule's threshold (exact-boundary cases).",
            "",
            "| engine | arithmetic | compile | time | CPU | × Decimal Python "
            "| × on clusterkit's model | verdicts/s "
            "| verdicts differing from exact | exact-boundary cases |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        model = next((r for r in report.rows if r.engine.name == MODEL and r.seconds), None)
        examples, by_rule = [], []
        seen: dict[frozenset[tuple[str, str, str, str]], str] = {}
        for row in report.rows:
            e = row.engine
            name = f"{e.name} {e.version()}".strip()
            if row.missing or row.error:
                why = row.missing or f"failed: {row.error}"
                lines.append(f"| {name} | {e.arithmetic} | {why} | | | | | | | |")
                continue
            ratio = row.seconds / ref.seconds if ref.seconds else float("nan")
            on_model = f"{row.seconds / model.seconds:.2f}x" if model is not None else ""
            rate = len(row.verdicts) / row.seconds if row.seconds else float("inf")
            if report.boundary_total == 0:
                edge = "none in this run"
            elif row.boundary_wrong:
                edge = f"**WRONG: {row.boundary_wrong:,} of {report.boundary_total:,}**"
            else:
                edge = f"all {report.boundary_total:,} right"
            lines.append(
                f"| {name} | {e.arithmetic} | {row.compile_seconds * 1000:,.1f} ms "
                f"| {row.seconds:.3f} s | {row.cpu_seconds:.3f} s | {ratio:.2f}x | {on_model} "
                f"| {rate:,.0f} "
                f"| {len(row.differing):,} | {edge} |"
            )
            if row.differing:
                counts = Counter(rule for rule, _, _, _ in row.differing)
                by_rule.append(
                    f"| {e.name} | " + " | ".join(f"{counts[r]:,}" for r in report.rules) + " |"
                )
                same = seen.setdefault(frozenset(row.differing), e.name)
                if same != e.name:
                    examples.append(f"- {e.name}: the same verdicts as {same}")
                    continue
                first: dict[str, tuple[str, str, str, str]] = {}
                for diff in row.differing:
                    first.setdefault(diff[0], diff)
                for rule, entity, have, want in first.values():
                    examples.append(
                        f"- {e.name}: {rule} on {entity} gives {have}, exactly it is {want} "
                        f"({_record(data, rule, entity)})"
                    )
        if by_rule:
            lines += [
                "",
                "Differing verdicts by rule:",
                "",
                "| engine | " + " | ".join(report.rules) + " |",
                "|---|" + "---:|" * len(report.rules),
                *by_rule,
                "",
                "An example of each:",
                "",
                *examples,
            ]
        notes = [f"- {r.engine.name}: {r.engine.note}" for r in report.rows if r.engine.note]
        if notes and report is reports[-1]:
            lines += ["", "Notes:", "", *notes]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--records", type=int, default=10_000, help="records of each kind")
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine (best is kept)")
    parser.add_argument(
        "--engines", help="comma-separated parts of engine names to run (default: all)"
    )
    parser.add_argument("--groups", default="cheap,rulebook", help="cheap, rulebook or both")
    args = parser.parse_args(argv)
    engines = ENGINES
    if args.engines:
        wanted = [w.strip().lower() for w in args.engines.split(",") if w.strip()]
        engines = [e for e in ENGINES if any(w in e.name.lower() for w in wanted)]
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    print(
        f"# clusterkit and its peers: {args.records:,} records of each kind, best of "
        f"{args.repeat}; Python {platform.python_version()}, {dt.date.today().isoformat()}"
    )
    data, reports = compare(
        args.records,
        repeat=args.repeat,
        engines=engines,
        groups=groups,
        progress=lambda s: print(f"  running {s}", file=sys.stderr, flush=True),
    )
    print(render(data, reports))
    reference_disagrees = any(
        row.differing
        for report in reports
        for row in report.rows
        if row.engine.name.startswith("clusterkit")
    )
    return 1 if reference_disagrees else 0


if __name__ == "__main__":
    sys.exit(main())
