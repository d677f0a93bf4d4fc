"""The job table: enqueue in the caller's transaction, claim under a lease, finish, retry or bury.

Workers claim with `FOR UPDATE SKIP LOCKED` on PostgreSQL (plus a transaction advisory lock per concurrency key, so
two jobs of one key never run at once); on SQLite the claim runs inside a `BEGIN IMMEDIATE`
transaction, which serialises claimers. A running job whose lease expired (its worker died) is claimed again,
so every handler must be idempotent; one whose lease expired on its last attempt is dead.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from hub.db.tables import jobs
from hub.jobs.notify import notify_new_work

QUEUED, RUNNING, FAILED, DEAD, DONE = "queued", "running", "failed", "dead", "done"
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 3600.0
ERROR_LIMIT = 2000
CLAIM_TRIES = 20  # due jobs passed over because another worker holds their concurrency key


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed job."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


def enqueue(
    conn: Connection,
    kind: str,
    payload: dict[str, Any],
    *,
    now: datetime,
    run_after: datetime | None = None,
    concurrency_key: str | None = None,
    max_attempts: int = 8,
) -> int:
    """Queue a job in the caller's transaction; returns its id."""
    result = conn.execute(
        insert(jobs)
        .values(
            kind=kind,
            payload=payload,
            status=QUEUED,
            concurrency_key=concurrency_key,
            run_after=run_after or now,
            attempts=0,
            max_attempts=max_attempts,
            created_at=now,
            updated_at=now,
        )
        .returning(jobs.c.id)
    )
    if run_after is None or run_after <= now:
        notify_new_work(conn)
    return int(result.scalar_one())


def _claimable(now: datetime) -> Any:
    other = aliased(jobs)
    busy_key = exists().where(
        other.c.concurrency_key == jobs.c.concurrency_key,
        other.c.status == RUNNING,
        other.c.lease_expires_at > now,
        other.c.id != jobs.c.id,
    )
    ready = and_(jobs.c.status.in_((QUEUED, FAILED)), jobs.c.run_after <= now)
    abandoned = and_(jobs.c.status == RUNNING, jobs.c.lease_expires_at < now, jobs.c.attempts < jobs.c.max_attempts)
    return and_(or_(ready, abandoned), or_(jobs.c.concurrency_key.is_(None), ~busy_key))


def claim(
    conn: Connection, owner: str, *, now: datetime, lease_seconds: int, kinds: list[str] | None = None
) -> Job | None:
    """Claim the next due job for `owner` (or None); the caller's transaction must commit the claim."""
    _bury_abandoned(conn, now)
    postgres = conn.dialect.name == "postgresql"
    passed_keys: list[str] = []
    for _ in range(CLAIM_TRIES):
        query = select(jobs.c.id, jobs.c.concurrency_key).where(_claimable(now))
        if kinds:
            query = query.where(jobs.c.kind.in_(kinds))
        if passed_keys:
            query = query.where(or_(jobs.c.concurrency_key.is_(None), jobs.c.concurrency_key.not_in(passed_keys)))
        query = query.order_by(jobs.c.run_after, jobs.c.id).limit(1)
        if postgres:
            query = query.with_for_update(skip_locked=True)
        found = conn.execute(query).first()
        if found is None:
            return None
        if postgres and found.concurrency_key is not None and not _lock_key(conn, found.concurrency_key, now):
            passed_keys.append(found.concurrency_key)
            continue
        return _take(conn, found.id, owner, now=now, lease_seconds=lease_seconds)
    return None


def _bury_abandoned(conn: Connection, now: datetime) -> None:
    """A job whose lease expired on its last attempt (its worker died, or it outran its lease) is dead."""
    conn.execute(
        update(jobs)
        .where(jobs.c.status == RUNNING, jobs.c.lease_expires_at < now, jobs.c.attempts >= jobs.c.max_attempts)
        .values(
            status=DEAD,
            last_error="lease expired on the last attempt (the worker stopped, or the job outran its lease)",
            finished_at=now,
            updated_at=now,
            lease_owner=None,
            lease_expires_at=None,
        )
    )


def _lock_key(conn: Connection, key: str, now: datetime) -> bool:
    """PostgreSQL: hold `key` for this transaction and check afresh that no job of it runs.

    Row locks alone cannot keep two jobs of one key apart: a concurrent claimer's uncommitted claim of the other
    job is invisible here, so each claimer takes a transaction advisory lock on the key, then looks again (a new
    statement sees every claim committed before the lock was granted).
    """
    lock_id = int.from_bytes(hashlib.sha256(f"rapport.jobs:{key}".encode()).digest()[:8], "big", signed=True)
    if not conn.execute(select(func.pg_try_advisory_xact_lock(lock_id))).scalar():
        return False
    running = conn.execute(
        select(jobs.c.id)
        .where(jobs.c.concurrency_key == key, jobs.c.status == RUNNING, jobs.c.lease_expires_at > now)
        .limit(1)
    ).first()
    return running is None


def _take(conn: Connection, job_id: int, owner: str, *, now: datetime, lease_seconds: int) -> Job:
    row = conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id)
        .values(
            status=RUNNING,
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            attempts=jobs.c.attempts + 1,
            updated_at=now,
        )
        .returning(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts, jobs.c.max_attempts)
    ).one()
    return Job(row.id, row.kind, row.payload, row.attempts, row.max_attempts)


