"""The review queue after a reclustering: it holds what the reclustering found ambiguous, nothing else.

Which records fit two customers about equally depends on what was stored when they came; a reclustering
judges that again on the whole store (`identity.reconcile`). Open items of the reclustered records that it no
longer finds ambiguous are withdrawn (status `withdrawn`), items it finds again are kept as they are (with
their ids), and new ones are queued naming the candidates' customers as they are after the reclustering.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from hub.db.database import member_of
from hub.db.tables import identity_links, review_items, source_records
from identity.api import ReviewItem

WITHDRAWN = "withdrawn"


def customers_of_records(conn: Connection, keys: Collection[str]) -> dict[str, str]:
    """Record key -> its customer now, for the records among `keys` that have one."""
    query = (
        select(source_records.c.record_key, identity_links.c.customer_id)
        .join(identity_links, identity_links.c.record_id == source_records.c.id)
        .where(member_of(conn, source_records.c.record_key, keys))
    )
    return {str(key): str(customer) for key, customer in conn.execute(query)}


def requeue_reviews(
    conn: Connection, found: list[ReviewItem], reclustered: Collection[str], now: datetime
) -> tuple[int, int]:
    """Make the open review items of the `reclustered` records those `found`; returns (queued, withdrawn)."""
    wanted = _on_customers(conn, [item for item in found if item.record_key in reclustered])
    query = select(review_items.c.id, review_items.c.record_key, review_items.c.candidates).where(
        review_items.c.status == "open", member_of(conn, review_items.c.record_key, reclustered)
    )
    kept: set[str] = set()
    withdrawn: list[int] = []
    for row_id, key, candidates in conn.execute(query).all():
        item = wanted.get(key)
        if item is not None and key not in kept and sorted(candidates) == sorted(item.candidates):
            kept.add(key)
        else:
            withdrawn.append(int(row_id))
    if withdrawn:
        conn.execute(
            update(review_items).where(review_items.c.id.in_(withdrawn)).values(status=WITHDRAWN, decided_at=now)
        )
    rows = [
        {"record_key": key, "candidates": list(item.candidates), "reason": item.reason, "score": item.score,
         "evidence": dict(item.evidence), "status": "open", "created_at": now}
        for key, item in sorted(wanted.items()) if key not in kept
    ]  # fmt: skip
    if rows:
        conn.execute(insert(review_items), rows)
    return len(rows), len(withdrawn)


def _on_customers(conn: Connection, items: list[ReviewItem]) -> dict[str, ReviewItem]:
    """The items with their candidate records replaced by those records' customers (skipped when both are one)."""
    owners = customers_of_records(conn, {key for item in items for key in item.candidate_records})
    named: dict[str, ReviewItem] = {}
    for item in items:
        customers = tuple(owners.get(key) for key in item.candidate_records)
        if None in customers or len(set(customers)) < len(customers):
            continue
        evidence = {owners[key]: detail for key, detail in item.evidence.items() if key in owners}
        candidates = tuple(str(c) for c in customers)
        named[item.record_key] = ReviewItem(item.record_key, candidates, item.reason, item.score, evidence)
    return named
