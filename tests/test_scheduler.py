"""The scheduler: one leader at a time through the database lease; `fire` only enqueues when leading."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from hub.db.database import Database, utcnow
from hub.db.tables import jobs, leases
from hub.jobs import leases as lease_ops
from hub.jobs import queue
from hub.jobs.scheduler import LEASE_NAME, PeriodicJob, Scheduler
from hub.settings import Settings

SYNC = PeriodicJob("pull-sf", "sync", {"connection": "sf"}, every=300)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database.for_settings(Settings(database_url=database_url))
    yield database
    database.dispose()


def waiting_jobs(database: Database) -> list[tuple[str, str]]:
    with database.transaction() as conn:
        return [(r.kind, r.concurrency_key) for r in conn.execute(select(jobs.c.kind, jobs.c.concurrency_key))]


def expire_lease(database: Database) -> None:
    with database.transaction() as conn:
        conn.execute(
            update(leases).where(leases.c.name == LEASE_NAME).values(expires_at=utcnow() - timedelta(seconds=1))
        )


def test_only_one_of_two_schedulers_leads(database: Database) -> None:
    a, b = Scheduler(database, [SYNC], "a"), Scheduler(database, [SYNC], "b")
    assert a.renew_lease() is True
    assert b.renew_lease() is False
    assert a.renew_lease() is True  # renewing keeps it
    assert (a.is_leader, b.is_leader) == (True, False)
    with database.transaction() as conn:
        assert lease_ops.holder_of(conn, LEASE_NAME, now=utcnow()) == "a"


def test_when_the_leader_shuts_down_the_other_takes_over(database: Database) -> None:
    a, b = Scheduler(database, [SYNC], "a"), Scheduler(database, [SYNC], "b")
    a.start()
    try:
        assert a.is_leader
        assert b.renew_lease() is False
    finally:
        a.shutdown()
    assert a.is_leader is False
    assert b.renew_lease() is True
    assert a.renew_lease() is False


def test_when_the_leader_stops_renewing_its_lease_expires_and_the_other_takes_over(database: Database) -> None:
    a, b = Scheduler(database, [SYNC], "a"), Scheduler(database, [SYNC], "b")
    assert a.renew_lease()
    assert not b.renew_lease()
    expire_lease(database)
    assert b.renew_lease() is True
    assert a.renew_lease() is False
    assert not a.fire(SYNC)


def test_lease_functions_directly(database: Database) -> None:
    now = utcnow()
    with database.transaction() as conn:
        assert lease_ops.acquire(conn, "x", "a", ttl_seconds=10, now=now)
        assert not lease_ops.acquire(conn, "x", "b", ttl_seconds=10, now=now + timedelta(seconds=9))
        assert lease_ops.acquire(conn, "x", "b", ttl_seconds=10, now=now + timedelta(seconds=11))
        assert lease_ops.holder_of(conn, "x", now=now + timedelta(seconds=12)) == "b"
        assert lease_ops.holder_of(conn, "x", now=now + timedelta(seconds=30)) is None
        lease_ops.release(conn, "x", "a")  # not a's any more: nothing happens
        assert lease_ops.holder_of(conn, "x", now=now + timedelta(seconds=12)) == "b"
        lease_ops.release(conn, "x", "b")
        assert lease_ops.holder_of(conn, "x", now=now + timedelta(seconds=12)) is None


def test_fire_enqueues_once_while_a_run_is_waiting(database: Database) -> None:
    leader, follower = Scheduler(database, [SYNC], "a"), Scheduler(database, [SYNC], "b")
    leader.renew_lease()
    follower.renew_lease()
    assert follower.fire(SYNC) is False
    assert leader.fire(SYNC) is True
    assert leader.fire(SYNC) is False
    assert waiting_jobs(database) == [("sync", "sync:sf")]  # the key POST /v1/connections/sf/sync uses
    with database.transaction() as conn:
        job = queue.claim(conn, "w", now=utcnow(), lease_seconds=60)
    assert job is not None and job.payload == {"connection": "sf"}
    assert leader.fire(SYNC) is True  # the previous run is no longer waiting (it runs)
    assert len(waiting_jobs(database)) == 2


def test_triggers_from_every_and_cron() -> None:
    assert "interval" in str(PeriodicJob("a", "k", every=60).trigger())
    assert "cron" in str(PeriodicJob("b", "k", cron="*/15 * * * *").trigger())
