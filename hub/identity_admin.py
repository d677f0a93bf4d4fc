"""What a person decides about identity: explain a customer, split records off (remembered as do-not-link, so
they never re-merge), merge customers by hand, and settle review items. Every decision is an audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import product
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hub.db.database import insert_ignoring_conflicts
from hub.db.tables import (
    audit_events,
    customers,
    do_not_link,
    identity_links,
    interactions,
    review_items,
    source_records,
)
from hub.events import customer_events
from hub.identity_store import customer_interactions
from hub.resolution import new_customer_id, rebuild_profiles
from hub.webhooks_store import emit_events


class IdentityActionError(ValueError):
    """The request cannot be carried out as asked; the message says why."""


def live_customer(conn: Connection, customer_id: str) -> bool:
    """True when the customer exists and was neither merged away nor erased."""
    row = conn.execute(
        select(customers.c.id).where(
            customers.c.id == customer_id, customers.c.merged_into.is_(None), customers.c.deleted_at.is_(None)
        )
    ).first()
    return row is not None


def explain(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    """Each record of the customer with the rule or score that joined it and the evidence, oldest link first."""
    query = (
        select(
            source_records.c.record_key,
            source_records.c.record_type,
            source_records.c.source,
            source_records.c.external_id,
            identity_links.c.rule,
            identity_links.c.score,
            identity_links.c.matched_key,
            identity_links.c.evidence,
            identity_links.c.linked_at,
        )
        .join(identity_links, identity_links.c.record_id == source_records.c.id)
        .where(identity_links.c.customer_id == customer_id)
        .order_by(identity_links.c.linked_at, source_records.c.record_key)
    )
    return [
        {
            "record": row.record_key,
            "record_type": row.record_type,
            "source": row.source,
            "external_id": row.external_id,
            "rule": row.rule,
            "score": row.score,
            "matched": row.matched_key,
            "evidence": row.evidence,
            "linked_at": row.linked_at,
        }
        for row in conn.execute(query)
    ]


def timeline(conn: Connection, customer_id: str, limit: int) -> list[dict[str, Any]]:
    """The customer's interactions, newest first."""
    query = (
        select(
            interactions.c.network,
            interactions.c.external_id,
            interactions.c.kind,
            interactions.c.direction,
            interactions.c.occurred_at,
            interactions.c.sentiment,
            interactions.c.payload,
        )
        .select_from(customer_interactions())
        .where(identity_links.c.customer_id == customer_id)
        .order_by(interactions.c.occurred_at.desc(), interactions.c.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": f"{row.network}:{row.external_id}",
            "network": row.network,
            "kind": row.kind,
            "direction": row.direction,
            "occurred_at": row.occurred_at,
            "sentiment": row.sentiment,
            "text": row.payload.get("text"),
            "url": row.payload.get("url"),
        }
        for row in conn.execute(query)
    ]


def _records_of(conn: Connection, customer_id: str) -> dict[str, int]:
    query = (
        select(source_records.c.record_key, source_records.c.id)
        .join(identity_links, identity_links.c.record_id == source_records.c.id)
        .where(identity_links.c.customer_id == customer_id)
    )
    return {str(key): int(rid) for key, rid in conn.execute(query)}


def _audit(conn: Connection, customer_id: str, kind: str, detail: dict[str, Any], actor: str, now: datetime) -> None:
    conn.execute(
        insert(audit_events).values(customer_id=customer_id, kind=kind, detail=detail, actor=actor, created_at=now)
    )


def remember_apart(conn: Connection, left: Sequence[str], right: Sequence[str], reason: str, now: datetime) -> None:
    """Do-not-link pairs between every record of `left` and every record of `right`."""
    rows = [{"record_a": min(a, b), "record_b": max(a, b), "reason": reason, "created_at": now}
            for a, b in product(left, right) if a != b]  # fmt: skip
    insert_ignoring_conflicts(conn, do_not_link, rows)


