"""Job handlers for webhooks: `webhook.deliver` (send due deliveries) and `inbound.process` (handle a stored
inbound event). `webhook_handlers(database, settings)` is merged into the runtime's handlers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from hub.db.database import Database, utcnow
from hub.db.tables import jobs
from hub.db.webhook_tables import webhook_deliveries
from hub.jobs.queue import DONE, QUEUED
from hub.jobs.worker import Handler
from hub.secrets import SecretBox
from hub.settings import Settings
from hub.webhooks_inbound_jobs import INBOUND_JOB, InboundProcessor
from hub.webhooks_store import DELIVER_JOB, PENDING, SqlDeliveryStore, wake_deliverers
from webhooks.outbound.dispatcher import Dispatcher
from webhooks.outbound.sender import HttpSender
from webhooks.outbound.ssrf import parse_networks

DELIVER_BUDGET_SECONDS = 5.0  # then the worker may run other kinds of job; a follow-up job continues
DELIVER_LINGER_SECONDS = 0.25  # keep polling briefly: under load this saves a job round trip per message


class Deliverer:
    """The `webhook.deliver` handler: absorbs queued wake-ups, sends what is due, schedules the next run."""

    def __init__(self, database: Database, settings: Settings, *, concurrency: int = 32) -> None:
        self.database = database
        self.settings = settings
        self.concurrency = concurrency
        self._dispatcher: Dispatcher | None = None

    @property
    def dispatcher(self) -> Dispatcher:
        """Built on first use: a process that never delivers (a CLI command, a PostgreSQL worker without
        RAPPORT_SECRET_KEY that only resolves) must not need the secret key."""
        if self._dispatcher is None:
            sender = HttpSender(parse_networks(self.settings.webhook_allowed_networks))
            store = SqlDeliveryStore(self.database, SecretBox.from_settings(self.settings))
            self._dispatcher = Dispatcher(store, sender, concurrency=self.concurrency)
        return self._dispatcher

    def __call__(self, _payload: dict[str, Any]) -> None:
        """Run one delivery session."""
        with self.database.transaction() as conn:
            _absorb_wakeups(conn, utcnow())
            _recruit(conn, utcnow(), self.dispatcher.concurrency * 2)
        self.dispatcher.deliver_due(budget=DELIVER_BUDGET_SECONDS, linger=DELIVER_LINGER_SECONDS)
        with self.database.transaction() as conn:
            _schedule_next(conn, utcnow())


def _absorb_wakeups(conn: Connection, now: datetime) -> None:
    """Mark queued, due wake-up jobs done: this session covers them.

    A wake-up committed after this statement stays queued and runs, so none is lost.
    """
    due = (
        select(jobs.c.id)
        .where(jobs.c.kind == DELIVER_JOB, jobs.c.status == QUEUED, jobs.c.run_after <= now)
        .with_for_update(skip_locked=True)
    )
    conn.execute(
        update(jobs).where(jobs.c.id.in_(due.scalar_subquery())).values(status=DONE, finished_at=now, updated_at=now)
    )


def _recruit(conn: Connection, now: datetime, backlog: int) -> None:
    """With a backlog bigger than one session's appetite, queue a wake-up so another worker joins in.

    Each joining session does the same, so workers are recruited one by one while the backlog lasts.
    """
    d = webhook_deliveries
    due = select(d.c.id).where(d.c.status == PENDING, d.c.next_attempt_at <= now).limit(backlog).subquery()
    if conn.execute(select(func.count()).select_from(due)).scalar_one() < backlog:
        return
    queued = select(jobs.c.id).where(jobs.c.kind == DELIVER_JOB, jobs.c.status == QUEUED, jobs.c.run_after <= now)
    if conn.execute(queued.limit(1)).first() is None:
        wake_deliverers(conn, now=now)


def _schedule_next(conn: Connection, now: datetime) -> None:
    """Queue a wake-up for the earliest pending delivery (a retry, or leftovers), unless one is queued by then."""
    d = webhook_deliveries
    earliest = conn.execute(select(func.min(d.c.next_attempt_at)).where(d.c.status == PENDING)).scalar()
    if earliest is None:
        return
    queued = conn.execute(
        select(jobs.c.id)
        .where(jobs.c.kind == DELIVER_JOB, jobs.c.status == QUEUED, jobs.c.run_after <= max(earliest, now))
        .limit(1)
    ).first()
    if queued is None:
        wake_deliverers(conn, now=now, at=max(earliest, now))


def webhook_handlers(database: Database, settings: Settings) -> dict[str, Handler]:
    """Job kind -> handler for every webhook job kind."""
    return {DELIVER_JOB: Deliverer(database, settings), INBOUND_JOB: InboundProcessor(database, settings)}
