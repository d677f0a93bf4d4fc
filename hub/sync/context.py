"""What one sync run carries through pull and push: the connection, its adapter and mappings, the counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from adapters.base import Adapter
from hub.db.database import Database, utcnow
from hub.db.tables import audit_events, customers
from hub.resolution import HubResolver
from hub.sync import store
from hub.sync.config import ConnectionSpec
from hub.webhooks_store import emit_events
from mappings import Mapper, Mapping


@dataclass
class RunCounts:
    """The run summary (CONTRACT.md: `sync run --json`), plus social history written."""

    pulled: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    interactions_written: int = 0
    errors: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        """Note a record-level error for the summary (the first hundred are kept)."""
        if len(self.errors) < 100:
            self.errors.append(message)


@dataclass
class ObjectPlan:
    """One synced object of a connection: its mapping and the mapper configured with the CRM's schema."""

    object: str
    mapping: Mapping
    mapper: Mapper

    @property
    def link_field(self) -> str | None:
        """The CRM field holding Rapport's link id (the mapping's `link_id` target)."""
        return next((f.target for f in self.mapping.fields if f.source == "link_id"), None)


@dataclass
class SyncContext:
    """One run's state."""

    database: Database
    spec: ConnectionSpec
    adapter: Adapter
    resolver: HubResolver
    dry_run: bool
    run_id: int | None
    counts: RunCounts = field(default_factory=RunCounts)

    @property
    def name(self) -> str:
        """The connection's name (also the `source` of the records it pulls)."""
        return self.spec.name

    def now(self) -> datetime:
        """The current time."""
        return utcnow()

    def record_error(self, conn: Connection, obj: str, direction: str, ref: str, **details: Any) -> None:
        """Count and store a record-level error (stored only outside dry runs)."""
        message = str(details.get("message", ""))
        self.counts.error(f"{direction} {obj} {ref}: {details.get('code', 'ERROR')}: {message}")
        if self.run_id is not None and not self.dry_run:
            reason = f"{details.get('code', 'ERROR')}: {message}"
            data = {"source": self.name, "external_id": ref, "customer_id": details.get("customer_id"),
                    "reason": reason, "object": obj, "direction": direction}  # fmt: skip
            emit_events(conn, [("record.rejected", data)], now=self.now())
            store.record_error(
                conn, self.run_id, connection=self.name, object=obj, direction=direction, ref=ref,
                customer_id=details.get("customer_id"), code=str(details.get("code", "ERROR")), message=message,
                fields=list(details.get("fields", [])), created_at=self.now(),
            )  # fmt: skip

    def audit_decisions(self, conn: Connection, customer_id: str | None, decisions: list[dict[str, Any]]) -> None:
        """Write conflict decisions to the customer's history."""
        if not decisions or self.dry_run:
            return
        rows = [
            {"customer_id": customer_id, "kind": "field.decision", "detail": {"connection": self.name, **d},
             "actor": f"sync:{self.name}", "created_at": self.now()}
            for d in decisions
        ]  # fmt: skip
        conn.execute(insert(audit_events), rows)


def load_profiles(conn: Connection, customer_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Unified profiles of live customers by id."""
    if not customer_ids:
        return {}
    query = select(customers.c.id, customers.c.profile).where(
        customers.c.id.in_(customer_ids), customers.c.merged_into.is_(None), customers.c.deleted_at.is_(None)
    )
    return {row.id: dict(row.profile) for row in conn.execute(query)}


def split_profile(profile: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(attribute values, provenance) of a stored profile."""
    if not profile:
        return {}, {}
    values = {k: v for k, v in profile.items() if k != "provenance"}
    return values, dict(profile.get("provenance") or {})
