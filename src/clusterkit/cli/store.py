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
    lang_option,
    load_data,
    resolve_store_url,
    store_option,
    using_store,
)
from clusterkit.i18n import choose_lang, translator
from clusterkit.i18n import local as _
from clusterkit.messages import render

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
@lang_option
def registry_import(dataset_path: str, store_url: str | None, lang: str | None) -> None:
    """Add a dataset's clusters, applications, programmes and figures to the store.

    Entities with the same id are replaced; observations are appended.
    """
    dataset = load_data(dataset_path, None, lang=lang)
    with using_store(store_url, create=True) as store:
        store.import_dataset(dataset)
    _ = translator(choose_lang(lang))
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
@lang_option
def registry_apply(
    application_id: str,
    cluster_id: str,
    kind: str,
    submitted: dt.date,
    store_url: str | None,
    lang: str | None,
) -> None:
    """Record a new application."""
    from clusterkit.model import Application, InvalidFieldsError

    try:
        application = Application(application_id, cluster_id, ApplicationKind(kind), submitted)
    except InvalidFieldsError as exc:
        language = choose_lang(lang)
        fail("; ".join(f"{e.field}: {render(e.message, language)}" for e in exc.errors))
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
@lang_option
def registry_decide(
    application_id: str,
    status: str,
    on: dt.date,
    reason: str,
    by: str,
    store_url: str | None,
    lang: str | None,
) -> None:
    """Record a change of an application's status (appended to its history)."""
    from clusterkit.model import InvalidFieldsError, StatusChange

    try:
        change = StatusChange(ApplicationStatus(status), on, reason, by)
    except InvalidFieldsError as exc:
        language = choose_lang(lang)
        fail("; ".join(f"{e.field}: {render(e.message, language)}" for e in exc.errors))
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
@click.option(
    "--supersedes",
    type=int,
    default=None,
    help="The number of the observation this one corrects (see registry export).",
)
@click.option("--reason", default="", help="Why the correction is made (required with it).")
@store_option
@lang_option
def observe(
    cluster_id: str,
    indicator: str,
    year: int,
    value: str,
    unit: str,
    reported_on: str,
    reported_by: str,
    note: str,
    supersedes: int | None,
    reason: str,
    store_url: str | None,
    lang: str | None,
) -> None:
    """Record an actual value for a year. Observations are never overwritten: a
    correction is a new observation that supersedes an earlier one (--supersedes N,
    --reason), and from the day it is reported evaluations read it instead."""
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
                "supersedes": supersedes,
                "reason": reason,
            },
            Observation,
        )
    except (BaseValidationError, ValueError) as exc:
        language = choose_lang(lang)
        fail(
            "; ".join(
                f"--{path.replace('_', '-')}: {render(message, language)}"
                for path, message in structure_errors(exc, "")
            )
        )
    with using_store(store_url) as store:
        number = store.observe(observation)
    click.echo(_("observation {number} recorded").format(number=number))


# -- backups -----------------------------------------------------------------------------


def _is_backup(path: str) -> bool:
    """Whether the file at ``path`` starts like a clusterkit backup (its first line)."""
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline(4096)
        header = json.loads(first)
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(header, dict) and str(header.get("format", "")).startswith(
        "clusterkit.backup/"
    )


@registry.command("export")
@click.argument("target", type=click.Path(path_type=str))
@click.option("--force", is_flag=True, help="Replace TARGET even if it exists and is not a backup.")
@store_option
def registry_export(target: str, force: bool, store_url: str | None) -> None:
    """Back up the whole store, runs included, to a file (- for standard output), in
    the format clusterkit.backup/2 that registry import-backup reads into an empty store
    of any back-end. An existing file is replaced only if it is a backup (or --force)."""
    import os
    from pathlib import Path

    from clusterkit.loader import atomic_write
    from clusterkit.transfer import export_lines

    if target != "-" and os.path.lexists(target) and not force and not _is_backup(target):
        fail(
            _(
                "{path}: exists and is not a clusterkit backup; not replaced (--force replaces it)"
            ).format(path=target)
        )
    with using_store(store_url) as store:
        text = "".join(export_lines(store))
    if target == "-":
        click.echo(text, nl=False)
        return
    try:
        atomic_write(Path(target), text)
    except OSError as exc:
        fail(_("{path}: cannot be written ({reason})").format(path=target, reason=exc.strerror))
    click.echo(_("exported the store to {path}").format(path=target), err=True)


@registry.command("import-backup")
@click.argument("source", type=click.Path(path_type=str))
@store_option
def registry_import_backup(source: str, store_url: str | None) -> None:
    """Restore a backup made by registry export into an empty store (of any back-end),
    with nothing lost: records, observations with their numbers, runs with their ids."""
    import sys
    from pathlib import Path

    from clusterkit.plugins import StoreError
    from clusterkit.transfer import read_backup, restore_store

    # The whole backup is read and checked before the store is opened, so a damaged
    # one never leaves an empty store behind.
    try:
        if source == "-":
            backup = read_backup(sys.stdin, "<stdin>")
        else:
            # A device such as /dev/zero would be read without end (a pipe is a stream).
            if Path(source).is_char_device() or Path(source).is_block_device():
                fail(_("{path}: not a backup file (a device)").format(path=source))
            with open(source, encoding="utf-8") as handle:
                backup = read_backup(handle, source)
    except (StoreError, OSError, UnicodeDecodeError) as exc:
        fail(str(exc))
    with using_store(store_url, create=True) as store:
        restore_store(store, backup)
    click.echo(
        _("imported {path} into {store}").format(path=source, store=resolve_store_url(store_url))
    )


@registry.command("repair")
@store_option
def registry_repair(store_url: str | None) -> None:
    """Set aside damaged records of a JSON-folder store (a line cut by a crash), keeping
    every good one; other back-ends have nothing to repair."""
    from clusterkit.plugins import Repairable

    with using_store(store_url) as store:
        if not isinstance(store, Repairable):
            click.echo(_("this store has nothing to repair"))
            return
        for line in store.repair():
            click.echo(line)


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
