"""Source records and interactions in the store: idempotent upserts by natural key, with provenance.

Re-ingesting the same `(type, source, id)` updates that row (and its `last_seen_at`), never duplicates it; only
records whose content changed are handed on to identity resolution.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, tuple_, update

from hub.db.database import insert_ignoring_conflicts
from hub.db.tables import interactions, source_records
from hub.ingest.records import IngestRecord


@dataclass(slots=True)
class StoredBatch:
    """What a batch changed: person records to resolve, and profiles whose interactions changed."""

    changed_record_ids: list[int] = field(default_factory=list)
    touched_profiles: set[tuple[str, str]] = field(default_factory=set)
    new_interactions: list[IngestRecord] = field(default_factory=list)
    records: int = 0
    interactions: int = 0


def _last_wins(records: Iterable[IngestRecord]) -> list[IngestRecord]:
    by_key: dict[str, IngestRecord] = {}
    for record in records:
        by_key.pop(record.key, None)
        by_key[record.key] = record
    return list(by_key.values())


def store_batch(conn: Connection, batch: Sequence[IngestRecord], now: datetime) -> StoredBatch:
    """Upsert a batch of validated records; returns what changed."""
    unique = _last_wins(batch)
    people = [r for r in unique if r.record_type != "interaction"]
    posts = [r for r in unique if r.record_type == "interaction"]
    stored = StoredBatch(records=len(people), interactions=len(posts))
    stored.changed_record_ids = _upsert_people(conn, people, now)
    stored.touched_profiles, stored.new_interactions = _upsert_interactions(conn, posts, now)
    return stored


def _upsert_people(conn: Connection, people: list[IngestRecord], now: datetime) -> list[int]:
    if not people:
        return []
    keys = [r.key for r in people]
    existing = {
        row.record_key: (row.id, row.content_hash)
        for row in conn.execute(
            select(source_records.c.id, source_records.c.record_key, source_records.c.content_hash).where(
                source_records.c.record_key.in_(keys)
            )
        )
    }
    fresh = [r for r in people if r.key not in existing]
    changed = [r for r in people if r.key in existing and existing[r.key][1] != r.content_hash]
    same_ids = [existing[r.key][0] for r in people if r.key in existing and existing[r.key][1] == r.content_hash]
    insert_ignoring_conflicts(conn, source_records, [_person_row(r, now) for r in fresh])
    if changed:
        conn.execute(
            update(source_records)
            .where(source_records.c.id == bindparam("rid"))
            .values(
                payload=bindparam("payload"),
                content_hash=bindparam("content_hash"),
                updated_at=bindparam("updated_at"),
                last_seen_at=bindparam("now"),
            ),
            [
                {"rid": existing[r.key][0], "payload": r.payload, "content_hash": r.content_hash}
                | {"updated_at": r.updated_at, "now": now}
                for r in changed
            ],
        )
    if same_ids:
        conn.execute(update(source_records).where(source_records.c.id.in_(same_ids)).values(last_seen_at=now))
    fresh_ids = conn.execute(
        select(source_records.c.id).where(source_records.c.record_key.in_([r.key for r in fresh]))
    ).scalars()
    return [*fresh_ids, *(existing[r.key][0] for r in changed)]


def _person_row(record: IngestRecord, now: datetime) -> dict[str, Any]:
    return {
        "record_key": record.key,
        "record_type": record.record_type,
        "source": record.source,
        "external_id": record.external_id,
        "payload": record.payload,
        "content_hash": record.content_hash,
        "updated_at": record.updated_at,
        "first_seen_at": now,
        "last_seen_at": now,
    }


def _upsert_interactions(
    conn: Connection, posts: list[IngestRecord], now: datetime
) -> tuple[set[tuple[str, str]], list[IngestRecord]]:
    if not posts:
        return set(), []
    ids = [(r.source, r.external_id) for r in posts]
    existing: dict[tuple[str, str], tuple[int, str]] = {}
    previous_profile: dict[tuple[str, str], str | None] = {}
    for row in conn.execute(
        select(
            interactions.c.id,
            interactions.c.network,
            interactions.c.external_id,
            interactions.c.content_hash,
            interactions.c.profile_id,
        ).where(tuple_(interactions.c.network, interactions.c.external_id).in_(ids))
    ):
        existing[(row.network, row.external_id)] = (row.id, row.content_hash)
        previous_profile[(row.network, row.external_id)] = row.profile_id
    fresh = [r for r in posts if (r.source, r.external_id) not in existing]
    changed = [r for r in posts if existing.get((r.source, r.external_id), (0, r.content_hash))[1] != r.content_hash]
    insert_ignoring_conflicts(conn, interactions, [_interaction_row(r, now) for r in fresh])
    if changed:
        conn.execute(
            update(interactions).where(interactions.c.id == bindparam("rid")).values(_interaction_params()),
            [{"rid": existing[(r.source, r.external_id)][0]} | _interaction_row(r, now) for r in changed],
        )
    touched = {(r.source, str(r.payload["profile_id"])) for r in [*fresh, *changed] if r.payload.get("profile_id")}
    # An interaction moved to another profile (or lost its profile) no longer counts for the one it had.
    touched |= {(r.source, str(old)) for r in changed if (old := previous_profile[(r.source, r.external_id)])}
    return touched, fresh


def _interaction_params() -> dict[str, Any]:
    names = ("profile_id", "kind", "direction", "occurred_at", "sentiment", "payload", "content_hash")
    return {name: bindparam(name) for name in (*names, "last_seen_at")}


def _interaction_row(record: IngestRecord, now: datetime) -> dict[str, Any]:
    payload = record.payload
    return {
        "network": record.source,
        "external_id": record.external_id,
        "profile_id": payload.get("profile_id"),
        "kind": payload.get("kind"),
        "direction": payload.get("direction"),
        "occurred_at": _parse_time(payload.get("created_at")),
        "sentiment": payload.get("sentiment"),
        "payload": payload,
        "content_hash": record.content_hash,
        "first_seen_at": now,
        "last_seen_at": now,
    }


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
