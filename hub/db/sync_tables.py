"""Tables of the sync engine: connections, mapping versions, CRM record links, cursors, runs and errors."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from hub.db.tables import BigId, Timestamp, metadata

connections = Table(
    "connections",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("config", JSON, nullable=False),  # everything but credentials
    Column("secrets", Text, nullable=True),  # credentials, encrypted with RAPPORT_SECRET_KEY
    Column("config_hash", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

mapping_versions = Table(
    "mapping_versions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("connection", String(100), nullable=False),
    Column("object", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("mapping", JSON, nullable=False),  # canonical form (mappings.Mapping.to_dict)
    Column("source_text", Text, nullable=True),  # the admin's file as written
    Column("filename", String(500), nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("actor", String(200), nullable=True),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("connection", "object", "version"),
)

crm_records = Table(
    "crm_records",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("connection", String(100), nullable=False),
    Column("object", String(64), nullable=False),
    Column("crm_id", String(200), nullable=True),
    Column("link_id", String(64), nullable=False, unique=True),
    Column("customer_id", String(40), nullable=True, index=True),
    Column("record_key", String(700), nullable=True, index=True),  # its source record, once pulled
    Column("last_written", JSON, nullable=False),  # field values the CRM holds as far as we know
    Column("crm_modified_at", Timestamp, nullable=True),
    Column("pushed_at", Timestamp, nullable=True),
    Column("deleted_at", Timestamp, nullable=True),
    UniqueConstraint("connection", "object", "crm_id"),
    Index(None, "connection", "customer_id"),
)

sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("connection", String(100), primary_key=True),
    Column("name", String(100), primary_key=True),  # "pull:<object>" or "push:<object>"
    Column("value", Text, nullable=True),
    Column("updated_at", Timestamp, nullable=False),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("connection", String(100), nullable=False, index=True),
    Column("direction", String(8), nullable=False),
    Column("status", String(16), nullable=False),  # running, succeeded, partial, failed
    Column("summary", JSON, nullable=False),
    Column("error", Text, nullable=True),
    Column("started_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp, nullable=True),
)

sync_errors = Table(
    "sync_errors",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False, index=True),
    Column("connection", String(100), nullable=False),
    Column("object", String(64), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("ref", String(200), nullable=False),  # link id (push) or CRM id (pull)
    Column("customer_id", String(40), nullable=True),
    Column("code", String(100), nullable=False),
    Column("message", Text, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("resolved_at", Timestamp, nullable=True),
    Index(None, "connection", "resolved_at"),
)

interaction_writes = Table(
    "interaction_writes",
    metadata,
    Column("connection", String(100), primary_key=True),
    Column("interaction_key", String(700), primary_key=True),
    Column("crm_id", String(200), nullable=True),
    Column("written_at", Timestamp, nullable=False),
)
