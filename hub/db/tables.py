"""The database schema, as SQLAlchemy Core tables (Core keeps bulk ingest fast; rows are plain tuples).

Alembic migrations in `hub/db/migrations/` create and upgrade it; this module is their source of truth.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores none, so it is restored on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


Timestamp = UtcDateTime()

source_records = Table(
    "source_records",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("record_key", String(700), nullable=False, unique=True),
    Column("record_type", String(32), nullable=False),
    Column("source", String(128), nullable=False),
    Column("external_id", String(512), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("updated_at", Timestamp, nullable=True),
    Column("first_seen_at", Timestamp, nullable=False),
    Column("last_seen_at", Timestamp, nullable=False),
    Index(None, "record_type", "source"),
)

interactions = Table(
    "interactions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("network", String(128), nullable=False),
    Column("external_id", String(512), nullable=False),
    Column("profile_id", String(512), nullable=True),
    Column("kind", String(32), nullable=True),
    Column("direction", String(16), nullable=True),
    Column("occurred_at", Timestamp, nullable=True),
    Column("sentiment", Float, nullable=True),
    Column("payload", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("first_seen_at", Timestamp, nullable=False),
    Column("last_seen_at", Timestamp, nullable=False),
    UniqueConstraint("network", "external_id"),
    Index(None, "network", "profile_id"),
)

customers = Table(
    "customers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("profile", JSON, nullable=False),
    Column("merged_into", String(40), nullable=True, index=True),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("deleted_at", Timestamp, nullable=True),
)

identity_links = Table(
    "identity_links",
    metadata,
    Column("record_id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("customer_id", String(40), nullable=False, index=True),
    Column("rule", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("matched_key", String(700), nullable=True),
    Column("evidence", JSON, nullable=False),
    Column("linked_at", Timestamp, nullable=False),
)

identity_keys = Table(
    "identity_keys",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("record_id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Index(None, "record_id"),
)

do_not_link = Table(
    "do_not_link",
    metadata,
    Column("record_a", String(700), primary_key=True),
    Column("record_b", String(700), primary_key=True),
    Column("reason", Text, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Index(None, "record_b"),
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("record_key", String(700), nullable=False, index=True),
    Column("candidates", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("decided_at", Timestamp, nullable=True),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("customer_id", String(40), nullable=True, index=True),
    Column("kind", String(64), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("actor", String(128), nullable=True),
    Column("created_at", Timestamp, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=True),
    Column("scope", String(16), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp, nullable=True),
    Column("last_used_at", Timestamp, nullable=True),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("concurrency_key", String(200), nullable=True),
    Column("run_after", Timestamp, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("lease_owner", String(128), nullable=True),
    Column("lease_expires_at", Timestamp, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp, nullable=True),
    Index(None, "status", "run_after"),
    Index(None, "kind", "status"),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", Timestamp, nullable=False),
)

from hub.db import sync_tables as _sync_tables  # noqa: E402,F401  (registers the sync tables on `metadata`)
from hub.db import webhook_tables as _webhook_tables  # noqa: E402,F401
