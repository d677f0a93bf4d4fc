"""Events of the hub's own changes (customer created/updated/merged/deleted, interactions, sync runs, rejected
records), written in the transaction of the change that caused them.

A batch of changes emits its events together through `hub.webhooks_store.emit_events` (a few statements and one
wake-up for the deliverers: ingesting thousands of records must not cost thousands of round trips).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from hub.db.tables import identity_links, source_records

Event = tuple[str, dict[str, Any]]


def customer_events(created: set[str], merged: dict[str, str], changed: dict[str, list[str]]) -> list[Event]:
    """Events of one resolution: new customers, merges (grouped by survivor), and field changes."""
    events: list[Event] = [
        ("customer.created", {"customer_id": cid, "changed": changed.get(cid, [])}) for cid in sorted(created)
    ]
    survivors: dict[str, list[str]] = {}
    for loser, survivor in merged.items():
        survivors.setdefault(survivor, []).append(loser)
    events += [("customer.merged", {"customer_id": s, "merged_ids": sorted(ls)}) for s, ls in sorted(survivors.items())]
    events += [
        ("customer.updated", {"customer_id": cid, "changed": fields})
        for cid, fields in sorted(changed.items())
        if fields and cid not in created
    ]
    return events


def interaction_events(conn: Connection, posts: Sequence[Any]) -> list[Event]:
    """`interaction.created` for newly stored interactions, with their customer when the profile is resolved."""
    if not posts:
        return []
    keys = {f"social_profile:{p.source}:{p.payload.get('profile_id')}" for p in posts if p.payload.get("profile_id")}
    owner: dict[str, str] = {}
    if keys:
        query = (
            select(source_records.c.record_key, identity_links.c.customer_id)
            .join(identity_links, identity_links.c.record_id == source_records.c.id)
            .where(source_records.c.record_key.in_(list(keys)))
        )
        owner = {str(key): str(cid) for key, cid in conn.execute(query)}
    return [
        ("interaction.created", {"interaction_id": f"{p.source}:{p.external_id}", "network": p.source,
                                 "customer_id": owner.get(f"social_profile:{p.source}:{p.payload.get('profile_id')}"),
                                 "kind": p.payload.get("kind")})
        for p in posts
    ]  # fmt: skip
