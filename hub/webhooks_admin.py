"""Managing webhook endpoints (for `rapport apply` and the API): create or update by name, rotate secrets,
retry deliveries and replay a time range. Secrets are stored encrypted and only a generated one is ever
returned, once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Connection, delete, insert, select, update

from hub.db.webhook_tables import (
    inbound_events,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
    webhook_messages,
    webhook_secrets,
)
from hub.secrets import SecretBox
from hub.webhooks_store import PENDING, create_deliveries, wake_deliverers
from webhooks.events import check_event_types, matches
from webhooks.outbound.signing import generate_secret, is_valid_secret

ROTATION_GRACE = timedelta(hours=24)
REPLAY_LIMIT = 1000


class EndpointError(ValueError):
    """An endpoint definition that cannot be saved; the message says what to fix (never a secret)."""


def check_endpoint(url: str, events: list[str] | None, secret: str | None) -> None:
    """Raise `EndpointError` for a bad URL, an unknown event type or a malformed secret."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise EndpointError(f"'{url}' is not a URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise EndpointError(f"'{url}' must be an http:// or https:// URL with a host")
    unknown = check_event_types(events)
    if unknown:
        raise EndpointError(f"unknown event types: {', '.join(unknown)}")
    if secret is not None and not is_valid_secret(secret):
        raise EndpointError("the secret must be 'whsec_' followed by base64 of 24 to 64 random bytes")


def upsert_endpoint(
    conn: Connection,
    box: SecretBox,
    *,
    name: str,
    url: str,
    events: list[str] | None,
    secret: str | None,
    description: str | None,
    enabled: bool,
    now: datetime,
) -> tuple[str, str | None]:
    """Create endpoint `name`, or bring it to this definition; returns (id, generated secret or None).

    Idempotent: applying the same definition again changes nothing. A different `secret` rotates (the old
    one stays valid for 24 h); no `secret` keeps the current one, or generates one for a new endpoint.
    """
    check_endpoint(url, events, secret)
    e = webhook_endpoints
    existing = conn.execute(select(e).where(e.c.name == name)).first()
    values: dict[str, Any] = {"url": url, "event_types": events, "description": description, "updated_at": now}
    values |= {"enabled": enabled} | ({"disabled_reason": None, "failing_since": None} if enabled else {})
    if existing is None:
        endpoint_id = f"ep_{uuid.uuid4().hex[:24]}"
        conn.execute(insert(e).values(id=endpoint_id, name=name, created_at=now, **values))
        generated = None if secret else generate_secret()
        _add_secret(conn, box, endpoint_id, secret or str(generated), now)
        return endpoint_id, generated
    if enabled and existing.enabled:
        values.pop("disabled_reason"), values.pop("failing_since")  # a healthy endpoint keeps its health
    conn.execute(update(e).where(e.c.id == existing.id).values(**values))
    if secret is not None and secret not in current_secrets(conn, box, existing.id, now=now):
        rotate_secret(conn, box, existing.id, secret=secret, now=now)
    return existing.id, None


def _add_secret(conn: Connection, box: SecretBox, endpoint_id: str, secret: str, now: datetime) -> None:
    conn.execute(insert(webhook_secrets).values(endpoint_id=endpoint_id, secret=box.encrypt(secret), created_at=now))


def current_secrets(conn: Connection, box: SecretBox, endpoint_id: str, *, now: datetime) -> list[str]:
    """The endpoint's secrets that sign right now (the newest first)."""
    s = webhook_secrets
    rows = conn.execute(
        select(s.c.secret, s.c.expires_at).where(s.c.endpoint_id == endpoint_id).order_by(s.c.id.desc())
    ).all()
    return [box.decrypt(row.secret) for row in rows if row.expires_at is None or row.expires_at > now]


def rotate_secret(
    conn: Connection,
    box: SecretBox,
    endpoint_id: str,
    *,
    secret: str | None = None,
    grace: timedelta = ROTATION_GRACE,
    now: datetime,
) -> str | None:
    """Make `secret` (or a generated one) current; the previous ones keep signing for `grace`.

    Returns the generated secret (shown once), or None when `secret` was given.
    """
    if secret is not None and not is_valid_secret(secret):
        raise EndpointError("the secret must be 'whsec_' followed by base64 of 24 to 64 random bytes")
    s = webhook_secrets
    conn.execute(delete(s).where(s.c.endpoint_id == endpoint_id, s.c.expires_at.is_not(None), s.c.expires_at <= now))
    conn.execute(
        update(s).where(s.c.endpoint_id == endpoint_id, s.c.expires_at.is_(None)).values(expires_at=now + grace)
    )
    generated = None if secret else generate_secret()
    _add_secret(conn, box, endpoint_id, secret or str(generated), now)
    return generated


