"""Reconciling in the hub: customers that do not depend on arrival order, with audit and events, and what a
person decided left alone. On both backends."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bench.data_gen.generate import generate
from hub.db.database import Database
from hub.db.tables import audit_events, identity_links, review_items, source_records
from hub.db.webhook_tables import webhook_messages
from hub.export import write_links
from hub.identity_admin import split
from hub.ingest.records import parse_record
from hub.ingest.service import IngestReport, IngestService
from hub.reconcile import reconcile
from hub.resolution import HubResolver
from hub.settings import Settings
from identity.api import CandidateStore, IdentityRecord, Resolution
from identity.engine import IdentityEngine
from tests.test_cli_ingest import rapport


def _lines(seed: int) -> list[dict[str, Any]]:
    records, _ = generate(250, seed=seed)
    return [{k: v for k, v in record.items() if v not in ("", None)} for record in records]


@pytest.fixture(scope="module")
def people() -> list[dict[str, Any]]:
    return _lines(11)


def _shuffled(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same lines in another (fixed) order."""
    shuffled = lines[:]
    random.Random(3).shuffle(shuffled)
    return shuffled


def _open(url: str) -> Database:
    return Database.for_settings(Settings(database_url=url))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = _open(database_url)
    yield database
    database.dispose()


@pytest.fixture
def other(another_database_url: str) -> Iterator[Database]:
    """A second, empty store of the same backend (the same records ingested another way)."""
    database = _open(another_database_url)
    yield database
    database.dispose()


def _ingest(database: Database, resolver: HubResolver, lines: Sequence[dict[str, Any]], batch: int) -> None:
    IngestService(database, resolver, batch).ingest([parse_record(r) for r in lines], IngestReport(), inline=True)


def _partition(database: Database) -> set[frozenset[str]]:
    out = io.StringIO()
    with database.transaction() as conn:
        write_links(conn, out)
    members: dict[str, set[str]] = {}
    for line in out.getvalue().splitlines()[1:]:
        kind, source, external_id, customer = line.split(",")
        members.setdefault(customer, set()).add(f"{kind}:{source}:{external_id}")
    return {frozenset(m) for m in members.values()}


def _in_review(database: Database) -> set[str]:
    with database.transaction() as conn:
        return set(conn.execute(select(review_items.c.record_key).where(review_items.c.status == "open")).scalars())


def test_reconciled_customers_do_not_depend_on_arrival_order(
    database: Database, other: Database, people: list[dict[str, Any]]
) -> None:
    _ingest(database, HubResolver(IdentityEngine()), people, 1000)
    _ingest(other, HubResolver(IdentityEngine()), _shuffled(people), 7)
    assert _partition(database) != _partition(other)  # the incremental path alone does depend on it
    assert _in_review(database) != _in_review(other)  # and so does which records fit two customers
    assert reconcile(database, HubResolver(IdentityEngine())).moved > 0
    assert reconcile(other, HubResolver(IdentityEngine())).moved > 0
    assert _partition(database) == _partition(other)
    assert _in_review(database) == _in_review(other)


def test_reconciling_records_splits_and_merges_with_audit_events_and_webhooks(
    database: Database, people: list[dict[str, Any]]
) -> None:
    shuffled = _shuffled(people)
    _ingest(database, HubResolver(IdentityEngine()), shuffled, 7)
    outcome = reconcile(database, HubResolver(IdentityEngine()))
    assert outcome.created and outcome.merged and outcome.moved
    with database.transaction() as conn:
        splits = conn.execute(select(audit_events).where(audit_events.c.kind == "customer.split")).all()
        assert splits and all(row.actor == "resolver" and row.detail["reclustered"] for row in splits)
        kinds = set(conn.execute(select(webhook_messages.c.event_type)).scalars())
        assert {"customer.split", "customer.merged", "customer.created"} <= kinds
        moved = conn.execute(select(identity_links).where(identity_links.c.linked_at == max_linked(conn))).all()
        joined = [row for row in moved if row.matched_key]
        assert joined and all(row.evidence["threshold"] == 3.0 and row.evidence["comparisons"] for row in joined)
    assert reconcile(database, HubResolver(IdentityEngine())).summary()["moved"] == 0


def max_linked(conn: Any) -> Any:
    return conn.execute(select(func.max(identity_links.c.linked_at))).scalar()


