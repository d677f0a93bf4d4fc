"""The hub's side of outbound webhooks: `emit_event` (in the caller's transaction) and the delivery store.

`emit_event` writes the message, one delivery per matching enabled endpoint, and a `webhook.deliver` job
that wakes a worker; the worker's `Dispatcher` then claims due deliveries through `SqlDeliveryStore`. The
deliveries table is the queue: claiming pushes `next_attempt_at` past a lease, so nothing is lost when a
worker dies (its deliveries fall due again and go out with the same webhook-id).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    insert,
    or_,
    select,
    update,
)

from hub.db.database import Database
from hub.db.webhook_tables import (
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
    webhook_messages,
    webhook_secrets,
)
from hub.jobs.queue import enqueue
from hub.secrets import SecretBox
from hub.webhooks_record import (
    FAILED,
    PENDING,
    SUCCEEDED,
    attempt_row,
    delivery_params,
    delivery_update,
    record_statement,
)
from webhooks.events import matches, message_body
from webhooks.outbound.dispatcher import AttemptRecord, DeliveryTask

log = logging.getLogger("rapport.webhooks")
__all__ = ["FAILED", "PENDING", "SUCCEEDED", "SqlDeliveryStore", "emit_event", "emit_events"]
DELIVER_JOB = "webhook.deliver"
CACHE_FOR = timedelta(seconds=2)  # how stale an endpoint's URL, health or secrets may be when sending


def new_message_id() -> str:
    """A webhook-id: unique, the same on every attempt of one message."""
    return f"msg_{uuid.uuid4().hex}"


def emit_event(conn: Connection, type: str, data: dict[str, Any], *, now: datetime) -> str:
    """Record event `type` with `data` for every subscribed endpoint, in the caller's transaction.

    Returns the message id (the `webhook-id` consumers see). Raises `webhooks.events.EventError` for an
    unknown type, data that does not match the type's schema, or a body over 64 KB.
    """
    return emit_events(conn, [(type, data)], now=now)[0]


def emit_events(conn: Connection, events: Sequence[tuple[str, dict[str, Any]]], *, now: datetime) -> list[str]:
    """`emit_event` for many events at once (a batch of resolutions): a few statements, one wake-up job.

    Every event is checked before anything is written; returns the message ids in order.
    """
    bodies = [(new_message_id(), event_type, message_body(event_type, data, now)) for event_type, data in events]
    if not bodies:
        return []
    conn.execute(
        insert(webhook_messages),
        [{"id": msg_id, "event_type": kind, "body": body, "created_at": now} for msg_id, kind, body in bodies],
    )
    e = webhook_endpoints
    endpoints = conn.execute(select(e.c.id, e.c.event_types).where(e.c.enabled.is_(True))).all()
    rows = [
        _pending(msg_id, endpoint.id, now)
        for msg_id, kind, _body in bodies
        for endpoint in endpoints
        if matches(endpoint.event_types, kind)
    ]
    if rows:
        conn.execute(insert(webhook_deliveries), rows)
        wake_deliverers(conn, now=now)
    return [msg_id for msg_id, _kind, _body in bodies]


def _pending(msg_id: str, endpoint_id: str, now: datetime) -> dict[str, Any]:
    return {
        "message_id": msg_id,
        "endpoint_id": endpoint_id,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def create_deliveries(
    conn: Connection, msg_id: str, endpoint_ids: Sequence[str], *, now: datetime, wake: bool = True
) -> None:
    """One pending delivery of `msg_id` per endpoint, due now, and (unless `wake` is False) a job to send it."""
    if not endpoint_ids:
        return
    conn.execute(insert(webhook_deliveries), [_pending(msg_id, endpoint_id, now) for endpoint_id in endpoint_ids])
    if wake:
        wake_deliverers(conn, now=now)


def wake_deliverers(conn: Connection, *, now: datetime, at: datetime | None = None) -> None:
    """Queue a `webhook.deliver` job (a running deliverer absorbs the queued ones it can see)."""
    enqueue(conn, DELIVER_JOB, {}, now=now, run_after=at or now)


class SqlDeliveryStore:
    """`webhooks.outbound.dispatcher.DeliveryStore` on the hub's database."""

    def __init__(self, database: Database, box: SecretBox) -> None:
        self.database = database
        self.box = box
        self._plain: dict[str, str] = {}  # ciphertext -> secret
        self._cache: dict[str, tuple[datetime, Any, tuple[str, ...]]] = {}

    def claim_due(self, now: datetime, limit: int, lease_seconds: int) -> list[DeliveryTask]:
        """Lease up to `limit` due deliveries and load what sending them needs."""
        d = webhook_deliveries
        due = (
            select(d.c.id)
            .where(d.c.status == PENDING, d.c.next_attempt_at <= now)
            .order_by(d.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        lease = update(d).where(d.c.id.in_(due.scalar_subquery()))
        lease = lease.values(next_attempt_at=now + timedelta(seconds=lease_seconds), updated_at=now)
        with self.database.transaction() as conn:
            if conn.dialect.name == "postgresql":
                # A lost lease only makes a delivery due again (and a later durable write flushes this one).
                conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                m = webhook_messages  # UPDATE ... FROM returns the bodies too: one round trip fewer
                lease = lease.where(m.c.id == d.c.message_id)
                claimed = conn.execute(lease.returning(d.c.id, d.c.message_id, d.c.endpoint_id, d.c.attempts, m.c.body))
                rows = claimed.all()
                bodies = {row.message_id: row.body for row in rows}
            else:
                rows = conn.execute(lease.returning(d.c.id, d.c.message_id, d.c.endpoint_id, d.c.attempts)).all()
                bodies = _bodies(conn, {row.message_id for row in rows})
            return self._tasks(conn, rows, bodies, now) if rows else []

    def _tasks(
        self, conn: Connection, claimed: Sequence[Any], bodies: dict[str, str], now: datetime
    ) -> list[DeliveryTask]:
        endpoints = self._endpoints(conn, {row.endpoint_id for row in claimed}, now)
        tasks, orphans = [], []
        for row in claimed:
            found = endpoints.get(row.endpoint_id)
            if found is None:
                orphans.append(row.id)
                continue
            endpoint, secrets = found
            tasks.append(
                DeliveryTask(
                    delivery_id=row.id,
                    msg_id=row.message_id,
                    endpoint_id=row.endpoint_id,
                    url=endpoint.url,
                    body=bodies[row.message_id],
                    secrets=secrets,
                    attempt=row.attempts + 1,
                    failing_since=endpoint.failing_since,
                )
            )
        if orphans:
            _fail_deliveries(conn, webhook_deliveries.c.id.in_(orphans), "the endpoint is disabled or deleted", now)
        return tasks

    def _endpoints(self, conn: Connection, ids: set[str], now: datetime) -> dict[str, tuple[Any, tuple[str, ...]]]:
        """Enabled endpoints with their signing secrets, cached for a moment: a busy endpoint is not
        re-read (and its secrets re-decrypted) for every batch. Missing ones (disabled, deleted) are not cached.
        """
        stale = {i for i in ids if i not in self._cache or not timedelta(0) <= now - self._cache[i][0] < CACHE_FOR}
        if stale:
            e = webhook_endpoints
            rows = conn.execute(select(e).where(e.c.id.in_(stale), e.c.enabled.is_(True))).all()
            secrets = self._active_secrets(conn, stale, now)
            for row in rows:
                if secrets.get(row.id):
                    self._cache[row.id] = (now, row, tuple(secrets[row.id]))
            for gone in stale - {row.id for row in rows if secrets.get(row.id)}:
                self._cache.pop(gone, None)
        return {i: (self._cache[i][1], self._cache[i][2]) for i in ids if i in self._cache}

    def forget(self, endpoint_id: str) -> None:
        """Drop an endpoint from the cache (it was disabled or changed here)."""
        self._cache.pop(endpoint_id, None)

    def _active_secrets(self, conn: Connection, endpoint_ids: set[str], now: datetime) -> dict[str, list[str]]:
        s = webhook_secrets
        rows = conn.execute(
            select(s.c.endpoint_id, s.c.secret)
            .where(s.c.endpoint_id.in_(endpoint_ids), or_(s.c.expires_at.is_(None), s.c.expires_at > now))
            .order_by(s.c.id.desc())
        )
        found: dict[str, list[str]] = {}
        for endpoint_id, ciphertext in rows:
            if ciphertext not in self._plain:
                self._plain[ciphertext] = self.box.decrypt(ciphertext)
            found.setdefault(endpoint_id, []).append(self._plain[ciphertext])
        return found

    def record(self, records: Sequence[AttemptRecord], now: datetime) -> None:
        """Write the attempts, move each delivery on, track endpoint health, disable where decided."""
        with self.database.transaction() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(record_statement(records))
            else:
                conn.execute(insert(webhook_attempts).values([attempt_row(r) for r in records]))
                conn.execute(delivery_update(), [delivery_params(r) for r in records])
            _track_health(conn, records, now)
            for record in records:
                if record.disable_reason:
                    self.forget(record.task.endpoint_id)
                    disable_endpoint(conn, record.task.endpoint_id, record.disable_reason, now=now)


def _bodies(conn: Connection, message_ids: set[str]) -> dict[str, str]:
    m = webhook_messages
    return {row.id: row.body for row in conn.execute(select(m.c.id, m.c.body).where(m.c.id.in_(message_ids)))}


def _track_health(conn: Connection, records: Sequence[AttemptRecord], now: datetime) -> None:
    e = webhook_endpoints
    # Only endpoints whose health changes are written: a healthy endpoint's success costs no statement.
    healthy = {r.task.endpoint_id for r in records if r.result.succeeded and r.task.failing_since is not None}
    failing = {r.task.endpoint_id for r in records if not r.result.succeeded and r.task.failing_since is None}
    failing -= {r.task.endpoint_id for r in records if r.result.succeeded}
    if healthy:
        conn.execute(update(e).where(e.c.id.in_(healthy), e.c.failing_since.is_not(None)).values(failing_since=None))
    if failing:
        first = min(r.started_at for r in records if r.task.endpoint_id in failing)
        conn.execute(update(e).where(e.c.id.in_(failing), e.c.failing_since.is_(None)).values(failing_since=first))


def _fail_deliveries(conn: Connection, condition: Any, reason: str, now: datetime) -> None:
    d = webhook_deliveries
    conn.execute(
        update(d)
        .where(and_(condition, d.c.status == PENDING))
        .values(status=FAILED, next_attempt_at=None, last_error=reason, updated_at=now)
    )


def disable_endpoint(conn: Connection, endpoint_id: str, reason: str, *, now: datetime) -> bool:
    """Disable an enabled endpoint, fail its pending deliveries and emit `endpoint.disabled` (once)."""
    e = webhook_endpoints
    changed = conn.execute(
        update(e)
        .where(e.c.id == endpoint_id, e.c.enabled.is_(True))
        .values(enabled=False, disabled_reason=reason, updated_at=now)
        .returning(e.c.name)
    ).first()
    if changed is None:
        return False
    _fail_deliveries(conn, webhook_deliveries.c.endpoint_id == endpoint_id, f"endpoint disabled: {reason}", now)
    log.warning("webhook endpoint disabled", extra={"endpoint_id": endpoint_id, "reason": reason})
    emit_event(conn, "endpoint.disabled", {"endpoint_id": endpoint_id, "name": changed.name, "reason": reason}, now=now)
    return True
