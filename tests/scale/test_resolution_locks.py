"""Resolution locks on PostgreSQL: records of one person serialise (no duplicate customer), records of unrelated
people do not (statistics-only keys such as `_:all` are never locked). Large batches still share some of the 256
lock buckets, so big concurrent batches partly serialise (see docs/operators.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from hub.db.database import Database, utcnow
from hub.ingest.records import parse_record
from hub.records import store_batch
from hub.resolution import HubResolver
from identity import default_resolver


@pytest.fixture
def resolver() -> HubResolver:
    return HubResolver(default_resolver())


def stored(database: Database, record: dict[str, str]) -> list[int]:
    with database.transaction() as conn:
        return store_batch(conn, [parse_record(record)], utcnow()).changed_record_ids


@pytest.fixture
def open_resolution(database: Database, resolver: HubResolver) -> Iterator[Connection]:
    """A transaction that has resolved Ada's record and not committed yet (a worker mid-job)."""
    ids = stored(database, {"type": "social_profile", "network": "x", "id": "1", "name": "Ada Lovelace",
                            "email": "ada@example.com"})  # fmt: skip
    with database.engine.connect() as conn, conn.begin():
        resolver.resolve(conn, ids, set(), utcnow())
        yield conn


def resolve_quickly(database: Database, resolver: HubResolver, record: dict[str, str]) -> bool:
    """Resolve `record` in a second transaction; False when it had to wait more than 2 s for a lock."""
    ids = stored(database, record)
    with database.engine.connect() as conn, conn.begin():
        conn.execute(text("SET LOCAL lock_timeout = '2s'"))
        try:
            resolver.resolve(conn, ids, set(), utcnow())
        except OperationalError:
            return False
    return True


@pytest.mark.postgres_only
def test_a_record_of_the_same_person_waits_for_the_open_resolution(
    database: Database, resolver: HubResolver, open_resolution: Connection
) -> None:
    same = {"type": "contact", "system": "crm", "id": "9", "first_name": "Ada", "email": "ADA@example.com"}
    assert resolve_quickly(database, resolver, same) is False


@pytest.mark.postgres_only
def test_a_record_of_an_unrelated_person_does_not_wait(
    database: Database, resolver: HubResolver, open_resolution: Connection
) -> None:
    other = {"type": "contact", "system": "crm", "id": "7", "first_name": "Grace", "last_name": "Hopper",
             "email": "grace@navy.example"}  # fmt: skip
    assert resolve_quickly(database, resolver, other) is True