def test_reconciling_leaves_what_a_person_split_apart(database: Database, people: list[dict[str, Any]]) -> None:
    shuffled = _shuffled(people)
    _ingest(database, HubResolver(IdentityEngine()), shuffled, 7)
    big = _customer_with_records(database, 3)
    with database.transaction() as conn:
        keys = sorted(_records(conn, big))
        from hub.db.database import utcnow

        new_id = split(conn, big, keys[:1], actor="api:test", now=utcnow())
    before = {big: set(keys[1:]), new_id: set(keys[:1])}
    reconcile(database, HubResolver(IdentityEngine()))
    with database.transaction() as conn:
        assert {cid: _records(conn, cid) for cid in before} == before


def _customer_with_records(database: Database, count: int) -> str:
    with database.transaction() as conn:
        query = (
            select(identity_links.c.customer_id)
            .group_by(identity_links.c.customer_id)
            .having(func.count() >= count)
            .order_by(identity_links.c.customer_id)
        )
        return str(conn.execute(query).scalars().first())


def _records(conn: Any, customer_id: str) -> set[str]:
    query = (
        select(source_records.c.record_key)
        .join(identity_links, identity_links.c.record_id == source_records.c.id)
        .where(identity_links.c.customer_id == customer_id)
    )
    return set(conn.execute(query).scalars())


class _MovesARecordMeanwhile:
    """An engine that, once it has reclustered, moves a record of a changed group (a batch resolved meanwhile)."""

    def __init__(self, database: Database) -> None:
        self.engine = IdentityEngine()
        self.database = database
        self.moved: tuple[str, str] | None = None

    def index_keys(self, record: IdentityRecord) -> list[str]:
        return self.engine.index_keys(record)

    def resolve(self, records: Sequence[IdentityRecord], store: CandidateStore) -> Resolution:
        return self.engine.resolve(records, store)

    def settled_links(
        self, records: Sequence[IdentityRecord], store: CandidateStore, among: Callable[[str], bool]
    ) -> list[tuple[str, str]]:
        return self.engine.settled_links(records, store, among)

    def recluster(self, records: list[IdentityRecord], store: CandidateStore) -> Resolution:
        resolution = self.engine.recluster(records, store)
        key = resolution.clusters[0].members[0]
        elsewhere = next(r.customer_id for r in records if r.key not in resolution.clusters[0].members)
        with self.database.transaction() as conn:
            record_id = conn.execute(select(source_records.c.id).where(source_records.c.record_key == key)).scalar()
            conn.execute(
                update(identity_links).where(identity_links.c.record_id == record_id).values(customer_id=elsewhere)
            )
        self.moved = (key, str(elsewhere))
        return resolution


def test_groups_whose_records_changed_meanwhile_wait_for_the_next_run(
    database: Database, people: list[dict[str, Any]]
) -> None:
    shuffled = _shuffled(people)
    _ingest(database, HubResolver(IdentityEngine()), shuffled, 7)
    meddling = _MovesARecordMeanwhile(database)
    outcome = reconcile(database, HubResolver(meddling))
    assert outcome.deferred >= 1 and outcome.moved > 0
    assert meddling.moved is not None
    key, customer = meddling.moved
    with database.transaction() as conn:
        assert key in _records(conn, customer)  # the change made meanwhile stands