def delete_endpoint(conn: Connection, endpoint_id: str) -> bool:
    """Delete an endpoint and its secrets; its deliveries stay as history (pending ones are dropped)."""
    d = webhook_deliveries
    conn.execute(delete(webhook_secrets).where(webhook_secrets.c.endpoint_id == endpoint_id))
    conn.execute(delete(d).where(d.c.endpoint_id == endpoint_id, d.c.status == PENDING))
    return conn.execute(delete(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)).rowcount == 1


def retry_delivery(conn: Connection, delivery_id: int, *, now: datetime) -> bool:
    """Send a delivery again now (one more attempt, same webhook-id); False when unknown or disabled."""
    d, e = webhook_deliveries, webhook_endpoints
    enabled = select(e.c.id).where(e.c.enabled.is_(True)).scalar_subquery()
    changed = conn.execute(
        update(d)
        .where(d.c.id == delivery_id, d.c.endpoint_id.in_(enabled))
        .values(status=PENDING, next_attempt_at=now, updated_at=now)
    ).rowcount
    if changed:
        wake_deliverers(conn, now=now)
    return bool(changed)


def replay(
    conn: Connection,
    endpoint_id: str,
    *,
    since: datetime,
    until: datetime,
    only_failed: bool = False,
    limit: int = REPLAY_LIMIT,
    now: datetime,
) -> tuple[int, datetime | None]:
    """Send the endpoint every message of [since, until) it subscribes to (or only its failed ones) again.

    At most `limit` messages per call; returns (how many were queued, where the next call should start or
    None when the range is done). Messages it never got are delivered for the first time.
    """
    endpoint = conn.execute(select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)).one()
    if not endpoint.enabled:
        raise EndpointError("the endpoint is disabled; enable it before replaying")
    m, d = webhook_messages, webhook_deliveries
    rows = conn.execute(
        select(m.c.id, m.c.event_type, m.c.created_at, d.c.id.label("delivery_id"), d.c.status)
        .outerjoin(d, (d.c.message_id == m.c.id) & (d.c.endpoint_id == endpoint_id))
        .where(m.c.created_at >= since, m.c.created_at < until)
        .order_by(m.c.created_at, m.c.id)
        .limit(limit + 1)
    ).all()
    more = rows[limit].created_at if len(rows) > limit else None
    queued = 0
    for row in rows[:limit]:
        if not matches(endpoint.event_types, row.event_type) or (only_failed and row.status != "failed"):
            continue
        if row.delivery_id is None:
            create_deliveries(conn, row.id, [endpoint_id], now=now, wake=False)
        else:
            conn.execute(
                update(d).where(d.c.id == row.delivery_id).values(status=PENDING, next_attempt_at=now, updated_at=now)
            )
        queued += 1
    if queued:
        wake_deliverers(conn, now=now)
    return queued, more


def prune_webhooks(conn: Connection, *, older_than: datetime) -> int:
    """Delete finished deliveries (with their attempts) and messages created before `older_than`, and the
    inbound events processed before it; pending work is kept. Returns how many deliveries went.

    For the maintenance job; replay can only reach what is kept (a retention of 30 days or more suits it).
    """
    d, m, a = webhook_deliveries, webhook_messages, webhook_attempts
    finished = select(d.c.id).where(d.c.status != PENDING, d.c.created_at < older_than)
    conn.execute(delete(a).where(a.c.delivery_id.in_(finished.scalar_subquery())))
    gone = conn.execute(delete(d).where(d.c.status != PENDING, d.c.created_at < older_than)).rowcount
    waiting = select(d.c.message_id).where(d.c.message_id == m.c.id).exists()
    conn.execute(delete(m).where(m.c.created_at < older_than, ~waiting))
    e = inbound_events
    conn.execute(delete(e).where(e.c.status != "received", e.c.received_at < older_than))
    return int(gone)
