"""Outbound delivery end to end: emit in a transaction, a worker delivers to a live receiver, signed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select
from standardwebhooks import Webhook

from hub.db.database import Database, utcnow
from hub.db.tables import jobs
from hub.db.webhook_tables import webhook_attempts, webhook_deliveries
from hub.jobs.worker import Worker
from hub.secrets import SecretBox
from hub.settings import Settings
from hub.webhooks_admin import upsert_endpoint
from hub.webhooks_jobs import webhook_handlers
from hub.webhooks_store import emit_event, emit_events
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


def test_a_batch_of_events_is_emitted_with_one_wake_up(
    database: Database, box: SecretBox, settings: Settings, receiver: Receiver
) -> None:
    _endpoint(database, box, receiver.url, ["customer.created"])
    events = [("customer.created", {"customer_id": f"cus_{i}"}) for i in range(5)]
    events.append(("customer.deleted", {"customer_id": "cus_0"}))
    with database.transaction() as conn:
        ids = emit_events(conn, events, now=utcnow())
        wake_ups = conn.execute(select(func.count()).select_from(jobs).where(jobs.c.kind == "webhook.deliver"))
        assert wake_ups.scalar_one() == 1

    Worker(database, webhook_handlers(database, settings)).run_until_idle()

    assert sorted(r.headers["webhook-id"] for r in receiver.requests) == sorted(ids[:5])
