"""Outbound delivery end to end: emit in a transaction, a worker delivers to a live receiver, signed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from standardwebhooks import Webhook

from hub.db.database import Database, utcnow
from hub.db.webhook_tables import webhook_attempts, webhook_deliveries
from hub.jobs.worker import Worker
from hub.secrets import SecretBox
from hub.settings import Settings
from hub.webhooks_admin import upsert_endpoint
from hub.webhooks_jobs import webhook_handlers
from hub.webhooks_store import emit_event
from tests.webhooks.receiver import Receiver


def _endpoint(database: Database, box: SecretBox, url: str, events: list[str] | None = None) -> str:
    with database.transaction() as conn:
        _id, secret = upsert_endpoint(
            conn,
            box,
            name=f"ep-{url}-{events}",
            url=url,
            events=events,
            secret=None,
            description=None,
            enabled=True,
            now=utcnow(),
        )
    assert secret is not None
    return secret


def test_event_is_delivered_signed_with_attempt_logged(
    database: Database, box: SecretBox, settings: Settings, receiver: Receiver
) -> None:
    secret = _endpoint(database, box, receiver.url)
    with database.transaction() as conn:
        msg_id = emit_event(conn, "customer.created", {"customer_id": "cus_1", "changed": ["email"]}, now=utcnow())

    Worker(database, webhook_handlers(database, settings)).run_until_idle()

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.headers["webhook-id"] == msg_id
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "customer.created"
    assert payload["data"] == {"customer_id": "cus_1", "changed": ["email"]}
    with database.transaction() as conn:
        delivery = conn.execute(select(webhook_deliveries)).one()
        attempt = conn.execute(select(webhook_attempts)).one()
    assert delivery.status == "succeeded"
    assert (attempt.status_code, attempt.response_body, attempt.attempt) == (200, "ok", 1)


def test_endpoint_receives_only_the_types_it_subscribes_to(
    database: Database, box: SecretBox, settings: Settings, receiver: Receiver
) -> None:
    _endpoint(database, box, receiver.url, ["customer.merged"])
    with database.transaction() as conn:
        emit_event(conn, "customer.created", {"customer_id": "cus_1"}, now=utcnow())
        emit_event(conn, "customer.merged", {"customer_id": "cus_1", "merged_ids": ["cus_2"]}, now=utcnow())

    Worker(database, webhook_handlers(database, settings)).run_until_idle()

    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["customer.merged"]


def test_event_rolled_back_with_its_transaction_is_never_sent(
    database: Database, box: SecretBox, settings: Settings, receiver: Receiver
) -> None:
    _endpoint(database, box, receiver.url)
    try:
        with database.transaction() as conn:
            emit_event(conn, "customer.deleted", {"customer_id": "cus_1"}, now=datetime.now(UTC))
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass

    Worker(database, webhook_handlers(database, settings)).run_until_idle()

    assert receiver.requests == []
