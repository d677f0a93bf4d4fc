"""Erasure (right to be forgotten): a customer's personal data leaves the hub, and every connected CRM is
asked to delete the customer's records there.

The hub side happens in one transaction, which also queues the CRM deletions (a job, retried until done) and
writes an audit entry that holds no personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from hub.db.sync_tables import crm_records, interaction_writes
from hub.db.tables import audit_events, customers, identity_keys, identity_links, interactions, source_records
from hub.jobs.queue import enqueue
from hub.webhooks_store import emit_events

ERASE_JOB = "erase_crm_records"


def erase_customer(conn: Connection, customer_id: str, *, actor: str, now: datetime) -> dict[str, Any] | None:
    """Erase a live customer; returns what was removed (counts), or None when there is no such customer."""
    found = conn.execute(
        select(customers.c.id).where(customers.c.id == customer_id, customers.c.deleted_at.is_(None))
    ).first()
    if found is None:
        return None
    records = conn.execute(
        select(source_records.c.id, source_records.c.record_type, source_records.c.source, source_records.c.external_id)
        .join(identity_links, identity_links.c.record_id == source_records.c.id)
        .where(identity_links.c.customer_id == customer_id)
    ).all()
    record_ids = [r.id for r in records]
    profiles = [(r.source, r.external_id) for r in records if r.record_type == "social_profile"]
    removed_interactions = _delete_interactions(conn, profiles)
    conn.execute(delete(identity_keys).where(identity_keys.c.record_id.in_(record_ids)))
    conn.execute(delete(identity_links).where(identity_links.c.record_id.in_(record_ids)))
    conn.execute(delete(source_records).where(source_records.c.id.in_(record_ids)))
    targets = _crm_targets(conn, customer_id, now)
    conn.execute(
        update(customers).where(customers.c.id == customer_id).values(profile={}, deleted_at=now, updated_at=now)
    )
    conn.execute(update(customers).where(customers.c.merged_into == customer_id).values(profile={}, deleted_at=now))
    if targets:
        enqueue(conn, ERASE_JOB, {"customer_id": customer_id, "targets": targets}, now=now)
    summary = {"records": len(record_ids), "interactions": removed_interactions, "crm_records": len(targets)}
    emit_events(conn, [("customer.deleted", {"customer_id": customer_id})], now=now)
    conn.execute(
        insert(audit_events).values(
            customer_id=customer_id, kind="customer.deleted", detail={"erased": summary}, actor=actor, created_at=now
        )
    )
    return summary


def _delete_interactions(conn: Connection, profiles: list[tuple[str, str]]) -> int:
    total = 0
    for network, profile_id in profiles:
        keys = [
            f"{network}:{eid}"
            for eid in conn.execute(
                select(interactions.c.external_id).where(
                    and_(interactions.c.network == network, interactions.c.profile_id == profile_id)
                )
            ).scalars()
        ]
        conn.execute(delete(interaction_writes).where(interaction_writes.c.interaction_key.in_(keys)))
        result = conn.execute(
            delete(interactions).where(interactions.c.network == network, interactions.c.profile_id == profile_id)
        )
        total += int(result.rowcount)
    return total


def _crm_targets(conn: Connection, customer_id: str, now: datetime) -> list[dict[str, str]]:
    rows = conn.execute(
        select(crm_records.c.connection, crm_records.c.object, crm_records.c.crm_id).where(
            crm_records.c.customer_id == customer_id,
            crm_records.c.deleted_at.is_(None),
            crm_records.c.crm_id.is_not(None),
        )
    ).all()
    conn.execute(
        update(crm_records)
        .where(crm_records.c.customer_id == customer_id)
        .values(customer_id=None, record_key=None, last_written={}, deleted_at=now)
    )
    return [{"connection": r.connection, "object": r.object, "crm_id": r.crm_id} for r in rows]


def erase_crm_records(payload: dict[str, Any], delete_in: Callable[[str, str, list[str]], list[str]]) -> None:
    """The queued half of an erasure: delete the records in each CRM (`delete_in(connection, object, ids)`
    returns the ids it could not delete; any left makes the job fail and retry)."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for target in payload.get("targets", []):
        grouped.setdefault((target["connection"], target["object"]), []).append(target["crm_id"])
    failed = [cid for (connection, obj), ids in grouped.items() for cid in delete_in(connection, obj, ids)]
    if failed:
        raise RuntimeError(f"{len(failed)} CRM record(s) could not be deleted yet; retrying")
