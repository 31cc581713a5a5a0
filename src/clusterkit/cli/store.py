"""Commands on the store: ``registry ...``, ``observe``, ``runs ...`` and ``plugins``.

The store is opened through :func:`~clusterkit.cli.common.using_store`, which imports
the plugins when a command runs.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json

import click

from clusterkit.cli.common import (
    DATE,
    fail,
    load_data,
    resolve_store_url,
    store_option,
    using_store,
)
from clusterkit.i18n import choose_lang, translator
from clusterkit.i18n import local as _

# The choices of --kind and --status are shown by --help, so these enums load with the CLI.
from clusterkit.model import ApplicationKind, ApplicationStatus

__all__ = ["COMMANDS", "observe", "plugins_command", "registry", "runs"]


@click.command("plugins")
def plugins_command() -> None:
    """List the installed storage back-ends and reporters, and any that failed to load."""
    from clusterkit.plugins import REPORTERS, STORAGE, discover

    found = discover()
    for group, title in ((STORAGE, "storage"), (REPORTERS, "reporters")):
        click.echo(f"{title} ({group}):")
        for info in (i for i in found.infos if i.group == group):
            if info.plugin is not None:
                click.echo(f"  {info.name:<10} {info.plugin.description}  [{info.distribution}]")
            else:
                click.echo(f"  {info.name:<10} FAILED: {info.error}  [{info.distribution}]")
    failures = found.failures()
    if failures:
        click.echo(_("{count} plugin(s) could not be loaded").format(count=len(failures)), err=True)


# -- registry ----------------------------------------------------------------------------


@click.group()
def registry() -> None:
    """The registry of territorial clusters in a store."""


@registry.command("import")
@click.argument("dataset_path", type=click.Path(path_type=str))
@store_option
def registry_import(dataset_path: str, store_url: str | None) -> None:
    """Add a dataset's clusters, applications, programmes and figures to the store.

    Entities with the same id are replaced; observations are appended.
    """
    dataset = load_data(dataset_path, None)
    with using_store(store_url, create=True) as store:
        store.import_dataset(dataset)
    _ = translator(choose_lang(None))
    click.echo(
        _(
            "imported {clusters} clusters, {applications} applications, {programmes} "
            "programmes and {observations} observations into {store}"
        ).format(
            clusters=len(dataset.clusters),
            applications=len(dataset.applications),
            programmes=len(dataset.programmes),
            observations=len(dataset.observations),
            store=resolve_store_url(store_url),
        )
    )


@registry.command("list")
@store_option
def registry_list(store_url: str | None) -> None:
    """The clusters in the registry, with their status and size."""
    with using_store(store_url) as store:
        for cluster in store.clusters():
            click.echo(
                f"{cluster.id:<28} {cluster.registry_status.value:<11} "
                f"{len(cluster.participants):>5}  {cluster.name.get(choose_lang(None))}"
            )


@registry.command("show")
@click.argument("cluster_id")
@store_option
def registry_show(cluster_id: str, store_url: str | None) -> None:
    """One cluster as JSON, with its applications and programmes."""
    from clusterkit.serde import unstructure

    with using_store(store_url) as store:
        cluster = store.cluster(cluster_id)
        if cluster is None:
            known = [c.id for c in store.clusters()]
            close = difflib.get_close_matches(cluster_id, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            fail(_("no cluster {id!r} in the registry").format(id=cluster_id) + hint)
        document = {
            "cluster": unstructure(cluster),
            "applications": unstructure(
                [a for a in store.applications() if a.cluster == cluster_id]
            ),
            "programmes": unstructure([p for p in store.programmes() if p.cluster == cluster_id]),
        }
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@registry.command("apply")
@click.option("--id", "application_id", required=True, help="The application's id.")
@click.option("--cluster", "cluster_id", required=True, help="The applicant cluster's id.")
@click.option("--kind", type=click.Choice([k.value for k in ApplicationKind]), required=True)
@click.option("--submitted", type=DATE, required=True, help="Submission date, YYYY-MM-DD.")
@store_option
def registry_apply(
    application_id: str, cluster_id: str, kind: str, submitted: dt.date, store_url: str | None
) -> None:
    """Record a new application."""
    from clusterkit.model import Application, InvalidFieldsError

    try:
        application = Application(application_id, cluster_id, ApplicationKind(kind), submitted)
    except InvalidFieldsError as exc:
        fail("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    with using_store(store_url) as store:
        store.add_application(application)
    click.echo(_("{id}: submitted").format(id=application_id))


@registry.command("decide")
@click.argument("application_id")
@click.option("--status", type=click.Choice([s.value for s in ApplicationStatus]), required=True)
@click.option("--on", "on", type=DATE, required=True, help="Date of the decision, YYYY-MM-DD.")
@click.option("--reason", default="", help="Why (required for a rejection).")
@click.option("--by", default="", help="Who decided.")
@store_option
def registry_decide(
    application_id: str, status: str, on: dt.date, reason: str, by: str, store_url: str | None
) -> None:
    """Record a change of an application's status (appended to its history)."""
    from clusterkit.model import InvalidFieldsError, StatusChange

    try:
        change = StatusChange(ApplicationStatus(status), on, reason, by)
    except InvalidFieldsError as exc:
        fail("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    with using_store(store_url) as store:
        updated = store.decide(application_id, change)
    click.echo(f"{application_id}: {updated.status.value}")


# -- observations ------------------------------------------------------------------------


@click.command()
@click.option("--cluster", "cluster_id", required=True)
@click.option("--indicator", required=True)
@click.option("--year", type=int, required=True)
@click.option("--value", required=True, help="The actual value, as written (exact).")
@click.option("--unit", required=True, help="Its unit, e.g. 'mln KZT'.")
@click.option("--reported-on", "reported_on", required=True, help="YYYY-MM-DD.")
@click.option("--by", "reported_by", required=True, help="Who reports it.")
@click.option("--note", default="")
@store_option
def observe(
    cluster_id: str,
    indicator: str,
    year: int,
    value: str,
    unit: str,
    reported_on: str,
    reported_by: str,
    note: str,
    store_url: str | None,
) -> None:
    """Record an actual value for a year. Observations are never overwritten: a
    correction is a new observation, and the latest reported by the as-of date counts."""
    # --reported-on stays text: the model checks it with the other fields, so that every
    # bad value is reported at once, each named by its option.
    from cattrs.errors import BaseValidationError

    from clusterkit.model import Observation
    from clusterkit.serde import structure, structure_errors

    try:
        observation = structure(
            {
                "cluster": cluster_id,
                "indicator": indicator,
                "year": year,
                "value": value,
                "unit": unit,
                "reported_on": reported_on,
                "reported_by": reported_by,
                "note": note,
            },
            Observation,
        )
    except (BaseValidationError, ValueError) as exc:
        fail(
            "; ".join(
                f"--{path.replace('_', '-')}: {message}"
                for path, message in structure_errors(exc, "")
            )
        )
    with using_store(store_url) as store:
        number = store.observe(observation)
    click.echo(_("observation {number} recorded").format(number=number))


# -- runs --------------------------------------------------------------------------------


@click.group()
def runs() -> None:
    """Evaluations kept in the store (clusterkit check --save)."""


@runs.command("list")
@store_option
def runs_list(store_url: str | None) -> None:
    """Every stored run: number, when, as of, dataset, outcome counts."""
    with using_store(store_url) as store:
        for run in store.runs():
            summary = json.loads(run.document).get("summary", {})
            counts = ", ".join(f"{n} {o}" for o, n in summary.items() if n)
            click.echo(
                f"{run.id:>4}  {run.recorded_at.isoformat()}  as of {run.as_of}  "
                f"{run.dataset}  {counts}"
            )


@runs.command("show")
@click.argument("run_id", type=int)
@store_option
def runs_show(run_id: int, store_url: str | None) -> None:
    """A stored run's results, exactly as they were given (JSON)."""
    with using_store(store_url) as store:
        run = store.run(run_id)
    if run is None:
        fail(_("no run {number} in the store").format(number=run_id))
    click.echo(run.document)


#: The commands of this module, added to the ``clusterkit`` group.
COMMANDS: tuple[click.Command, ...] = (registry, observe, runs, plugins_command)