def test_rapport_reconcile_prints_its_summary(database_url: str, people: list[dict[str, Any]]) -> None:
    from typer.testing import CliRunner

    from hub.cli import app

    database = _open(database_url)
    _ingest(database, HubResolver(IdentityEngine()), people[:200], 7)
    database.dispose()
    result = CliRunner().invoke(app, ["--database-url", database_url, "reconcile", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["records"] == 200
    assert set(summary) == {
        "records", "moved", "created", "merged", "updated", "deferred", "review", "withdrawn", "skipped"
    }  # fmt: skip


def test_the_review_queue_holds_what_reclustering_finds_ambiguous(
    database: Database, people: list[dict[str, Any]]
) -> None:
    shuffled = _shuffled(people)
    _ingest(database, HubResolver(IdentityEngine()), shuffled, 7)
    before = _in_review(database)
    outcome = reconcile(database, HubResolver(IdentityEngine()))
    after = _in_review(database)
    assert outcome.withdrawn == len(before - after) > 0 and outcome.review == len(after - before)
    with database.transaction() as conn:
        rows = conn.execute(select(review_items).where(review_items.c.status == "open")).all()
        withdrawn = conn.execute(select(review_items.c.record_key).where(review_items.c.status == "withdrawn"))
        assert set(withdrawn.scalars()) == before - after
        for row in rows:  # each names two live customers other than the record's own, with evidence for each
            own = _customer_of(conn, row.record_key)
            assert len(row.candidates) == 2 and own not in row.candidates
            assert set(row.evidence) == set(row.candidates)
            assert _records(conn, own) == {row.record_key}  # it joined neither
    again = reconcile(database, HubResolver(IdentityEngine()))
    assert (again.review, again.withdrawn, again.moved) == (0, 0, 0)
    assert _in_review(database) == after


def _customer_of(conn: Any, record_key: str) -> str:
    query = (
        select(identity_links.c.customer_id)
        .join(source_records, source_records.c.id == identity_links.c.record_id)
        .where(source_records.c.record_key == record_key)
    )
    return str(conn.execute(query).scalar())


def test_rapport_ingest_reconcile_gives_the_same_customers_in_any_order(
    database_url: str, another_database_url: str, people: list[dict[str, Any]], tmp_path: Path
) -> None:
    shuffled = _shuffled(people)
    exports = []
    for url, lines, name in ((database_url, people, "in_order"), (another_database_url, shuffled, "shuffled")):
        data = tmp_path / f"{name}.ndjson"
        data.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
        done = rapport("ingest", "--reconcile", str(data), url=url)
        assert done.returncode == 0, done.stderr
        assert "reclustered" in done.stdout
        exports.append(_partition_of(rapport("export", "links", url=url).stdout))
    assert exports[0] == exports[1]


def _partition_of(links_csv: str) -> set[frozenset[str]]:
    members: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(links_csv)):
        members.setdefault(row["customer_id"], set()).add(f"{row['record_type']}:{row['source']}:{row['external_id']}")
    return {frozenset(m) for m in members.values()}


def test_a_large_store_reconciled_in_regions_ends_as_if_reconciled_at_once(
    database: Database, other: Database, people: list[dict[str, Any]]
) -> None:
    shuffled = _shuffled(people)
    for store in (database, other):
        _ingest(store, HubResolver(IdentityEngine()), shuffled, 7)
    at_once = reconcile(database, HubResolver(IdentityEngine()))
    in_regions = reconcile(other, HubResolver(IdentityEngine()), region_records=60)
    assert at_once.records == in_regions.records and at_once.moved == in_regions.moved > 0
    assert _partition(database) == _partition(other)
    assert _in_review(database) == _in_review(other)


def test_regions_keep_linked_records_and_customers_together() -> None:
    from hub.reconcile_regions import _packed, components
    from identity.clustering import Groups

    linked = Groups()
    for key in ["a", "b", "c", "d", "e"]:
        linked.add(key, None)
    linked.union("d", "b")
    linked.union("e", "c")
    assert components(linked) == [["a"], ["b", "d"], ["c", "e"]]
    assert _packed(components(linked), 3) == [["a", "b", "d"], ["c", "e"]]
    assert _packed([["a", "b", "c", "d"], ["e"]], 2) == [["a", "b", "c", "d"], ["e"]]


def test_the_scheduler_queues_reconciling_and_a_worker_runs_it(database_url: str, people: list[dict[str, Any]]) -> None:
    from hub.db.database import utcnow
    from hub.jobs import queue
    from hub.reconcile import RECONCILE_JOB
    from hub.runtime import Runtime

    runtime = Runtime(Settings(database_url=database_url, reconcile_every_seconds=900))
    try:
        (job,) = [job for job in runtime.periodic_jobs() if job.kind == RECONCILE_JOB]
        assert job.every == 900
        never = Runtime(Settings(database_url=database_url, reconcile_every_seconds=0), runtime.database)
        assert all(job.kind != RECONCILE_JOB for job in never.periodic_jobs())
        _ingest(runtime.database, runtime.resolver, _shuffled(people), 7)
        before = _partition(runtime.database)
        with runtime.database.transaction() as conn:
            queue.enqueue(conn, RECONCILE_JOB, {}, now=utcnow())
        assert runtime.worker().run_until_idle() == 1
        assert _partition(runtime.database) != before
        assert reconcile(runtime.database, runtime.resolver).moved == 0  # the job did it all
    finally:
        runtime.database.dispose()


def test_the_job_skips_a_store_that_did_not_change_since_the_last_run(
    database: Database, people: list[dict[str, Any]]
) -> None:
    resolver = HubResolver(IdentityEngine())
    _ingest(database, resolver, people[:300], 7)
    first = reconcile(database, resolver, if_changed=True)
    assert not first.skipped and first.records > 0
    assert reconcile(database, resolver, if_changed=True).skipped
    with database.transaction() as conn:
        (run,) = conn.execute(select(audit_events).where(audit_events.c.kind == "identity.reconciled").limit(1))
        assert run.detail["records"] == first.records and run.detail["started_at"]
    _ingest(database, resolver, people[300:310], 7)  # new records: the statistics moved
    assert not reconcile(database, resolver, if_changed=True).skipped
    assert reconcile(database, resolver, if_changed=True).skipped
    customer = _customer_with_records(database, 2)
    with database.transaction() as conn:  # a person's decision counts as a change too
        from hub.db.database import utcnow

        split(conn, customer, sorted(_records(conn, customer))[:1], actor="api:test", now=utcnow())
    assert not reconcile(database, resolver, if_changed=True).skipped
    assert not reconcile(database, resolver).skipped  # by hand, it always runs


def test_an_admin_queues_a_reconciliation_through_the_api(database_url: str, people: list[dict[str, Any]]) -> None:
    import warnings

    from hub.api import create_app
    from hub.jobs.worker import Worker
    from hub.keys import create_key
    from hub.reconcile import RECONCILE_KEY
    from hub.runtime import Runtime

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    settings = Settings(database_url=database_url)
    database = _open(database_url)
    runtime = Runtime(settings, database)
    shuffled = _shuffled(people)
    _ingest(database, runtime.resolver, shuffled, 7)
    with database.transaction() as conn:
        admin, reader = create_key(conn, "admin", "a")[1], create_key(conn, "read", "r")[1]
    assert reconcile(database, runtime.resolver).moved > 0  # settled; a forced run still runs
    try:
        with TestClient(create_app(settings, database), raise_server_exceptions=False) as client:
            refused = client.post("/v1/identity/reconcile", headers={"Authorization": f"Bearer {reader}"})
            assert refused.status_code == 403
            queued = client.post("/v1/identity/reconcile", headers={"Authorization": f"Bearer {admin}"})
            assert queued.status_code == 202 and queued.json()["status"] == "queued"
        with database.transaction() as conn:
            from hub.db.tables import jobs

            job = conn.execute(select(jobs).where(jobs.c.id == queued.json()["job_id"])).one()
            assert job.concurrency_key == RECONCILE_KEY and job.payload == {"force": True}
        runs_before = _runs(database)
        assert Worker(database, runtime.handlers()).run_until_idle() == 1
        assert _runs(database) == runs_before + 1  # forced: it ran although nothing changed
    finally:
        database.dispose()


def _runs(database: Database) -> int:
    with database.transaction() as conn:
        query = select(func.count()).select_from(audit_events).where(audit_events.c.kind == "identity.reconciled")
        return int(conn.execute(query).scalar_one())


def test_a_syncs_field_decisions_neither_pin_customers_nor_count_as_changes(
    database: Database, people: list[dict[str, Any]]
) -> None:
    from hub.db.database import utcnow

    shuffled = _shuffled(people)
    resolver = HubResolver(IdentityEngine())
    _ingest(database, resolver, shuffled, 7)
    with database.transaction() as conn:  # a sync wrote conflict decisions to every customer's history
        owners = set(conn.execute(select(identity_links.c.customer_id)).scalars())
        rows = [{"customer_id": c, "kind": "field.decision", "detail": {"field": "city"}, "actor": "sync:sf",
                 "created_at": utcnow()} for c in owners]  # fmt: skip
        conn.execute(audit_events.insert(), rows)
    assert reconcile(database, resolver, if_changed=True).moved > 0
    with database.transaction() as conn:  # another sync's decisions, after the run
        conn.execute(audit_events.insert(), [row | {"created_at": utcnow()} for row in rows[:3]])
    assert reconcile(database, resolver, if_changed=True).skipped
