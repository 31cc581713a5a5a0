"""A whole result set shown: the report ``clusterkit check`` prints (provenance, counts
per rulebook, every verdict that needs attention) and the JSON form of the results
(``clusterkit.results/1``), texts in the language chosen when they are shown."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from clusterkit.i18n import translator
from clusterkit.lang.results.display import entry_text, outcome_text, raw_text
from clusterkit.lang.results.explain import explain, explain_for, gap_text, threshold_text
from clusterkit.lang.results.outcome import Outcome
from clusterkit.serde import unstructure

if TYPE_CHECKING:
    from clusterkit.diagnostics import Diagnostic
    from clusterkit.lang.results.result import Result
    from clusterkit.lang.results.result_set import ResultSet

__all__ = ["RESULTS_SCHEMA", "render_results", "results_to_json"]

RESULTS_SCHEMA = "clusterkit.results/1"

_QUIET = (Outcome.PASS, Outcome.NOT_APPLICABLE)


def render_results(results: ResultSet, lang: str = "en", *, show_all: bool = False) -> str:
    """A report: provenance, counts per rulebook, and every verdict that needs attention
    (the undetermined verdicts of one rule that lack the same data as one line naming
    their entities and what they lack, unless ``show_all``, which explains every result
    alone). Counts are read from the verdicts; only the results shown are made."""
    _ = translator(lang)
    p = results.provenance

    def counts(selected: Sequence[Outcome]) -> str:
        by = Counter(selected)
        return ", ".join(f"{by[o]} {outcome_text(o, lang)}" for o in Outcome if by[o])

    lines = [
        _("clusterkit {version}: dataset {dataset} as of {date}").format(
            version=p.clusterkit_version, dataset=p.dataset, date=p.as_of.isoformat()
        )
    ]
    for ref in p.rulebooks:
        version = f" {ref.version}" if ref.version else ""
        lines.append(f"  {ref.id}{version} ({ref.path}, sha256 {ref.sha256[:12]})")
    lines.append("")
    verdicts = results.verdicts()
    # One line per rulebook, whatever number of its versions gave verdicts (a rule that
    # says `version as of` brings in the versions in force on each entity's date).
    for rulebook_id in dict.fromkeys(ref.id for ref in p.rulebooks if not ref.schema):
        own = [outcome for rulebook, _rule, _entity, outcome in verdicts if rulebook == rulebook_id]
        lines.append(f"{rulebook_id}: {counts(own) or _('no results')}")
    loud = [o for o in Outcome if o not in _QUIET]
    shown = results.results if show_all else results.select(*loud)
    if shown:
        lines.append("")
    for group in _grouped(shown, show_all):
        lines.append(_explain_group(group, lang))
        lines.append("")
    if verdicts:
        lines.append(
            _("{count} results: {summary}").format(
                count=len(verdicts), summary=counts([v[3] for v in verdicts])
            )
        )
    else:
        lines.append(_("no results: no rule in force applies to anything in the dataset"))
    return "\n".join(lines)


#: Entities named in a summarised group before "and N more".
_GROUP_NAMES = 6


def _grouped(results: Sequence[Result], show_all: bool) -> list[list[Result]]:
    """Results in order, with the undetermined verdicts of one rule that lack the same
    data gathered into one group (each result alone when ``show_all``)."""
    if show_all:
        return [[r] for r in results]
    groups: list[list[Result]] = []
    by_key: dict[tuple[str, str, str], list[Result]] = {}
    for result in results:
        if result.outcome is not Outcome.UNDETERMINED or result.needs is None:
            groups.append([result])
            continue
        key = (result.rulebook, result.rule, result.needs.text("en"))
        if key in by_key:
            by_key[key].append(result)
        else:
            by_key[key] = [result]
            groups.append(by_key[key])
    return groups


def _explain_group(group: Sequence[Result], lang: str) -> str:
    first = group[0]
    if len(group) == 1:
        return explain(first, lang)
    _ = translator(lang)
    names = ", ".join(r.entity for r in group[:_GROUP_NAMES])
    if len(group) > _GROUP_NAMES:
        names += " " + _("and {count} more").format(count=len(group) - _GROUP_NAMES)
    entities = _("{count} entities ({names})").format(count=len(group), names=names)
    # One line: the rule, its entities and what they lack (--all explains each).
    head = explain_for(first, lang, entities).splitlines()[0]
    assert first.needs is not None
    return f"{head}; " + _("needs {what}").format(what=first.needs.text(lang))


def results_to_json(
    results: ResultSet, lang: str = "en", diagnostics: Sequence[Diagnostic] = ()
) -> dict[str, Any]:
    """The JSON form of a result set (see docs/language.md, "Results as JSON")."""
    return {
        "schema": RESULTS_SCHEMA,
        "provenance": unstructure(results.provenance),
        "summary": {o.value: n for o, n in results.by_outcome().items()},
        "results": [_result_json(r, lang) for r in results.results],
        "diagnostics": [d.to_json(lang) for d in diagnostics],
    }


def _result_json(result: Result, lang: str) -> dict[str, Any]:
    info = result.info
    return {
        "rulebook": info.rulebook,
        "version": info.version,
        "rule": info.rule,
        "kind": info.kind,
        "entity_kind": info.entity_kind,
        "entity": result.entity,
        "outcome": result.outcome.value,
        "label": result.label(lang),
        "title": info.title(lang),
        "message": info.message(lang),
        "source": info.source,
        "trace": [
            {
                "label": entry.label,
                "role": entry.role,
                "value": entry_text(entry, lang),
                "raw": raw_text(entry.exact),
            }
            for entry in result.trace
        ],
        "needs": None if result.needs is None else result.needs.text(lang),
        "score": None if result.score is None else str(result.score),
        "rank": result.rank,
        "lang": lang,
        "threshold": threshold_text(result, lang),
        "gap": gap_text(result, lang),
        "basis": None
        if result.info.basis is None
        else {"kind": result.info.basis[0], "note": result.info.basis[1]},
        "parameters": [
            {"name": name, "basis": kind or None, "note": note}
            for name, kind, note in result.parameters
        ],
    }
