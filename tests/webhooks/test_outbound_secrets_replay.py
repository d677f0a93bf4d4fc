"""Secrets (generated, idempotent apply, rotation grace period with two signatures) and replay of a range."""

from __future__ import annotations

from datetime import timedelta

import pytest
from standardwebhooks import Webhook

from hub.db.database import Database
from hub.secrets import SecretBox
from hub.webhooks_admin import EndpointError, current_secrets, prune_webhooks, replay, rotate_secret, upsert_endpoint
from hub.webhooks_store import emit_event
from tests.webhooks.conftest import Clock
from tests.webhooks.helpers import SECRET, add_endpoint, deliveries
from tests.webhooks.receiver import Receiver
from webhooks.outbound.dispatcher import Dispatcher


def _upsert(database: Database, box: SecretBox, clock: Clock, **changes: object) -> tuple[str, str | None]:
    definition: dict[str, object] = {
        "name": "crm-events",
        "url": "https://example.com/hook",
        "events": None,
        "secret": None,
        "description": None,
        "enabled": True,
    }
    definition.update(changes)
    with database.transaction() as conn:
        return upsert_endpoint(conn, box, now=clock(), **definition)  # type: ignore[arg-type]


def test_a_generated_secret_is_returned_once_and_stored_encrypted(
    database: Database, box: SecretBox, clock: Clock
) -> None:
    endpoint_id, generated = _upsert(database, box, clock)
    assert generated is not None and generated.startswith("whsec_")
    again_id, again = _upsert(database, box, clock, description="changed")
    assert (again_id, again) == (endpoint_id, None)
    with database.transaction() as conn:
        assert current_secrets(conn, box, endpoint_id, now=clock()) == [generated]
        from hub.db.webhook_tables import webhook_secrets

        stored = conn.execute(webhook_secrets.select()).one().secret
    assert generated not in stored


def test_bad_definitions_are_refused_without_echoing_the_secret(
    database: Database, box: SecretBox, clock: Clock
) -> None:
    with pytest.raises(EndpointError, match=r"unknown event types: customer\.exploded"):
        _upsert(database, box, clock, events=["customer.exploded"])
    with pytest.raises(EndpointError, match="http"):
        _upsert(database, box, clock, url="ftp://example.com")
    with pytest.raises(EndpointError) as refused:
        _upsert(database, box, clock, secret="whsec_not-base64!!")
    assert "not-base64" not in str(refused.value)


def test_rotation_signs_with_both_secrets_during_the_grace_period(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    endpoint_id = add_endpoint(database, box, clock, receiver.url)
    with database.transaction() as conn:
        new_secret = rotate_secret(conn, box, endpoint_id, now=clock())
        emit_event(conn, "customer.deleted", {"customer_id": "cus_1"}, now=clock())
    assert new_secret is not None
    dispatcher.deliver_due()

    request = receiver.requests[0]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(SECRET).verify(request.body, request.headers)
    Webhook(new_secret).verify(request.body, request.headers)

    clock.advance(timedelta(hours=24, seconds=1).total_seconds())
    with database.transaction() as conn:
        assert current_secrets(conn, box, endpoint_id, now=clock()) == [new_secret]


def test_reapplying_a_different_secret_rotates(database: Database, box: SecretBox, clock: Clock) -> None:
    endpoint_id, _ = _upsert(database, box, clock, secret=SECRET)
    other = "whsec_" + "A" * 40
    _upsert(database, box, clock, secret=other)
    with database.transaction() as conn:
        assert current_secrets(conn, box, endpoint_id, now=clock()) == [other, SECRET]


def test_replay_resends_a_time_range_in_bounded_pages(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    endpoint_id = add_endpoint(database, box, clock, receiver.url)
    start = clock()
    ids = []
    for index in range(5):
        with database.transaction() as conn:
            ids.append(emit_event(conn, "customer.deleted", {"customer_id": f"cus_{index}"}, now=clock()))
        clock.advance(60)
    dispatcher.deliver_due()
    assert len(receiver.requests) == 5

    with database.transaction() as conn:
        queued, next_start = replay(
            conn, endpoint_id, since=start + timedelta(seconds=60), until=clock(), limit=2, now=clock()
        )
        assert (queued, next_start) == (2, start + timedelta(seconds=180))
        assert next_start is not None
        queued, next_start = replay(conn, endpoint_id, since=next_start, until=clock(), limit=2, now=clock())
        assert (queued, next_start) == (2, None)
    dispatcher.deliver_due()

    assert sorted(r.headers["webhook-id"] for r in receiver.requests[5:]) == sorted(ids[1:5])
    assert {d.status for d in deliveries(database)} == {"succeeded"}


def test_replay_delivers_messages_an_endpoint_never_got(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    start = clock()
    with database.transaction() as conn:
        msg_id = emit_event(conn, "customer.deleted", {"customer_id": "cus_1"}, now=clock())
    endpoint_id = add_endpoint(database, box, clock, receiver.url)
    with database.transaction() as conn:
        assert replay(conn, endpoint_id, since=start, until=clock() + timedelta(seconds=1), now=clock()) == (1, None)
    dispatcher.deliver_due()
    assert [r.headers["webhook-id"] for r in receiver.requests] == [msg_id]


def test_prune_keeps_pending_work_and_drops_old_finished_deliveries(
    database: Database, box: SecretBox, clock: Clock, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    add_endpoint(database, box, clock, receiver.url)
    with database.transaction() as conn:
        emit_event(conn, "customer.deleted", {"customer_id": "old"}, now=clock())
    dispatcher.deliver_due()
    clock.advance(3600)
    with database.transaction() as conn:
        emit_event(conn, "customer.deleted", {"customer_id": "new"}, now=clock())
        assert prune_webhooks(conn, older_than=clock()) == 1
    assert [d.status for d in deliveries(database)] == ["pending"]
