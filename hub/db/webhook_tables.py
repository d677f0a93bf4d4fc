"""Webhook tables: endpoints and their secrets, messages, deliveries and attempts (Svix's model), and the
inbound side (declared sources, received events). Part of `hub.db.tables.metadata`.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from hub.db.tables import BigId, Timestamp, metadata

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("event_types", JSON, nullable=True),  # null: every type
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text, nullable=True),
    Column("failing_since", Timestamp, nullable=True),  # first failure since the last success
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

webhook_secrets = Table(
    "webhook_secrets",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("endpoint_id", String(40), nullable=False, index=True),
    Column("secret", Text, nullable=False),  # encrypted with the SecretBox
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=True),  # null: current; else valid until then (rotation grace)
)

webhook_messages = Table(
    "webhook_messages",
    metadata,
    Column("id", String(40), primary_key=True),  # the webhook-id, the same on every attempt
    Column("event_type", String(64), nullable=False),
    Column("body", Text, nullable=False),  # the exact JSON sent
    Column("created_at", Timestamp, nullable=False, index=True),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_id", String(40), nullable=False),
    Column("endpoint_id", String(40), nullable=False),
    Column("status", String(16), nullable=False),  # pending | succeeded | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Timestamp, nullable=True),  # also the lease: pushed ahead when claimed
    Column("last_attempt_at", Timestamp, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("message_id", "endpoint_id"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "endpoint_id", "created_at"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("delivery_id", BigId, nullable=False, index=True),
    Column("attempt", Integer, nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("latency_ms", Integer, nullable=False),
    Column("response_body", Text, nullable=True),  # truncated
    Column("error", Text, nullable=True),
)

inbound_sources = Table(
    "inbound_sources",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("secrets", Text, nullable=False),  # encrypted JSON object
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

inbound_events = Table(
    "inbound_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("event_id", String(300), nullable=False),
    Column("raw_body", Text, nullable=False),
    Column("content_type", String(200), nullable=True),
    Column("status", String(16), nullable=False),  # received | processed | stored | failed
    Column("error", Text, nullable=True),
    Column("received_at", Timestamp, nullable=False, index=True),
    Column("processed_at", Timestamp, nullable=True),
    UniqueConstraint("source", "event_id"),
)
