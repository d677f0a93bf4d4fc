"""The identity package's `CandidateStore` port over the hub's tables (one query per call)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, func, or_, select

from hub.db.tables import do_not_link, identity_keys, identity_links, interactions, source_records
from identity.api import IdentityRecord

RECORD_COLUMNS = (
    source_records.c.id,
    source_records.c.record_key,
    source_records.c.record_type,
    source_records.c.source,
    source_records.c.external_id,
    source_records.c.payload,
    source_records.c.updated_at,
    identity_links.c.customer_id,
)


def to_identity_record(row: Row[Any]) -> IdentityRecord:
    """An `IdentityRecord` from a row selected with `RECORD_COLUMNS`."""
    return IdentityRecord(
        key=row.record_key,
        kind=row.record_type,
        source=row.source,
        external_id=row.external_id,
        attributes=row.payload,
        customer_id=row.customer_id,
        updated_at=row.updated_at,
    )


def records_query() -> Any:
    """SELECT of source records with their current customer (outer-joined: new records have none)."""
    return select(*RECORD_COLUMNS).select_from(
        source_records.outerjoin(identity_links, identity_links.c.record_id == source_records.c.id)
    )


def customer_interactions() -> Any:
    """Identity links joined to the interactions of their social profiles: select from it (filtering on
    `identity_links.c.customer_id`) to read customers' interactions."""
    profiles = and_(source_records.c.id == identity_links.c.record_id, source_records.c.record_type == "social_profile")
    return identity_links.join(source_records, profiles).join(
        interactions,
        and_(
            interactions.c.network == source_records.c.source, interactions.c.profile_id == source_records.c.external_id
        ),
    )


class SqlCandidateStore:
    """Reads resolved records for the resolver inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def find_by_keys(self, keys: Collection[str]) -> Sequence[IdentityRecord]:
        """Stored records indexed under any of `keys`."""
        if not keys:
            return []
        ids = select(identity_keys.c.record_id).where(identity_keys.c.key.in_(list(keys)))
        rows = self.conn.execute(records_query().where(source_records.c.id.in_(ids)))
        return [to_identity_record(row) for row in rows]

    def find_by_customers(self, customer_ids: Collection[str]) -> Sequence[IdentityRecord]:
        """Every stored record of these customers (lets the engine judge whole customers, not fragments)."""
        if not customer_ids:
            return []
        rows = self.conn.execute(records_query().where(identity_links.c.customer_id.in_(list(customer_ids))))
        return [to_identity_record(row) for row in rows]

    def key_counts(self, keys: Collection[str]) -> Mapping[str, int]:
        """How many stored records carry each key."""
        if not keys:
            return {}
        query = (
            select(identity_keys.c.key, func.count())
            .where(identity_keys.c.key.in_(list(keys)))
            .group_by(identity_keys.c.key)
        )
        return {str(key): int(count) for key, count in self.conn.execute(query)}

    def do_not_link(self, record_keys: Collection[str]) -> Collection[tuple[str, str]]:
        """Pairs a person separated (by a split or a rejected review) touching any of `record_keys`."""
        if not record_keys:
            return []
        wanted = list(record_keys)
        query = select(do_not_link.c.record_a, do_not_link.c.record_b).where(
            or_(do_not_link.c.record_a.in_(wanted), do_not_link.c.record_b.in_(wanted))
        )
        return [(a, b) for a, b in self.conn.execute(query)]
