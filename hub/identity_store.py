"""The identity package's `CandidateStore` port over the hub's tables (one query per call)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from hub.db.database import member_of
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


RECORDS_JOIN = source_records.outerjoin(identity_links, identity_links.c.record_id == source_records.c.id)


def to_identity_record(row: Any) -> IdentityRecord:
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
    return select(*RECORD_COLUMNS).select_from(RECORDS_JOIN)


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


class RecordCache:
    """Stored records as identity reads them, by row id, valid while the row's content hash is unchanged.

    Resolving a batch reads thousands of stored candidates, mostly the same ones again and again; decoding
    their JSON payloads and timestamps on every read cost more than the matching itself. With this cache a
    read fetches (id, content hash, customer) and decodes only rows it has not seen in that version. A
    content hash covers the whole payload, so a cached record is exactly what the row holds; the customer
    id is always read fresh. Bounded (least recently used out) and safe to share between threads.
    """

    def __init__(self, size: int = 300_000) -> None:
        self._size = size
        self._items: OrderedDict[int, tuple[str, IdentityRecord]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, row_id: int, content_hash: str) -> IdentityRecord | None:
        """The cached record of this row, if it was cached with this content hash."""
        with self._lock:
            cached = self._items.get(row_id)
            if cached is None or cached[0] != content_hash:
                return None
            self._items.move_to_end(row_id)
            return cached[1]

    def put(self, row_id: int, content_hash: str, record: IdentityRecord) -> None:
        """Remember a record read from the row `row_id` in the version `content_hash`."""
        with self._lock:
            self._items[row_id] = (content_hash, record)
            self._items.move_to_end(row_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class SqlCandidateStore:
    """Reads resolved records for the resolver inside the caller's transaction."""

    def __init__(self, conn: Connection, cache: RecordCache | None = None) -> None:
        self.conn = conn
        self.cache = cache if cache is not None else RecordCache()

    def find_by_keys(self, keys: Collection[str]) -> Sequence[IdentityRecord]:
        """Stored records indexed under any of `keys`."""
        if not keys:
            return []
        ids = select(identity_keys.c.record_id).where(member_of(self.conn, identity_keys.c.key, keys))
        return self.records_where(source_records.c.id.in_(ids))

    def find_by_customers(self, customer_ids: Collection[str]) -> Sequence[IdentityRecord]:
        """Every stored record of these customers (lets the engine judge whole customers, not fragments)."""
        if not customer_ids:
            return []
        return self.records_where(member_of(self.conn, identity_links.c.customer_id, customer_ids))

    def records_where(self, condition: ColumnElement[bool]) -> list[IdentityRecord]:
        """Stored records (with their current customer) meeting `condition` over `source_records` and
        `identity_links`, in record key order; payloads are decoded only for rows the cache lacks."""
        light = select(source_records.c.id, source_records.c.content_hash, identity_links.c.customer_id)
        records: list[IdentityRecord] = []
        missing: list[int] = []
        rows = self.conn.execute(light.select_from(RECORDS_JOIN).where(condition)).all()  # one fetch, not row by row
        for row_id, content_hash, customer_id in rows:
            cached = self.cache.get(row_id, content_hash)
            if cached is None:
                missing.append(row_id)
            else:
                records.append(_with_customer(cached, customer_id))
        if missing:
            query = select(*RECORD_COLUMNS, source_records.c.content_hash).select_from(RECORDS_JOIN)
            for row in self.conn.execute(query.where(member_of(self.conn, source_records.c.id, missing))):
                record = to_identity_record(row)
                self.cache.put(row.id, row.content_hash, record)
                records.append(record)
        records.sort(key=lambda record: record.key)
        return records

    def key_counts(self, keys: Collection[str]) -> Mapping[str, int]:
        """How many stored records carry each key."""
        if not keys:
            return {}
        query = (
            select(identity_keys.c.key, func.count())
            .where(member_of(self.conn, identity_keys.c.key, keys))
            .group_by(identity_keys.c.key)
        )
        return {str(key): int(count) for key, count in self.conn.execute(query).all()}

    def do_not_link(self, record_keys: Collection[str]) -> Collection[tuple[str, str]]:
        """Pairs a person separated (by a split or a rejected review) touching any of `record_keys`."""
        if not record_keys:
            return []
        query = select(do_not_link.c.record_a, do_not_link.c.record_b).where(
            or_(
                member_of(self.conn, do_not_link.c.record_a, record_keys),
                member_of(self.conn, do_not_link.c.record_b, record_keys),
            )
        )
        return [(a, b) for a, b in self.conn.execute(query)]


def _with_customer(record: IdentityRecord, customer_id: str | None) -> IdentityRecord:
    if record.customer_id == customer_id:
        return record
    return IdentityRecord(
        record.key, record.kind, record.source, record.external_id, record.attributes, customer_id, record.updated_at
    )