def split(conn: Connection, customer_id: str, record_keys: Sequence[str], *, actor: str, now: datetime) -> str:
    """Move `record_keys` out of the customer into a new one; they are never linked back. Returns its id."""
    if not live_customer(conn, customer_id):
        raise IdentityActionError(f"no live customer {customer_id}")
    records = _records_of(conn, customer_id)
    moving = sorted(set(record_keys))
    unknown = [key for key in moving if key not in records]
    if unknown:
        raise IdentityActionError(f"not records of {customer_id}: {', '.join(unknown)}")
    staying = [key for key in records if key not in moving]
    if not moving or not staying:
        raise IdentityActionError("a split moves some of the customer's records and keeps at least one")
    taken = set(conn.execute(select(customers.c.id)).scalars())
    new_id = new_customer_id(moving[0], taken)
    conn.execute(insert(customers).values(id=new_id, profile={}, created_at=now, updated_at=now))
    conn.execute(
        update(identity_links)
        .where(identity_links.c.record_id.in_([records[key] for key in moving]))
        .values(
            customer_id=new_id,
            rule="split",
            score=1.0,
            matched_key=None,
            evidence={"split_from": customer_id},
            linked_at=now,
        )
    )
    remember_apart(conn, moving, staying, f"split from {customer_id} by {actor}", now)
    _audit(conn, customer_id, "customer.split", {"moved": moving, "new_customer_id": new_id}, actor, now)
    changed = rebuild_profiles(conn, [customer_id, new_id], now)
    events = [("customer.split", {"customer_id": customer_id, "new_customer_ids": [new_id]})]
    emit_events(conn, events + customer_events({new_id}, {}, changed), now=now)
    return new_id


def merge(conn: Connection, customer_ids: Sequence[str], *, actor: str, now: datetime) -> str:
    """Merge customers by hand into the first; returns the survivor. Do-not-link pairs between them are lifted."""
    wanted = list(dict.fromkeys(customer_ids))
    if len(wanted) < 2:
        raise IdentityActionError("a merge needs at least two customer ids")
    missing = [cid for cid in wanted if not live_customer(conn, cid)]
    if missing:
        raise IdentityActionError(f"not live customers: {', '.join(missing)}")
    survivor, losers = wanted[0], wanted[1:]
    keys = {cid: list(_records_of(conn, cid)) for cid in wanted}
    conn.execute(update(identity_links).where(identity_links.c.customer_id.in_(losers)).values(customer_id=survivor))
    conn.execute(update(customers).where(customers.c.id.in_(losers)).values(merged_into=survivor, updated_at=now))
    all_keys = [key for ks in keys.values() for key in ks]
    conn.execute(do_not_link.delete().where(do_not_link.c.record_a.in_(all_keys), do_not_link.c.record_b.in_(all_keys)))
    _audit(conn, survivor, "customer.merged", {"absorbed": losers, "survivor": survivor, "manual": True}, actor, now)
    changed = rebuild_profiles(conn, [survivor], now)
    emit_events(conn, customer_events(set(), dict.fromkeys(losers, survivor), changed), now=now)
    return survivor


def open_reviews(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """Open review items, oldest first."""
    query = select(review_items).where(review_items.c.status == "open").order_by(review_items.c.id).limit(limit)
    keys = ("id", "record_key", "candidates", "reason", "score", "evidence", "created_at")
    return [{k: getattr(row, k) for k in keys} for row in conn.execute(query)]


def settle_review(
    conn: Connection, item_id: int, accept: bool, target: str | None, *, actor: str, now: datetime
) -> dict[str, Any]:
    """Accept (join the record to a candidate customer) or reject (keep it apart from all candidates)."""
    row = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
    if row is None or row.status != "open":
        raise IdentityActionError(f"no open review item {item_id}")
    owner = conn.execute(
        select(identity_links.c.customer_id)
        .join(source_records, source_records.c.id == identity_links.c.record_id)
        .where(source_records.c.record_key == row.record_key)
    ).scalar()
    candidates = [str(c) for c in row.candidates if live_customer(conn, str(c))]
    result: dict[str, Any] = {"id": item_id}
    if accept:
        chosen = target or (candidates[0] if len(candidates) == 1 else None)
        if chosen is None or chosen not in candidates:
            raise IdentityActionError(f"say which customer the record joins: one of {', '.join(candidates)}")
        if owner and owner != chosen:
            result["customer_id"] = merge(conn, [chosen, str(owner)], actor=actor, now=now)
    else:
        for candidate in candidates:
            remember_apart(
                conn, [row.record_key], list(_records_of(conn, candidate)), f"review {item_id} rejected by {actor}", now
            )
        result["customer_id"] = owner
    status = "accepted" if accept else "rejected"
    conn.execute(update(review_items).where(review_items.c.id == item_id).values(status=status, decided_at=now))
    return result | {"status": status}
