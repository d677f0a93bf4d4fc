"""The scheduler: APScheduler 3 decides *when* periodic work is due; the lease holder only enqueues it.

Every `serve`/`worker` process may run a scheduler, but only the one holding the `scheduler` lease enqueues,
so no periodic job runs twice; when it dies its lease expires and another process takes over.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from hub.db.database import Database, utcnow
from hub.db.tables import jobs
from hub.jobs import leases, queue

log = logging.getLogger("rapport.scheduler")
LEASE_NAME = "scheduler"


@dataclass(frozen=True)
class PeriodicJob:
    """A job enqueued on a schedule: `every` seconds, or a crontab `cron` expression."""

    name: str
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    every: float | None = None
    cron: str | None = None

    @property
    def concurrency_key(self) -> str:
        """A sync's key is its connection's `sync:<name>`, the key `POST /v1/connections/{name}/sync` uses, so a
        scheduled and a requested sync of one connection never run at once (nor wait in the queue twice)."""
        connection = self.payload.get("connection")
        if self.kind == "sync" and connection:
            return f"sync:{connection}"
        return f"periodic:{self.name}"

    def trigger(self) -> BaseTrigger:
        """The APScheduler trigger for this schedule."""
        if self.cron:
            return CronTrigger.from_crontab(self.cron, timezone="UTC")
        return IntervalTrigger(seconds=self.every or 3600, timezone="UTC")


class Scheduler:
    """Holds (or waits for) the scheduler lease and enqueues periodic jobs while holding it."""

    def __init__(
        self,
        database: Database,
        periodic: list[PeriodicJob] | Callable[[], list[PeriodicJob]],
        holder: str,
        *,
        lease_seconds: float = 30.0,
        refresh_seconds: float = 60.0,
    ) -> None:
        self.database = database
        self._source = periodic if callable(periodic) else (lambda: list(periodic))
        self.holder = holder
        self.lease_seconds = lease_seconds
        self.refresh_seconds = refresh_seconds
        self.is_leader = False
        self.scheduled: dict[str, PeriodicJob] = {}
        self._scheduler = BackgroundScheduler(timezone="UTC")

    def start(self) -> None:
        """Start timing; the lease is renewed at a third of its lifetime, the schedule re-read every minute
        (so connections declared after start are scheduled without a restart)."""
        self.renew_lease()
        self._scheduler.add_job(self.renew_lease, IntervalTrigger(seconds=self.lease_seconds / 3))
        self._scheduler.add_job(self.refresh, IntervalTrigger(seconds=self.refresh_seconds))
        self.refresh()
        self._scheduler.start()

    def refresh(self) -> None:
        """Bring the timed jobs in line with the current periodic list (added, changed, removed)."""
        try:
            wanted = {job.name: job for job in self._source()}
        except Exception:
            log.exception("could not read the schedule; keeping the current one")
            return
        for name in [n for n, job in self.scheduled.items() if wanted.get(n) != job]:
            self._scheduler.remove_job(name)
            del self.scheduled[name]
        for name, job in wanted.items():
            if name not in self.scheduled:
                self._scheduler.add_job(self.fire, job.trigger(), args=[job], id=name, coalesce=True)
                self.scheduled[name] = job

    def shutdown(self) -> None:
        """Stop timing and hand the lease over at once."""
        self._scheduler.shutdown(wait=False)
        with self.database.transaction() as conn:
            leases.release(conn, LEASE_NAME, self.holder)
        self.is_leader = False

    def renew_lease(self) -> bool:
        """Take or keep the lease; returns whether this process leads."""
        try:
            with self.database.transaction() as conn:
                self.is_leader = leases.acquire(
                    conn, LEASE_NAME, self.holder, ttl_seconds=self.lease_seconds, now=utcnow()
                )
        except Exception:
            log.exception("could not renew the scheduler lease")
            self.is_leader = False
        return self.is_leader

    def fire(self, job: PeriodicJob) -> bool:
        """Enqueue `job` if this process leads and no run of it is already waiting; True when enqueued.

        The lease is checked again inside the enqueuing transaction (a process that lost it during a pause no
        longer fires), and on PostgreSQL concurrent fires of one key are serialised, so two processes that both
        believe they lead cannot both enqueue.
        """
        if not self.is_leader:
            return False
        key = job.concurrency_key
        now = utcnow()
        with self.database.transaction() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_lock_id(key))))
            if leases.holder_of(conn, LEASE_NAME, now=now) != self.holder:
                self.is_leader = False
                return False
            waiting = conn.execute(
                select(jobs.c.id)
                .where(jobs.c.concurrency_key == key, jobs.c.status.in_((queue.QUEUED, queue.FAILED)))
                .limit(1)
            ).first()
            if waiting:
                return False
            queue.enqueue(conn, job.kind, job.payload, now=now, concurrency_key=key)
        return True


def _lock_id(key: str) -> int:
    """A 64-bit advisory lock id for firing `key` (its own namespace, apart from the queue's claim locks)."""
    return int.from_bytes(hashlib.sha256(f"rapport.scheduler:{key}".encode()).digest()[:8], "big", signed=True)
