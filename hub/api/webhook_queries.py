"""Read queries behind the webhook API: endpoints and deliveries as response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from hub.api.webhook_schemas import AttemptOut, DeliveryOut, DeliveryPage, EndpointOut
from hub.db.webhook_tables import webhook_attempts, webhook_deliveries, webhook_messages

D, M, A = webhook_deliveries, webhook_messages, webhook_attempts


def endpoint_out(row: Any, *, secret: str | None = None) -> EndpointOut:
    """An endpoint row as a response body."""
    return EndpointOut(
        id=row.id,
        name=row.name,
        url=row.url,
        events=row.event_types,
        description=row.description,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        failing_since=row.failing_since,
        created_at=row.created_at,
        updated_at=row.updated_at,
        secret=secret,
    )


def _delivery(row: Any, attempts: list[AttemptOut] | None = None) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        message_id=row.message_id,
        endpoint_id=row.endpoint_id,
        event_type=row.event_type,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        attempt_log=attempts,
    )


def _base() -> Any:
    return select(D, M.c.event_type).join(M, M.c.id == D.c.message_id)


def delivery_page(
    conn: Connection,
    filters: dict[str, str | None],
    *,
    limit: int,
    before: int | None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> DeliveryPage:
    """Newest first, with the given filters (None values ignored), after cursor `before`, created in a range."""
    query = _base()
    columns = {
        "endpoint_id": D.c.endpoint_id,
        "status": D.c.status,
        "event_type": M.c.event_type,
        "message_id": D.c.message_id,
    }
    for name, value in filters.items():
        if value is not None:
            query = query.where(columns[name] == value)
    if before is not None:
        query = query.where(D.c.id < before)
    if since is not None:
        query = query.where(D.c.created_at >= since)
    if until is not None:
        query = query.where(D.c.created_at < until)
    rows = conn.execute(query.order_by(D.c.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return DeliveryPage(data=[_delivery(r) for r in rows], next_cursor=str(rows[-1].id) if more and rows else None)


def delivery_out(conn: Connection, delivery_id: int) -> DeliveryOut | None:
    """One delivery with its attempts, or None."""
    row = conn.execute(_base().where(D.c.id == delivery_id)).first()
    if row is None:
        return None
    attempts = conn.execute(select(A).where(A.c.delivery_id == delivery_id).order_by(A.c.id)).all()
    log = [
        AttemptOut(
            attempt=a.attempt,
            started_at=a.started_at,
            status_code=a.status_code,
            latency_ms=a.latency_ms,
            response_body=a.response_body,
            error=a.error,
        )
        for a in attempts
    ]
    return _delivery(row, log)
