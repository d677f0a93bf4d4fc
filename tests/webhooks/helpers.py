"""Small helpers shared by webhook tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.db.database import Database
from hub.db.webhook_tables import webhook_attempts, webhook_deliveries, webhook_endpoints, webhook_messages
from hub.secrets import SecretBox
from hub.webhooks_admin import upsert_endpoint
from tests.webhooks.conftest import Clock

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the Standard Webhooks specification's example secret


def add_endpoint(
    database: Database, box: SecretBox, clock: Clock, url: str, *, name: str = "ep", events: list[str] | None = None
) -> str:
    """Create an endpoint with the example secret; returns its id."""
    with database.transaction() as conn:
        endpoint_id, _ = upsert_endpoint(
            conn, box, name=name, url=url, events=events, secret=SECRET, description=None, enabled=True, now=clock()
        )
    return endpoint_id


def deliveries(database: Database) -> list[Any]:
    """Every delivery, oldest first."""
    with database.transaction() as conn:
        return list(conn.execute(select(webhook_deliveries).order_by(webhook_deliveries.c.id)))


def attempts(database: Database) -> list[Any]:
    """Every attempt, oldest first."""
    with database.transaction() as conn:
        return list(conn.execute(select(webhook_attempts).order_by(webhook_attempts.c.id)))


def endpoint(database: Database, endpoint_id: str) -> Any:
    """One endpoint row."""
    with database.transaction() as conn:
        return conn.execute(select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)).one()


def message_types(database: Database) -> list[str]:
    """Event types of every stored message, oldest first."""
    with database.transaction() as conn:
        rows = conn.execute(select(webhook_messages.c.event_type).order_by(webhook_messages.c.created_at))
        return [row.event_type for row in rows]