def extend_lease(conn: Connection, job: Job, owner: str, *, now: datetime, lease_seconds: int) -> bool:
    """Push the lease of a job still running forward (heartbeat); False when it was lost to another worker."""
    result = conn.execute(
        update(jobs)
        .where(_owned(job, owner))
        .values(lease_expires_at=now + timedelta(seconds=lease_seconds), updated_at=now)
    )
    return result.rowcount == 1


def _owned(job: Job, owner: str) -> Any:
    return and_(jobs.c.id == job.id, jobs.c.lease_owner == owner, jobs.c.status == RUNNING)


def complete(conn: Connection, job: Job, owner: str, *, now: datetime) -> bool:
    """Mark a job done; False when its lease was lost to another worker meanwhile."""
    result = conn.execute(
        update(jobs)
        .where(_owned(job, owner))
        .values(status=DONE, finished_at=now, updated_at=now, lease_owner=None, lease_expires_at=None)
    )
    return result.rowcount == 1


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter for a durable retry.

    tenacity's waits are built for in-process retry loops; a job's next try is a row's `run_after`, so the
    formula is applied here directly (full range 50-100% of the exponential step, capped at an hour).
    """
    step = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return float(step * random.uniform(0.5, 1.0))


def fail(conn: Connection, job: Job, owner: str, error: str, *, now: datetime, permanent: bool = False) -> str:
    """Record a failure: retry later with backoff, or `dead` when attempts are spent; returns the new status."""
    status = DEAD if permanent or job.attempts >= job.max_attempts else FAILED
    conn.execute(
        update(jobs)
        .where(_owned(job, owner))
        .values(
            status=status,
            last_error=error[:ERROR_LIMIT],
            run_after=now + timedelta(seconds=backoff_seconds(job.attempts)),
            updated_at=now,
            finished_at=now if status == DEAD else None,
            lease_owner=None,
            lease_expires_at=None,
        )
    )
    return status


def release(conn: Connection, job: Job, owner: str, *, now: datetime) -> bool:
    """Give a claimed job back untried (graceful shutdown): it is queued again without spending an attempt."""
    notify_new_work(conn)
    result = conn.execute(
        update(jobs)
        .where(_owned(job, owner))
        .values(
            status=QUEUED,
            attempts=jobs.c.attempts - 1,
            updated_at=now,
            lease_owner=None,
            lease_expires_at=None,
        )
    )
    return result.rowcount == 1


def retry_dead(conn: Connection, job_id: int, *, now: datetime) -> bool:
    """Queue a dead job again with a fresh set of attempts."""
    result = conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == DEAD)
        .values(status=QUEUED, attempts=0, run_after=now, updated_at=now, finished_at=None)
    )
    return result.rowcount == 1


def queue_stats(conn: Connection) -> dict[str, dict[str, int]]:
    """Per kind, how many jobs are queued, running, failed (awaiting a retry) and dead."""
    stats: dict[str, dict[str, int]] = {}
    query = (
        select(jobs.c.kind, jobs.c.status, func.count())
        .where(jobs.c.status != DONE)
        .group_by(jobs.c.kind, jobs.c.status)
    )
    for kind, status, count in conn.execute(query):
        stats.setdefault(kind, {QUEUED: 0, RUNNING: 0, FAILED: 0, DEAD: 0})[status] = int(count)
    return stats


def queue_depth(conn: Connection) -> int:
    """Jobs waiting to run (queued or awaiting a retry)."""
    query = select(func.count()).select_from(jobs).where(jobs.c.status.in_((QUEUED, FAILED)))
    return int(conn.execute(query).scalar_one())


def depth_exceeds(conn: Connection, limit: int) -> bool:
    """Whether more than `limit` jobs wait; counts at most `limit + 1` rows, so it stays cheap when deep."""
    waiting = select(jobs.c.id).where(jobs.c.status.in_((QUEUED, FAILED))).limit(limit + 1).subquery()
    return int(conn.execute(select(func.count()).select_from(waiting)).scalar_one()) > limit


def finished_since(conn: Connection, *, since: datetime) -> dict[str, int]:
    """Jobs done since `since`, and jobs that failed (awaiting a retry, or dead) since then."""
    done = select(func.count()).where(jobs.c.status == DONE, jobs.c.finished_at >= since)
    failed = select(func.count()).where(jobs.c.status.in_((FAILED, DEAD)), jobs.c.updated_at >= since)
    return {"done": int(conn.execute(done).scalar_one()), "failed": int(conn.execute(failed).scalar_one())}


def oldest_waiting_age(conn: Connection, *, now: datetime) -> float:
    """Seconds since the oldest waiting job became due (0 when none waits)."""
    query = select(func.min(jobs.c.run_after)).where(jobs.c.status.in_((QUEUED, FAILED)), jobs.c.run_after <= now)
    oldest = conn.execute(query).scalar()
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return float(max(0.0, (now - oldest).total_seconds()))


def prune_done(conn: Connection, *, older_than: datetime) -> int:
    """Delete finished jobs older than a cut-off; returns how many."""
    result = conn.execute(delete(jobs).where(jobs.c.status == DONE, jobs.c.finished_at < older_than))
    return int(result.rowcount)
