"""Social history: each interaction of a customer written once to its primary record in a CRM.

The primary record is the most recently updated of the customer's records there. Writes are idempotent by
interaction key (`network:id`) on both sides: the CRM upserts by it (or the adapter remembers it), and the
hub records what it wrote per connection so a repeat run sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from adapters.base import InteractionItem
from hub.db.database import insert_ignoring_conflicts
from hub.db.sync_tables import interaction_writes
from hub.db.tables import identity_links, interactions
from hub.identity_store import customer_interactions
from hub.sync import store
from hub.sync.context import ObjectPlan, SyncContext
from hub.sync.store import CrmLink

BATCH = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def push_history(conn: Connection, ctx: SyncContext, plan: ObjectPlan, customer_ids: Sequence[str]) -> None:
    """Write the not-yet-written interactions of these customers to their primary records."""
    wanted = sorted({cid for cid in customer_ids if cid})
    if not wanted:
        return
    primary = _primary_records(store.crm_links_of_customers(conn, ctx.name, plan.object, wanted))
    if not primary:
        return
    items = _pending_items(conn, ctx.name, plan.object, primary)
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        results = ctx.adapter.write_interactions(batch)
        written = []
        for item, result in zip(batch, results, strict=True):
            if result.error is None:
                written.append({"connection": ctx.name, "interaction_key": item.key, "crm_id": result.crm_id,
                                "written_at": ctx.now()})  # fmt: skip
            else:
                ctx.record_error(conn, "interaction", "push", item.key, code=result.error.code,
                                 message=result.error.message, fields=result.error.fields)  # fmt: skip
        insert_ignoring_conflicts(conn, interaction_writes, written)
        ctx.counts.interactions_written += len(written)


def _primary_records(links: list[CrmLink]) -> dict[str, CrmLink]:
    primary: dict[str, CrmLink] = {}
    for link in links:
        if link.crm_id is None or link.customer_id is None:
            continue
        current = primary.get(link.customer_id)
        if current is None or (link.crm_modified_at or EPOCH) > (current.crm_modified_at or EPOCH):
            primary[link.customer_id] = link
    return primary


def _pending_items(conn: Connection, connection: str, obj: str, primary: dict[str, CrmLink]) -> list[InteractionItem]:
    key = interactions.c.network + ":" + interactions.c.external_id
    already = select(interaction_writes.c.interaction_key).where(
        interaction_writes.c.connection == connection, interaction_writes.c.interaction_key == key
    )
    query = (
        select(identity_links.c.customer_id, interactions)
        .select_from(customer_interactions())
        .where(identity_links.c.customer_id.in_(list(primary)), ~already.exists())
        .order_by(interactions.c.occurred_at, interactions.c.id)
    )
    items = []
    for row in conn.execute(query):
        parent = primary[row.customer_id]
        payload = row.payload
        items.append(
            InteractionItem(
                key=f"{row.network}:{row.external_id}",
                parent_id=parent.crm_id or "",
                parent_object=obj,
                network=row.network,
                kind=row.kind,
                direction=row.direction,
                text=payload.get("text"),
                url=payload.get("url"),
                occurred_at=row.occurred_at,
            )
        )
    return items
