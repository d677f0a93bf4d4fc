"""Event bodies: known types only, data matching its schema, at most 64 KB; signing per Standard Webhooks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from webhooks.events import EVENT_TYPES, EventError, message_body
from webhooks.outbound.schedule import RETRY_SCHEDULE, parse_retry_after, retry_delay
from webhooks.outbound.signing import generate_secret, is_valid_secret, webhook_headers

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_contract_event_types_are_all_known() -> None:
    assert set(EVENT_TYPES) >= {
        "customer.created", "customer.updated", "customer.merged", "customer.split", "customer.deleted",
        "interaction.created", "sync.completed", "sync.failed", "record.rejected", "endpoint.disabled",
    }  # fmt: skip


def test_body_is_type_timestamp_and_data() -> None:
    body = json.loads(message_body("customer.merged", {"customer_id": "a", "merged_ids": ["b"]}, NOW))
    assert body == {
        "type": "customer.merged",
        "timestamp": NOW.isoformat(),
        "data": {"customer_id": "a", "merged_ids": ["b"]},
    }


def test_unknown_types_bad_data_and_oversized_payloads_are_refused() -> None:
    with pytest.raises(EventError, match="unknown event type"):
        message_body("customer.exploded", {}, NOW)
    with pytest.raises(EventError, match="schema"):
        message_body("customer.merged", {"customer_id": "a"}, NOW)
    with pytest.raises(EventError, match="64"):
        message_body("customer.updated", {"customer_id": "a", "changed": ["x" * 70_000]}, NOW)


def test_headers_carry_one_signature_per_secret_and_verify_with_the_reference_library() -> None:
    first, second = generate_secret(), generate_secret()
    assert is_valid_secret(first) and not is_valid_secret("whsec_short")
    now = datetime.now(UTC)
    body = message_body("customer.deleted", {"customer_id": "a"}, now)
    headers = webhook_headers("msg_1", now, body, [first, second])
    assert headers["webhook-id"] == "msg_1" and len(headers["webhook-signature"].split()) == 2
    for secret in (first, second):
        assert Webhook(secret).verify(body, headers)["data"] == {"customer_id": "a"}


def test_schedule_ends_after_eight_attempts_and_parses_retry_after() -> None:
    assert [retry_delay(n) is None for n in range(1, 9)] == [False] * 7 + [True]
    assert len(RETRY_SCHEDULE) == 7
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after("Sun, 22 Nov 2026 12:02:00 GMT", NOW) == 120
    assert parse_retry_after("soon", NOW) is None
