"""Ingest into the store: idempotent upserts, interactions attached whenever their profile arrives, merges."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.db.database import Database
from hub.db.tables import audit_events, customers, interactions, jobs, source_records
from hub.export import iter_customers, write_links
from hub.ingest.records import parse_record
from hub.ingest.service import IngestReport, IngestService
from hub.resolution import HubResolver
from hub.settings import Settings
from identity.engine import IdentityEngine
from identity.exact import ExactResolver


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database.for_settings(Settings(database_url=database_url))
    yield database
    database.dispose()


@pytest.fixture
def service(database: Database) -> IngestService:
    return IngestService(database, HubResolver(ExactResolver()), batch_size=2)


def ingest(service: IngestService, *raw: dict[str, Any], inline: bool = True) -> IngestReport:
    return service.ingest([parse_record(r) for r in raw], IngestReport(), inline=inline)


def live(database: Database) -> list[dict[str, Any]]:
    with database.transaction() as conn:
        return list(iter_customers(conn))


def count(database: Database, table: Any) -> int:
    with database.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def links(database: Database) -> dict[str, str]:
    out = io.StringIO()
    with database.transaction() as conn:
        write_links(conn, out)
    rows = [line.split(",") for line in out.getvalue().splitlines()[1:]]
    return {f"{t}:{s}:{e}": c for t, s, e, c in rows}


ANA_IG = {"type": "social_profile", "network": "instagram", "id": "ig1", "handle": "ana", "email": "Ana@Example.com"}
ANA_SF = {"type": "contact", "system": "salesforce", "id": "003", "first_name": "Ana", "email": "ana@example.com"}


def test_reingesting_the_same_records_changes_nothing(service: IngestService, database: Database) -> None:
    first = ingest(service, ANA_IG, ANA_SF)
    assert (first.accepted, first.records, first.customers_created) == (2, 2, 1)
    before = (links(database), live(database))
    again = ingest(service, ANA_IG, ANA_SF)
    assert again.customers_created == 0
    assert count(database, source_records) == 2
    assert links(database) == before[0]
    assert [c["id"] for c in live(database)] == [c["id"] for c in before[1]]


def test_a_changed_record_is_updated_in_place(service: IngestService, database: Database) -> None:
    ingest(service, ANA_SF)
    ingest(service, {**ANA_SF, "last_name": "Lopez", "city": "Porto"})
    assert count(database, source_records) == 1
    [customer] = live(database)
    assert (customer["full_name"], customer["city"]) == ("Ana Lopez", "Porto")


def test_later_batches_compare_with_a_changed_record_as_it_is_now(database: Database) -> None:
    # a record read as a candidate in one batch, then changed, is compared as it is now in a later batch
    service = IngestService(database, HubResolver(IdentityEngine()), batch_size=2)
    contact = {"type": "contact", "system": "salesforce", "id": "c1", "first_name": "Ana", "last_name": "Novak"}
    ingest(service, {**contact, "email": "ana.novak@old.example.si"})
    ingest(service, {**contact, "id": "c2", "email": "a.novak@elsewhere.example.si"})  # reads c1 as a candidate
    ingest(service, {**contact, "email": "ana.novak@new.example.si"})
    ingest(service, {"type": "social_profile", "network": "x", "id": "x1", "handle": "zq_wave",
                     "bio": "write to ana.novak@new.example.si"})  # fmt: skip
    found = links(database)
    assert found["social_profile:x:x1"] == found["contact:salesforce:c1"]


def test_duplicates_within_one_batch_keep_the_last(service: IngestService, database: Database) -> None:
    ingest(service, {**ANA_SF, "city": "Lisboa"}, {**ANA_SF, "city": "Porto"})
    assert count(database, source_records) == 1
    assert live(database)[0]["city"] == "Porto"


def test_interactions_before_and_after_their_profile(service: IngestService, database: Database) -> None:
    post = {"type": "interaction", "network": "instagram", "id": "p1", "profile_id": "ig1", "kind": "post"}
    ingest(service, post, {**post, "id": "p2", "created_at": "2024-05-01T10:00:00", "sentiment": 0.5})
    assert count(database, interactions) == 2
    assert live(database) == []
    ingest(service, ANA_IG)
    [customer] = live(database)
    assert customer["interactions_count"] == 2
    assert customer["last_interaction_at"].startswith("2024-05-01T10:00:00")
    assert customer["sentiment_recent"] == 0.5
    ingest(service, {**post, "id": "p3"})
    ingest(service, {**post, "id": "p3"})  # the same post again is not a new interaction
    assert live(database)[0]["interactions_count"] == 3
    assert count(database, interactions) == 3


def test_changed_interaction_is_updated(service: IngestService, database: Database) -> None:
    ingest(service, ANA_IG)
    post = {"type": "interaction", "network": "instagram", "id": "p1", "profile_id": "ig1", "sentiment": -1}
    ingest(service, post)
    ingest(service, {**post, "sentiment": 1})
    assert count(database, interactions) == 1
    assert live(database)[0]["sentiment_recent"] == 1.0


def test_interaction_moved_to_another_profile_leaves_the_first(service: IngestService, database: Database) -> None:
    bo = {"type": "social_profile", "network": "instagram", "id": "ig2", "email": "bo@example.com"}
    ingest(service, ANA_IG, bo)
    post = {"type": "interaction", "network": "instagram", "id": "p1", "profile_id": "ig1"}
    ingest(service, post)
    ingest(service, {**post, "profile_id": "ig2"})
    counts = {c["email"]: c["interactions_count"] for c in live(database)}
    assert counts == {"ana@example.com": 0, "bo@example.com": 1}


def test_a_bridging_record_merges_two_customers(service: IngestService, database: Database) -> None:
    phone_only = {"type": "social_profile", "network": "x", "id": "x9", "phone": "+351 912 345 678", "handle": "a"}
    ingest(service, ANA_SF)
    ingest(service, phone_only)
    assert len(live(database)) == 2
    report = ingest(service, {"type": "contact", "system": "hubspot", "id": "h1", "email": "ANA@example.com",
                              "phone": "912345678", "country": "PT"})  # fmt: skip
    assert report.merges == 1
    [customer] = live(database)
    assert len(set(links(database).values())) == 1
    assert customer["handles"] == {"x": ["a"]}
    assert len(customer["records"]) == 3
    assert count(database, audit_events) == 1
    with database.transaction() as conn:
        merged = conn.execute(select(customers.c.merged_into).where(customers.c.merged_into.is_not(None))).all()
    assert merged == [(customer["id"],)]


def test_deferred_ingest_queues_one_job_per_changed_batch(service: IngestService, database: Database) -> None:
    ingest(service, ANA_IG, ANA_SF, inline=False)
    assert count(database, jobs) == 1
    ingest(service, ANA_IG, ANA_SF, inline=False)  # nothing changed: nothing to resolve
    assert count(database, jobs) == 1
    unresolved = links(database)
    assert all(unresolved.values())
    assert unresolved["social_profile:instagram:ig1"] != unresolved["contact:salesforce:003"]
    with database.transaction() as conn:
        payload = conn.execute(select(jobs.c.payload)).scalar_one()
    outcome = service.run_resolve_job(payload)
    assert len(outcome.created) == 1
    resolved = links(database)
    assert len(set(resolved.values())) == 1


@pytest.mark.postgres_only
def test_postgres_concurrent_ingests_of_one_person_make_one_customer(
    service: IngestService, database: Database, backend: str
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import text

    from hub.records import store_batch

    now = datetime.now(UTC)
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            ingest(service, ANA_IG)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with database.transaction() as conn:
        stored = store_batch(conn, [parse_record(ANA_SF)], now)
        service.resolver.resolve(conn, stored.changed_record_ids, stored.touched_profiles, now)
        thread = threading.Thread(target=second_writer)
        thread.start()
        # Commit only once the second writer waits on us (or finished without waiting, which is the bug).
        with database.engine.connect() as watcher:
            while thread.is_alive():
                waiting = watcher.execute(
                    text("select count(*) from pg_locks where locktype = 'advisory' and not granted")
                ).scalar()
                if waiting:
                    break
                thread.join(0.01)
    thread.join(60)
    assert not errors
    assert len(live(database)) == 1
    assert len(set(links(database).values())) == 1


def test_after_batch_runs_once_per_committed_batch(service: IngestService, database: Database) -> None:
    stored_at_each_call: list[int] = []

    def count_stored() -> None:
        with database.transaction() as conn:
            stored_at_each_call.append(conn.execute(select(func.count()).select_from(source_records)).scalar_one())

    raw = [{"type": "contact", "system": "crm", "id": str(n), "email": f"p{n}@example.com"} for n in range(5)]
    service.ingest([parse_record(r) for r in raw], IngestReport(), inline=True, after_batch=count_stored)
    assert stored_at_each_call == [2, 4, 5]  # batches of 2, each committed before the call
