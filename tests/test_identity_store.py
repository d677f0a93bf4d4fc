"""The hub's candidate store: large key sets in one statement, and the record cache never serving stale data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, update

from hub.db.database import Database, member_of
from hub.db.tables import customers, identity_keys, identity_links, source_records
from hub.identity_store import RecordCache, SqlCandidateStore
from hub.settings import Settings
from identity.api import IdentityRecord

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database.for_settings(Settings(database_url=database_url))
    yield database
    database.dispose()


def _store_record(database: Database, external_id: str, name: str, customer_id: str) -> int:
    with database.transaction() as conn:
        row = {"record_key": f"contact:crm:{external_id}", "record_type": "contact", "source": "crm",
               "external_id": external_id, "payload": {"id": external_id, "name": name}, "content_hash": name,
               "first_seen_at": NOW, "last_seen_at": NOW}  # fmt: skip
        record_id = int(conn.execute(insert(source_records).values(row)).inserted_primary_key[0])
        conn.execute(insert(customers).values(id=customer_id, profile={}, created_at=NOW, updated_at=NOW))
        conn.execute(insert(identity_links).values(record_id=record_id, customer_id=customer_id, rule="new",
                                                   score=1.0, evidence={}, linked_at=NOW))  # fmt: skip
        conn.execute(insert(identity_keys).values(key="n:ana|novak", record_id=record_id))
    return record_id


def test_forty_thousand_keys_are_counted_and_found_in_one_call(database: Database) -> None:
    # more values than SQLite (32,766) allows parameters in one statement
    _store_record(database, "c1", "Ana Novak", "cus_1")
    keys = [f"g:name{i}" for i in range(40_000)] + ["n:ana|novak"]
    with database.transaction() as conn:
        store = SqlCandidateStore(conn)
        assert store.key_counts(keys) == {"n:ana|novak": 1}
        assert [r.key for r in store.find_by_keys(keys)] == ["contact:crm:c1"]
        assert store.do_not_link([f"contact:crm:x{i}" for i in range(40_000)]) == []


def test_cached_records_follow_their_row_content_and_customer(database: Database) -> None:
    record_id = _store_record(database, "c1", "Ana Novak", "cus_1")
    cache = RecordCache()
    with database.transaction() as conn:
        [first] = SqlCandidateStore(conn, cache).find_by_keys(["n:ana|novak"])
    assert (first.attributes["name"], first.customer_id) == ("Ana Novak", "cus_1")
    with database.transaction() as conn:
        conn.execute(insert(customers).values(id="cus_2", profile={}, created_at=NOW, updated_at=NOW))
        conn.execute(update(identity_links).values(customer_id="cus_2"))  # merged into another customer
        [moved] = SqlCandidateStore(conn, cache).find_by_keys(["n:ana|novak"])
        assert moved.customer_id == "cus_2"
        assert moved.attributes is first.attributes  # the payload was not decoded again
        changed = {"payload": {"id": "c1", "name": "Ana Kovač"}, "content_hash": "Ana Kovač"}
        conn.execute(update(source_records).where(source_records.c.id == record_id).values(changed))
        [now] = SqlCandidateStore(conn, cache).find_by_customers(["cus_2"])
    assert (now.attributes["name"], now.customer_id) == ("Ana Kovač", "cus_2")


def test_the_cache_keeps_only_its_size() -> None:
    cache = RecordCache(size=2)
    record = IdentityRecord("contact:crm:c1", "contact", "crm", "c1", {"name": "Ana"})
    for row_id in (1, 2, 3):
        cache.put(row_id, "h", record)
    assert cache.get(1, "h") is None
    assert cache.get(3, "h") is record
    assert cache.get(3, "other") is None


@pytest.mark.postgres_only
def test_postgres_plans_each_key_set_query_for_its_own_keys(database: Database) -> None:
    # a prepared statement would get a generic plan, blind to how many keys the one array holds
    with database.transaction() as conn:
        store = SqlCandidateStore(conn)
        for size in (1, 10, 100, 1000, 10, 1, 5000):
            store.key_counts([f"g:name{i}" for i in range(size)])
        prepared = conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar_one()
    assert prepared == 0


def test_an_empty_id_set_matches_nothing(database: Database) -> None:
    _store_record(database, "c1", "Ana Novak", "cus_1")
    with database.transaction() as conn:
        assert SqlCandidateStore(conn).records_where(member_of(conn, source_records.c.id, [])) == []
