"""Every back-end keeps a dataset's schema and what it declares: records of declared
kinds, declared fields of built-in kinds (nested ones too), added enumeration values,
units and references; a read gives back the dataset that was imported, with no
access to the rule files the schema came from. Imports merge, backups carry it all
across back-ends, stores written before schemas were kept still open, and a stored
schema or record that is damaged is a clear error."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import attrs
import psycopg
import pytest

from clusterkit import load_dataset
from clusterkit.model import Dataset, Extra, Observation, Record, Records
from clusterkit.money import parse_money
from clusterkit.plugins import Store, StoreError, open_store
from clusterkit.schema import DEFAULT_SCHEMA, FieldDecl, FieldType
from clusterkit.serde import unstructure
from clusterkit.transfer import export_lines, import_store
from clusterkit.units import parse_unit
from clusterkit_plugins.postgresql_store import POSTGRESQL
from clusterkit_plugins.sql_schema import migrations
from clusterkit_plugins.sqlite_store import SQLITE
from tests.cli.runner import run
from tests.plugins import declared_data
from tests.plugins.conftest import BACK_ENDS
from tests.plugins.pg_server import Server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "kazakhstan": ROOT / "examples" / "kazakhstan-2021",
    "ru": ROOT / "examples" / "ru-industrial-clusters" / "data",
    "eu": ROOT / "examples" / "eu-cluster-labels" / "data",
    "pl": ROOT / "examples" / "pl-key-clusters" / "data",
}
Make = Callable[[str], str]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return load_dataset(declared_data.write(tmp_path_factory.mktemp("declared") / "data"))


@pytest.fixture(scope="module", params=[*EXAMPLES, "synthetic"])
def declared(request: pytest.FixtureRequest) -> Dataset:
    if request.param == "synthetic":
        found: Dataset = request.getfixturevalue("synthetic")
        return found
    return load_dataset(EXAMPLES[request.param])


@pytest.fixture(params=BACK_ENDS)
def url(request: pytest.FixtureRequest, new_store_url: Make) -> str:
    return new_store_url(request.param)


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    opened = open_store(url, create=True)
    yield opened
    opened.close()


def _doc(value: object) -> str:
    return json.dumps(unstructure(value), ensure_ascii=False, sort_keys=True)


# -- reading back what was imported ------------------------------------------------------


def test_a_declared_dataset_reads_back_equal(store: Store, declared: Dataset) -> None:
    assert not declared.schema.is_default
    store.import_dataset(declared)
    again = store.dataset()
    assert again.schema == declared.schema
    assert again.records == declared.records
    assert again == declared
    assert list(store.clusters()) == list(declared.clusters)
    first = declared.clusters[0]
    assert store.cluster(first.id) == first
    assert list(store.programmes()) == list(declared.programmes)
    assert list(store.applications()) == list(declared.applications)


def test_importing_a_declared_dataset_twice_duplicates_nothing(
    store: Store, declared: Dataset
) -> None:
    store.import_dataset(declared)
    store.import_dataset(attrs.evolve(declared, observations=()))
    assert store.dataset() == declared


def test_every_kind_of_declaration_is_kept(store: Store, synthetic: Dataset) -> None:
    store.import_dataset(synthetic)
    again = store.dataset()
    assert again.schema.units == (("tonne", "tonnes"),)
    assert again.schema.extra_choices("participant", "role") == ("public_authority",)
    (grant, _) = again.records_of("grants")
    assert grant.extra["weight"] == Decimal("2.5")
    assert grant.extra["regions"] == ("KZ-KAR", "KZ-ALA")
    assert grant.extra["decided"] == dt.date(2021, 5, 4)
    assert [r.extra.get("note") for r in again.records_of("visits")] == ["first", None]
    members = again.clusters[0].participants
    assert [p.extra.get("staff") for p in members] == [Decimal(12), Decimal("3.5")]
    assert members[1].role == "public_authority"
    assert again.regions[0].extra == Extra({"capital": "Karaganda"})
    assert again.observations[0].extra == Extra({"source_doc": "bulletin 2/2022"})


def test_a_store_needs_no_rule_files_to_be_read(tmp_path: Path, new_store_url: Make) -> None:
    folder = declared_data.write(tmp_path / "data")
    dataset = load_dataset(folder)
    urls = [new_store_url(back_end) for back_end in BACK_ENDS]
    for url in urls:
        with closing(open_store(url, create=True)) as store:
            store.import_dataset(dataset)
    shutil.rmtree(folder)
    for url in urls:
        with closing(open_store(url)) as store:
            assert store.dataset() == dataset


def test_observations_with_declared_fields_are_checked_against_the_stored_schema(
    store: Store, synthetic: Dataset
) -> None:
    store.import_dataset(synthetic)
    observed = attrs.evolve(synthetic.observations[0], value=Decimal(120), year=2022)
    number = store.observe(attrs.evolve(observed, extra=Extra({"source_doc": "bulletin 3"})))
    assert store.observations()[number - 1].extra == Extra({"source_doc": "bulletin 3"})
    with pytest.raises(StoreError, match="does not fit the store's schema") as refused:
        store.observe(attrs.evolve(observed, extra=Extra({"sorce_doc": "x"})))
    assert "unknown key 'sorce_doc'" in str(refused.value)
    assert len(store.observations()) == number


# -- what an import adds to what the store holds ---------------------------------------------


def _grant(grant_id: str, amount: str) -> Record:
    extra = Extra({"cluster": "c1", "amount": parse_money(amount), "status": "open"})
    return Record("grant", grant_id, extra=extra)


def test_an_import_merges_records_with_ids_and_replaces_those_without(
    store: Store, synthetic: Dataset
) -> None:
    store.import_dataset(synthetic)
    g1, g2 = synthetic.records_of("grants")
    changed = attrs.evolve(g2, extra=Extra({**g2.extra, "status": "open"}))
    visit = Record("visit", extra=Extra({"cluster": "c1", "day": dt.date(2022, 1, 1)}))
    records = Records({"grants": (changed, _grant("g3", "2 mln KZT")), "visits": (visit,)})
    update = attrs.evolve(synthetic, observations=(), records=records)
    store.import_dataset(update)
    again = store.dataset()
    assert again.records_of("grants") == (g1, changed, _grant("g3", "2 mln KZT"))
    assert again.records_of("visits") == (visit,)


def test_an_import_without_a_schema_keeps_the_stores(store: Store, synthetic: Dataset) -> None:
    store.import_dataset(synthetic)
    plain = load_dataset(EXAMPLES["kazakhstan"])
    bare = attrs.evolve(
        plain,
        info=synthetic.info,
        regions=(),
        sectors=(),
        clusters=(),
        applications=(),
        programmes=(),
        series=(),
        obligations=(),
        observations=(),
        figures=(),
        records=Records(),
        schema=DEFAULT_SCHEMA,
        rates=synthetic.rates,
        benchmarks=synthetic.benchmarks,
    )
    store.import_dataset(bare)
    assert store.dataset() == synthetic


def test_an_import_that_would_leave_kept_data_unreadable_changes_nothing(
    store: Store, synthetic: Dataset
) -> None:
    store.import_dataset(synthetic)
    before = store.dataset()
    # The same dataset's information under a schema where a participant's staff is
    # text: the participants kept from before hold numbers there.
    (staff,) = [f for owner, f in synthetic.schema.extensions if f.name == "staff"]
    extensions = tuple(
        (owner, FieldDecl("staff", FieldType("bool")) if f is staff else f)
        for owner, f in synthetic.schema.extensions
    )
    schema = attrs.evolve(synthetic.schema, extensions=extensions)
    other = attrs.evolve(
        synthetic,
        regions=(),
        sectors=(),
        clusters=(),
        series=(),
        observations=(),
        records=Records(),
        schema=schema,
    )
    with pytest.raises(StoreError) as refused:
        store.import_dataset(other)
    assert "staff" in str(refused.value)
    assert store.dataset() == before


# -- backups -----------------------------------------------------------------------------------


def test_a_backup_carries_the_schema_and_records_across_every_back_end(
    new_store_url: Make, synthetic: Dataset
) -> None:
    source = open_store(new_store_url("sqlite"), create=True)
    source.import_dataset(synthetic)
    source.observe(attrs.evolve(synthetic.observations[0], year=2022))
    first = list(export_lines(source))
    kinds = [json.loads(line).get("kind") for line in first[1:]]
    assert kinds.count("schema") == 1
    assert kinds.count("record") == 4
    text = first
    for back_end in ("postgresql", "jsondir", "sqlite"):
        with closing(open_store(new_store_url(back_end), create=True)) as target:
            counts = import_store(target, text)
            assert counts["record"] == 4
            assert target.dataset() == source.dataset()
            assert target.observation_records() == source.observation_records()
            again = list(export_lines(target))
        assert again[1:] == first[1:]
        text = again


def test_a_backup_of_the_first_format_is_still_read(new_store_url: Make) -> None:
    plain = load_dataset(EXAMPLES["kazakhstan"])
    plain = attrs.evolve(plain, records=Records(), schema=DEFAULT_SCHEMA)
    with closing(open_store(new_store_url("sqlite"), create=True)) as source:
        source.import_dataset(attrs.evolve(plain, info=attrs.evolve(plain.info, schema=())))
        lines = list(export_lines(source))
        expected = source.dataset()
    header = json.loads(lines[0])
    old = [json.dumps({**header, "format": "clusterkit.backup/1"}) + "\n"]
    old += [line for line in lines[1:] if json.loads(line)["kind"] != "schema"]
    with closing(open_store(new_store_url("jsondir"), create=True)) as target:
        import_store(target, old)
        assert target.dataset() == expected
    record = json.dumps({"kind": "record", "collection": "grants", "data": {"id": "g"}})
    with pytest.raises(StoreError, match="backup:3: a record of a declared kind in a backup"):
        import_store(open_store(new_store_url("sqlite"), create=True), [*old[:2], record, *old[2:]])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda d: {**d, "kinds": [{**d["kinds"][0], "fields": "none"}]},
            "backup:3: schema: data.kinds[0].fields",
        ),
        (lambda d: {**d, "format": "clusterkit.schema/7"}, "upgrade clusterkit to read it"),
    ],
)
def test_a_backup_whose_schema_cannot_be_read_names_its_line(
    new_store_url: Make,
    synthetic: Dataset,
    damage: Callable[[dict[str, object]], dict[str, object]],
    message: str,
) -> None:
    with closing(open_store(new_store_url("sqlite"), create=True)) as source:
        source.import_dataset(synthetic)
        lines = list(export_lines(source))
    schema_line = json.loads(lines[2])
    assert schema_line["kind"] == "schema"
    lines[2] = json.dumps({**schema_line, "data": damage(schema_line["data"])}) + "\n"
    with pytest.raises(StoreError) as refused:
        import_store(open_store(new_store_url("jsondir"), create=True), lines)
    assert message in str(refused.value)


def test_a_backup_record_that_does_not_fit_its_schema_names_its_line(
    new_store_url: Make, synthetic: Dataset
) -> None:
    with closing(open_store(new_store_url("sqlite"), create=True)) as source:
        source.import_dataset(synthetic)
        lines = list(export_lines(source))
    at = next(i for i, line in enumerate(lines) if line.startswith('{"collection": "grants"'))
    lines[at] = lines[at].replace('"status": "open"', '"status": "ajar"')
    with pytest.raises(StoreError) as refused:
        import_store(open_store(new_store_url("sqlite"), create=True), lines)
    assert f"backup:{at + 1}: grant: status: 'ajar' is not one of: open, closed" in str(
        refused.value
    )


# -- stores written before schemas were kept -----------------------------------------------


def test_a_version_3_sqlite_store_opens_with_the_built_in_model_and_takes_a_schema(
    tmp_path: Path, synthetic: Dataset
) -> None:
    plain = load_dataset(EXAMPLES["kazakhstan"])
    cluster = plain.clusters[0]
    path = tmp_path / "v3.sqlite3"
    db = sqlite3.connect(path)
    for statement in (s for step in migrations(SQLITE)[:3] for s in step):
        db.execute(statement)
    db.execute("INSERT INTO clusters VALUES (?, ?, ?)", (cluster.id, "candidate", _doc(cluster)))
    rows = [(cluster.id, p.id, p.bin, p.role) for p in cluster.participants]
    db.executemany("INSERT INTO participants VALUES (?, ?, ?, ?)", rows)
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    with closing(open_store(f"sqlite://{path}")) as store:
        old = store.dataset()
        assert old.schema == DEFAULT_SCHEMA
        assert dict(old.records) == {}
        assert old.clusters == (cluster,)
        store.import_dataset(synthetic)
        assert store.dataset().records == synthetic.records
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (4,)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    kept = db.execute("SELECT count(*) FROM participants WHERE cluster_id = ?", (cluster.id,))
    assert kept.fetchone() == (len(cluster.participants),)


def test_a_version_3_postgresql_store_opens_with_the_built_in_model(
    postgres: Server, synthetic: Dataset
) -> None:
    plain = load_dataset(EXAMPLES["kazakhstan"])
    cluster = plain.clusters[0]
    url = postgres.fresh_url()
    with psycopg.connect(url, autocommit=True) as db:
        for statement in (s for step in migrations(POSTGRESQL)[:3] for s in step):
            db.execute(statement.encode())
        db.execute("CREATE TABLE clusterkit_schema (version INTEGER NOT NULL)")
        db.execute("INSERT INTO clusterkit_schema VALUES (3)")
        db.execute(
            "INSERT INTO clusters (id, registry_status, doc) VALUES (%s, %s, %s)",
            (cluster.id, "candidate", _doc(cluster)),
        )
        db.execute(
            "INSERT INTO participants VALUES (%s, %s, %s, %s)",
            (cluster.id, "s01", "060240100370", "coordinator"),
        )
    with closing(open_store(url)) as store:
        assert store.dataset().schema == DEFAULT_SCHEMA
        assert list(store.clusters()) == [cluster]
        store.import_dataset(synthetic)
        assert store.dataset().schema == synthetic.schema
    with psycopg.connect(url, autocommit=True) as db:
        assert db.execute("SELECT version FROM clusterkit_schema").fetchone() == (4,)
        assert db.execute("SELECT bin FROM participants WHERE id = 's01'").fetchone() == (
            "060240100370",
        )


def test_a_layout_2_json_folder_opens_with_the_built_in_model_and_takes_a_schema(
    tmp_path: Path, synthetic: Dataset
) -> None:
    plain = load_dataset(EXAMPLES["kazakhstan"])
    cluster = plain.clusters[0]
    root = tmp_path / "old"
    (root / "runs").mkdir(parents=True)
    (root / "store.json").write_text('{"layout": 2}\n', encoding="utf-8")
    document = {"dataset": unstructure(plain.info), "clusters": [unstructure(cluster)]}
    document["regions"] = [unstructure(r) for r in plain.regions]
    document["sectors"] = [unstructure(s) for s in plain.sectors]
    (root / "dataset.json").write_text(json.dumps(document), encoding="utf-8")
    with closing(open_store(f"jsondir://{root}")) as store:
        old = store.dataset()
        assert old.schema == DEFAULT_SCHEMA
        assert old.clusters == (cluster,)
        store.import_dataset(synthetic)
        assert store.dataset().records == synthetic.records
    assert json.loads((root / "store.json").read_text(encoding="utf-8")) == {"layout": 3}


# -- damage ------------------------------------------------------------------------------------


#: A stored schema's form, damaged, and what the error must say (where, then what).
SCHEMA_DAMAGE = [
    ("{not json", "", "not JSON"),
    ('{"format": "clusterkit.schema/9"}', "format", "clusterkit.schema/9, which this clusterkit"),
    ('{"kinds": []}', "format", "not a clusterkit schema"),
    (
        '{"format": "clusterkit.schema/1", "kinds": [{"name": "x"}]}',
        "kinds[0].collection",
        "required field is missing",
    ),
    (
        '{"format": "clusterkit.schema/1", "kinds": [{"name": "x", "collection": "xs", '
        '"fields": [{"name": "f", "type": {"kind": "colour"}}]}]}',
        "kinds[0].fields[0].type.kind",
        "'colour' is not a type",
    ),
    (
        '{"format": "clusterkit.schema/1", "extensions": [{"kind": "participant", '
        '"field": {"name": "inn", "type": {"kind": "identifier", "name": "xx_inn"}}}]}',
        "extensions[0].field.type.name",
        "'xx_inn' is not an identifier scheme",
    ),
]


def _damage_schema(url: str, text: str) -> None:
    if url.startswith("sqlite://"):
        db = sqlite3.connect(url.removeprefix("sqlite://"))
        with db:
            db.execute("UPDATE meta SET doc = ? WHERE key = 'schema'", (text,))
        db.close()
    elif url.startswith("postgresql://"):
        with psycopg.connect(url, autocommit=True) as pg:
            pg.execute("UPDATE meta SET doc = %s WHERE key = 'schema'", (text,))
    else:
        path = Path(url.removeprefix("jsondir://")) / "dataset.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        try:
            document["dataset"]["declarations"] = json.loads(text)
        except ValueError:
            document["dataset"]["declarations"] = text
        path.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize(("text", "where", "message"), SCHEMA_DAMAGE)
def test_a_damaged_stored_schema_is_a_clear_error(
    url: str, synthetic: Dataset, text: str, where: str, message: str
) -> None:
    with closing(open_store(url, create=True)) as store:
        store.import_dataset(synthetic)
    _damage_schema(url, text)
    with closing(open_store(url)) as store:
        with pytest.raises(StoreError) as refused:
            store.dataset()
        said = str(refused.value)
        if url.startswith("jsondir://"):
            # The folder's dataset file: a problem of the file, at its data path (text
            # that is not JSON went in as a string).
            assert "dataset.json: dataset.declarations" in said
            if text == "{not json":
                where, message = "", "expected an object"
        else:
            assert "the stored schema cannot be read" in said
        assert where in said
        assert message in said
        assert said.index(where) <= said.index(message)
        with pytest.raises(StoreError):
            store.clusters()
    code, _out, err = run("registry", "list", "--store", url)
    assert code == 2
    assert err.startswith("error:")
    assert "Traceback" not in err


def test_a_damaged_stored_record_names_its_kind_and_field(
    tmp_path: Path, synthetic: Dataset
) -> None:
    url = f"sqlite://{tmp_path / 'store.sqlite3'}"
    with closing(open_store(url, create=True)) as store:
        store.import_dataset(synthetic)
    db = sqlite3.connect(tmp_path / "store.sqlite3")
    with db:
        db.execute("UPDATE records SET doc = replace(doc, '\"open\"', '\"ajar\"') WHERE id = 'g1'")
    db.close()
    with closing(open_store(url)) as store, pytest.raises(StoreError) as refused:
        store.dataset()
    assert "a stored grant cannot be read (status: 'ajar' is not one of: open, closed)" in str(
        refused.value
    )


def test_a_jsondir_observation_that_does_not_fit_the_schema_is_reported_as_damage(
    tmp_path: Path, synthetic: Dataset
) -> None:
    root = tmp_path / "store"
    with closing(open_store(f"jsondir://{root}", create=True)) as store:
        store.import_dataset(synthetic)
    log = root / "observations.jsonl"
    log.write_text(
        log.read_text(encoding="utf-8").replace('"source_doc"', '"source_dok"'), encoding="utf-8"
    )
    with closing(open_store(f"jsondir://{root}")) as store:
        assert store.observations() == []
        (problem,) = store.problems()  # type: ignore[attr-defined]
        assert "unknown key 'source_dok'" in problem


def test_a_fresh_observation_checks_against_the_built_in_model_too(
    store: Store, synthetic: Dataset
) -> None:
    store.import_dataset(synthetic)
    bad = Observation(
        "c1",
        "output",
        2023,
        Decimal(1),
        parse_unit("mln KZT"),
        dt.date(2024, 1, 1),
        "me",
        extra=Extra({"source_doc": 5}),
    )
    with pytest.raises(StoreError, match="source_doc: expected text"):
        store.observe(bad)


@pytest.mark.parametrize(
    ("lang", "words"),
    [("ru", "не соответствует схеме данных хранилища"), ("kk", "сұлбасына сәйкес келмейді")],
)
def test_a_refusal_is_in_the_users_language(
    tmp_path: Path,
    synthetic: Dataset,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    words: str,
) -> None:
    with closing(open_store(f"sqlite://{tmp_path / 'store.sqlite3'}", create=True)) as store:
        store.import_dataset(synthetic)
        monkeypatch.setenv("CLUSTERKIT_LANG", lang)
        observed = attrs.evolve(synthetic.observations[0], extra=Extra({"sorce_doc": "x"}))
        with pytest.raises(StoreError, match=words):
            store.observe(observed)
