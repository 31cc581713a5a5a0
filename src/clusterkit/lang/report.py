"""Result sets for people (text) and for tools (JSON, schema ``clusterkit.results/1``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from clusterkit.diagnostics import Diagnostic
from clusterkit.i18n import translator
from clusterkit.lang.results import Outcome, Result, ResultSet, outcome_text
from clusterkit.serde import unstructure

__all__ = ["RESULTS_SCHEMA", "render_results", "results_to_json"]

RESULTS_SCHEMA = "clusterkit.results/1"

_QUIET = (Outcome.PASS, Outcome.NOT_APPLICABLE)


def render_results(results: ResultSet, *, show_all: bool = False, lang: str = "en") -> str:
    """A report: provenance, counts per rulebook, and every verdict that needs attention."""
    _ = translator(lang)
    p = results.provenance

    def counts(selected: Sequence[Result]) -> str:
        by = {o: sum(1 for r in selected if r.outcome is o) for o in Outcome}
        return ", ".join(f"{n} {outcome_text(o, lang)}" for o, n in by.items() if n)

    lines = [
        _("clusterkit {version}: dataset {dataset} as of {date}").format(
            version=p.clusterkit_version, dataset=p.dataset, date=p.as_of.isoformat()
        )
    ]
    for ref in p.rulebooks:
        version = f" {ref.version}" if ref.version else ""
        lines.append(f"  {ref.id}{version} ({ref.path}, sha256 {ref.sha256[:12]})")
    lines.append("")
    for ref in p.rulebooks:
        own = [r for r in results.results if r.rulebook == ref.id]
        lines.append(f"{ref.id}: {counts(own) or _('no results')}")
    shown = [r for r in results.results if show_all or r.outcome not in _QUIET]
    if shown:
        lines.append("")
    for result in shown:
        lines.append(result.explain())
        lines.append("")
    lines.append(
        _("{count} results: {summary}").format(
            count=len(results.results), summary=counts(results.results)
        )
    )
    return "\n".join(lines)


def results_to_json(results: ResultSet, diagnostics: Sequence[Diagnostic] = ()) -> dict[str, Any]:
    """The JSON form of a result set (see docs/language.md, "Results as JSON")."""
    return {
        "schema": RESULTS_SCHEMA,
        "provenance": unstructure(results.provenance),
        "summary": {o.value: n for o, n in results.by_outcome().items()},
        "results": [_result_json(r) for r in results.results],
        "diagnostics": [d.to_json() for d in diagnostics],
    }


def _result_json(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = unstructure(attrs.evolve(result, trace=(), failure=None, note=None))
    del data["failure"], data["note"]
    data["threshold"] = result.threshold
    data["gap"] = result.gap
    data["trace"] = [entry.to_json() for entry in result.trace]
    return data
