"""The job table: claim under a lease, finish, retry with backoff, bury, release, concurrency keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hub.db.database import Database
from hub.db.tables import jobs
from hub.jobs import queue
from hub.settings import Settings

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
LEASE = 60


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database.for_settings(Settings(database_url=database_url))
    yield database
    database.dispose()


def enqueue(database: Database, kind: str = "k", **options: object) -> int:
    with database.transaction() as conn:
        return queue.enqueue(conn, kind, {"n": 1}, now=T0, **options)  # type: ignore[arg-type]


def claim(database: Database, owner: str, now: datetime = T0, kinds: list[str] | None = None) -> queue.Job | None:
    with database.transaction() as conn:
        return queue.claim(conn, owner, now=now, lease_seconds=LEASE, kinds=kinds)


def row(database: Database, job_id: int) -> dict[str, object]:
    with database.transaction() as conn:
        return dict(conn.execute(select(jobs).where(jobs.c.id == job_id)).one()._mapping)


def aware(value: object) -> datetime:
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_enqueue_claim_complete(database: Database) -> None:
    job_id = enqueue(database, "resolve")
    job = claim(database, "w1")
    assert job is not None
    assert (job.id, job.kind, job.payload, job.attempts) == (job_id, "resolve", {"n": 1}, 1)
    assert row(database, job_id)["status"] == queue.RUNNING
    with database.transaction() as conn:
        assert queue.complete(conn, job, "w1", now=T0)
    assert row(database, job_id)["status"] == queue.DONE
    assert claim(database, "w1") is None


def test_claim_respects_run_after_and_kinds(database: Database) -> None:
    enqueue(database, "later", run_after=T0 + timedelta(minutes=5))
    enqueue(database, "other")
    assert claim(database, "w1", kinds=["later"]) is None
    job = claim(database, "w1", kinds=["later"], now=T0 + timedelta(minutes=5))
    assert job is not None and job.kind == "later"


def test_a_claimed_job_is_not_claimed_twice(database: Database) -> None:
    enqueue(database)
    assert claim(database, "w1") is not None
    assert claim(database, "w2") is None
    assert claim(database, "w2", now=T0 + timedelta(seconds=LEASE - 1)) is None


def test_an_expired_lease_is_reclaimed_and_the_old_owner_cannot_finish(database: Database) -> None:
    job_id = enqueue(database)
    first = claim(database, "w1")
    assert first is not None
    later = T0 + timedelta(seconds=LEASE + 1)
    second = claim(database, "w2", now=later)
    assert second is not None
    assert (second.id, second.attempts) == (job_id, 2)
    with database.transaction() as conn:
        assert not queue.complete(conn, first, "w1", now=later)
        assert queue.complete(conn, second, "w2", now=later)
    assert row(database, job_id)["status"] == queue.DONE


def test_failures_retry_later_then_die_with_the_last_error(database: Database) -> None:
    job_id = enqueue(database, max_attempts=2)
    job = claim(database, "w1")
    assert job is not None
    with database.transaction() as conn:
        assert queue.fail(conn, job, "w1", "boom 1", now=T0) == queue.FAILED
    failed = row(database, job_id)
    assert failed["status"] == queue.FAILED
    assert aware(failed["run_after"]) > T0
    assert claim(database, "w1") is None  # not before its backoff
    retry_at = aware(failed["run_after"])
    job = claim(database, "w1", now=retry_at)
    assert job is not None and job.attempts == 2
    with database.transaction() as conn:
        assert queue.fail(conn, job, "w1", "boom 2", now=retry_at) == queue.DEAD
    dead = row(database, job_id)
    assert (dead["status"], dead["last_error"]) == (queue.DEAD, "boom 2")
    assert dead["finished_at"] is not None
    assert claim(database, "w1", now=retry_at + timedelta(days=1)) is None


def test_permanent_failure_dies_at_once(database: Database) -> None:
    job_id = enqueue(database)
    job = claim(database, "w1")
    assert job is not None
    with database.transaction() as conn:
        assert queue.fail(conn, job, "w1", "bad payload", now=T0, permanent=True) == queue.DEAD
    assert row(database, job_id)["status"] == queue.DEAD


def test_long_errors_are_truncated(database: Database) -> None:
    job_id = enqueue(database)
    job = claim(database, "w1")
    assert job is not None
    with database.transaction() as conn:
        queue.fail(conn, job, "w1", "x" * 10_000, now=T0)
    assert len(str(row(database, job_id)["last_error"])) == queue.ERROR_LIMIT


def test_backoff_grows_and_is_capped() -> None:
    assert 1.0 <= queue.backoff_seconds(1) <= 2.0
    assert 8.0 <= queue.backoff_seconds(4) <= 16.0
    assert queue.backoff_seconds(100) <= queue.BACKOFF_CAP_SECONDS


def test_release_gives_the_attempt_back(database: Database) -> None:
    job_id = enqueue(database)
    job = claim(database, "w1")
    assert job is not None
    with database.transaction() as conn:
        queue.release(conn, job, "w1", now=T0)
    released = row(database, job_id)
    assert (released["status"], released["attempts"], released["lease_owner"]) == (queue.QUEUED, 0, None)
    again = claim(database, "w2")
    assert again is not None and again.attempts == 1


def test_retry_dead_queues_it_with_fresh_attempts(database: Database) -> None:
    job_id = enqueue(database, max_attempts=1)
    job = claim(database, "w1")
    assert job is not None
    with database.transaction() as conn:
        queue.fail(conn, job, "w1", "boom", now=T0)
        assert not queue.retry_dead(conn, job_id + 1000, now=T0)
        assert queue.retry_dead(conn, job_id, now=T0)
        assert not queue.retry_dead(conn, job_id, now=T0)  # no longer dead
    revived = claim(database, "w1")
    assert revived is not None and revived.attempts == 1


def test_queue_stats_depth_and_age(database: Database) -> None:
    enqueue(database, "resolve")
    enqueue(database, "resolve")
    enqueue(database, "sync", max_attempts=1)
    done = enqueue(database, "resolve", run_after=T0 + timedelta(hours=1))
    running = claim(database, "w1", kinds=["resolve"])
    dead = claim(database, "w1", kinds=["sync"])
    assert running is not None and dead is not None
    with database.transaction() as conn:
        queue.fail(conn, dead, "w1", "boom", now=T0)
        stats = queue.queue_stats(conn)
        assert stats == {
            "resolve": {"queued": 2, "running": 1, "failed": 0, "dead": 0},
            "sync": {"queued": 0, "running": 0, "failed": 0, "dead": 1},
        }
        assert queue.queue_depth(conn) == 2
        assert queue.oldest_waiting_age(conn, now=T0 + timedelta(seconds=30)) == 30.0
        assert queue.oldest_waiting_age(conn, now=T0 - timedelta(seconds=1)) == 0.0
    assert done


def test_prune_done_removes_only_old_finished_jobs(database: Database) -> None:
    old = enqueue(database)
    job = claim(database, "w1")
    assert job is not None
    with database.transaction() as conn:
        queue.complete(conn, job, "w1", now=T0)
    waiting = enqueue(database)
    with database.transaction() as conn:
        assert queue.prune_done(conn, older_than=T0) == 0
        assert queue.prune_done(conn, older_than=T0 + timedelta(seconds=1)) == 1
        remaining = set(conn.execute(select(jobs.c.id)).scalars())
    assert remaining == {waiting}
    assert old not in remaining


def test_jobs_with_one_concurrency_key_never_run_at_once(database: Database) -> None:
    enqueue(database, concurrency_key="conn:sf")
    enqueue(database, concurrency_key="conn:sf")
    free = enqueue(database, concurrency_key="conn:hs")
    first = claim(database, "w1")
    assert first is not None
    other = claim(database, "w2")
    assert other is not None and other.id == free
    assert claim(database, "w3") is None
    with database.transaction() as conn:
        queue.complete(conn, first, "w1", now=T0)
    second = claim(database, "w2")
    assert second is not None and second.id not in (first.id, free)


def test_a_key_whose_running_job_lost_its_lease_is_free_again(database: Database) -> None:
    enqueue(database, concurrency_key="k")
    enqueue(database, concurrency_key="k")
    assert claim(database, "w1") is not None
    later = T0 + timedelta(seconds=LEASE + 1)
    assert claim(database, "w2", now=later) is not None
    assert claim(database, "w3", now=later) is None


@pytest.mark.postgres_only
def test_postgres_concurrent_claimers_get_different_jobs(database: Database, backend: str) -> None:
    a, b = enqueue(database), enqueue(database)
    conn1, conn2 = database.engine.connect(), database.engine.connect()
    try:
        tx1, tx2 = conn1.begin(), conn2.begin()
        job1 = queue.claim(conn1, "w1", now=T0, lease_seconds=LEASE)
        job2 = queue.claim(conn2, "w2", now=T0, lease_seconds=LEASE)  # w1 has not committed: its row is locked
        assert job1 is not None and job2 is not None
        assert {job1.id, job2.id} == {a, b}
        assert queue.claim(conn2, "w2", now=T0, lease_seconds=LEASE) is None
        tx1.commit()
        tx2.commit()
    finally:
        conn1.close()
        conn2.close()


@pytest.mark.postgres_only
def test_postgres_concurrent_claimers_never_run_one_key_twice(database: Database, backend: str) -> None:
    enqueue(database, concurrency_key="conn:sf")
    enqueue(database, concurrency_key="conn:sf")
    conn1, conn2 = database.engine.connect(), database.engine.connect()
    try:
        tx1, tx2 = conn1.begin(), conn2.begin()
        first = queue.claim(conn1, "w1", now=T0, lease_seconds=LEASE)
        assert first is not None
        # w1's claim is not committed yet; w2 must not take the other job of the same key meanwhile.
        assert queue.claim(conn2, "w2", now=T0, lease_seconds=LEASE) is None
        tx2.commit()
        tx1.commit()
        tx2 = conn2.begin()
        assert queue.claim(conn2, "w2", now=T0, lease_seconds=LEASE) is None  # w1's job is running now
        tx2.commit()
    finally:
        conn1.close()
        conn2.close()


def test_a_job_whose_lease_expires_on_its_last_attempt_is_dead_not_run_again(database: Database) -> None:
    job_id = enqueue(database, max_attempts=2)
    assert claim(database, "w1") is not None
    assert claim(database, "w2", now=T0 + timedelta(seconds=LEASE + 1)) is not None  # attempt 2 of 2
    assert claim(database, "w3", now=T0 + timedelta(seconds=3 * LEASE)) is None
    dead = row(database, job_id)
    assert (dead["status"], dead["attempts"]) == (queue.DEAD, 2)
    assert "lease expired" in str(dead["last_error"])
