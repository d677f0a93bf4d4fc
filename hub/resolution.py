"""Resolution in the hub: run the resolver on stored records and apply its decisions in the same transaction.

Applying a `Resolution` writes identity links (with rule, score and evidence), new customers, merges (the
absorbed customer keeps a `merged_into` pointer and an audit event), the records' blocking keys, and the
rebuilt unified profiles of every customer touched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, text, update

from hub.db.database import member_of
from hub.db.sync_tables import crm_records
from hub.db.tables import (
    audit_events,
    customers,
    identity_keys,
    identity_links,
    interactions,
    review_items,
    source_records,
)
from hub.events import customer_events
from hub.identity_store import RecordCache, SqlCandidateStore, customer_interactions
from hub.webhooks_store import emit_events
from identity.api import Cluster, IdentityRecord, Resolution, Resolver
from identity.keys import COUNT_ONLY_PREFIXES
from identity.survivorship import InteractionFact, build_profile

LOCK_SPACE = 0x52415054  # advisory lock namespace for resolution ("RAPT")
LOCK_BUCKETS = 256  # blocking keys hash into this many locks, so a large batch holds a bounded number


@dataclass(slots=True)
class ResolveOutcome:
    """Customers a resolution created, merged away, or changed."""

    created: set[str] = field(default_factory=set)
    merged: dict[str, str] = field(default_factory=dict)  # absorbed id -> survivor id
    updated: set[str] = field(default_factory=set)
    review: int = 0


def new_customer_id(seed: str, taken: Collection[str] = ()) -> str:
    """A customer id derived from its founding record key (stable across runs), skipping ids in `taken`."""
    for attempt in range(1000):
        material = seed if attempt == 0 else f"{seed}#{attempt}"
        candidate = "cus_" + hashlib.sha256(material.encode()).hexdigest()[:20]
        if candidate not in taken:
            return candidate
    raise RuntimeError("could not allocate a customer id")  # pragma: no cover - 1000 collisions


class HubResolver:
    """Resolves stored records with an identity `Resolver` and writes the outcome."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.records = RecordCache()  # stored records already decoded, shared by this resolver's batches

    def resolve(
        self,
        conn: Connection,
        record_ids: Collection[int],
        touched_profiles: Collection[tuple[str, str]],
        now: datetime,
    ) -> ResolveOutcome:
        """Resolve these records; refresh customers whose profiles gained interactions."""
        outcome = ResolveOutcome()
        store = SqlCandidateStore(conn, self.records)
        records, ids = self._load(conn, store, record_ids)
        known: dict[str, list[IdentityRecord]] = {}
        if records:
            if conn.dialect.name == "postgresql":
                _serialise_on_keys(conn, {key for record in records for key in self.resolver.index_keys(record)})
            resolution = self.resolver.resolve(records, store)
            known = self._apply(conn, records, ids, resolution, now, outcome)
        outcome.updated |= _customers_of_profiles(conn, touched_profiles)
        changed = rebuild_profiles(conn, outcome.updated | outcome.created, now, known, store, unsaved=outcome.created)
        outcome.updated = {cid for cid in outcome.updated if changed.get(cid)}
        emit_events(conn, customer_events(outcome.created, outcome.merged, changed), now=now)
        return outcome

    def _load(
        self, conn: Connection, store: SqlCandidateStore, record_ids: Collection[int]
    ) -> tuple[list[IdentityRecord], dict[str, int]]:
        if not record_ids:
            return [], {}
        query = select(source_records.c.id, source_records.c.record_key).where(
            member_of(conn, source_records.c.id, record_ids), source_records.c.record_type != "interaction"
        )
        ids = {str(key): int(row_id) for row_id, key in conn.execute(query)}
        return store.records_where(member_of(conn, source_records.c.id, ids.values())), ids

    def _apply(
        self,
        conn: Connection,
        records: list[IdentityRecord],
        ids: dict[str, int],
        resolution: Resolution,
        now: datetime,
        outcome: ResolveOutcome,
    ) -> dict[str, list[IdentityRecord]]:
        """Write the resolution; returns the complete record lists of the customers it created."""
        by_key = {r.key: r for r in records}
        assigned: dict[str, str] = {}
        # inserted by `rebuild_profiles` with their profile, rather than inserted empty and updated
        fresh = allocate_customer_ids(conn, [c for c in resolution.clusters if not c.customer_id])
        outcome.created |= set(fresh.values())
        for cluster in resolution.clusters:
            customer_id = cluster.customer_id or fresh[id(cluster)]
            merge_customers(conn, customer_id, cluster.absorbed, now, outcome)
            for key in cluster.members:
                assigned[key] = customer_id
                previous = by_key[key].customer_id
                if previous and previous != customer_id:
                    outcome.updated.add(previous)
            outcome.updated.add(customer_id)
        self._write_links(conn, records, ids, resolution, assigned, now)
        self._write_keys(conn, records, ids)
        outcome.review += _queue_reviews(conn, resolution, now)
        outcome.updated -= set(outcome.merged)
        created: dict[str, list[IdentityRecord]] = {cid: [] for cid in outcome.created}
        for key, customer_id in assigned.items():
            if customer_id in created:
                created[customer_id].append(by_key[key])
        return created

    def _write_links(
        self,
        conn: Connection,
        records: list[IdentityRecord],
        ids: dict[str, int],
        resolution: Resolution,
        assigned: dict[str, str],
        now: datetime,
    ) -> None:
        _delete_resolved(conn, identity_links, records, ids)
        rows = []
        for record in records:
            link = resolution.links.get(record.key)
            rows.append(
                {
                    "record_id": ids[record.key],
                    "customer_id": assigned[record.key],
                    "rule": link.rule if link else "new",
                    "score": link.score if link else 1.0,
                    "matched_key": link.matched if link else None,
                    "evidence": dict(link.evidence) if link else {},
                    "linked_at": now,
                }
            )
        conn.execute(insert(identity_links), rows)

    def _write_keys(self, conn: Connection, records: list[IdentityRecord], ids: dict[str, int]) -> None:
        _delete_resolved(conn, identity_keys, records, ids)
        # in key order: SQLite and PostgreSQL insert into the key index much faster in order than scattered
        # (sorted on the key alone, stable: half the time of comparing whole rows, 130,000 of them a batch)
        rows = [(key, ids[r.key]) for r in records for key in self.resolver.index_keys(r)]
        rows.sort(key=_first)
        if rows:
            _insert_keys(conn, rows)


def allocate_customer_ids(conn: Connection, clusters: list[Cluster]) -> dict[int, str]:
    """One new customer id per cluster (derived from the founding record, skipping ids already stored);
    `id(cluster)` -> its id. Nothing is inserted: see `create_customers`."""
    seeds = {id(c): min(c.members) for c in clusters}
    wanted = [new_customer_id(seed) for seed in seeds.values()]
    taken = set(conn.execute(select(customers.c.id).where(customers.c.id.in_(wanted))).scalars())
    ids: dict[int, str] = {}
    for cluster in clusters:
        customer_id = new_customer_id(seeds[id(cluster)], taken)
        taken.add(customer_id)
        ids[id(cluster)] = customer_id
    return ids


def create_customers(conn: Connection, clusters: list[Cluster], now: datetime) -> dict[int, str]:
    """Insert one customer (profile still empty) per new cluster; `id(cluster)` -> its id."""
    ids = allocate_customer_ids(conn, clusters)
    if ids:
        rows = [{"id": cid, "profile": {}, "created_at": now, "updated_at": now} for cid in ids.values()]
        conn.execute(insert(customers), rows)
    return ids


def merge_customers(
    conn: Connection, survivor: str, absorbed: list[str], now: datetime, outcome: ResolveOutcome
) -> None:
    """Merge the `absorbed` customers into `survivor`: their links and CRM records move, they point to it."""
    for loser in absorbed:
        conn.execute(update(identity_links).where(identity_links.c.customer_id == loser).values(customer_id=survivor))
        # CRM records follow their customer, so the next push writes the survivor's id into them
        conn.execute(update(crm_records).where(crm_records.c.customer_id == loser).values(customer_id=survivor))
        conn.execute(
            update(customers)
            .where((customers.c.id == loser) | (customers.c.merged_into == loser))
            .values(merged_into=survivor, updated_at=now)
        )
        conn.execute(
            insert(audit_events).values(
                customer_id=survivor,
                kind="customer.merged",
                detail={"absorbed": loser, "survivor": survivor},
                actor="resolver",
                created_at=now,
            )
        )
        outcome.merged[loser] = survivor
        outcome.created.discard(loser)


def _delete_resolved(conn: Connection, table: Table, records: list[IdentityRecord], ids: dict[str, int]) -> None:
    """Delete the rows of `table` (links or keys) of the records resolved before; a record never resolved has
    none (links and keys are written, and deleted, together), and most records of a bulk load are new."""
    resolved = [ids[r.key] for r in records if r.customer_id]
    if resolved:
        conn.execute(delete(table).where(member_of(conn, table.c.record_id, resolved)))


def _first(row: tuple[str, int]) -> str:
    return row[0]


def _insert_keys(conn: Connection, rows: list[tuple[str, int]]) -> None:
    """Insert (key, record id) rows: about 30 a record, so the drivers' bulk paths rather than SQLAlchemy's
    (which builds a dict per row): COPY on PostgreSQL, executemany on SQLite."""
    if conn.dialect.name == "postgresql":
        cursor: Any = conn.connection.cursor()  # psycopg's, inside this transaction
        try:
            with cursor.copy("COPY identity_keys (key, record_id) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    conn.exec_driver_sql("INSERT INTO identity_keys (key, record_id) VALUES (?, ?)", rows)


def _serialise_on_keys(conn: Connection, keys: Collection[str]) -> None:
    """PostgreSQL (only): wait for any concurrent resolution that involves one of these blocking keys, and hold them.

    Without it, two transactions resolving records of one person at once each see no candidate (the other's
    rows are uncommitted) and create two customers. Keys hash into a bounded set of transaction advisory locks,
    taken in order (no deadlock); the candidate read that follows is a new statement, so it sees what the other
    transaction committed. SQLite needs none of this: its writers are serialised (BEGIN IMMEDIATE).
    """
    # keys kept only for statistics (every record carries some) identify nobody: locking them would make
    # every resolution wait for every other one
    keys = [k for k in keys if not k.startswith(COUNT_ONLY_PREFIXES)]
    if not keys:
        return
    buckets = sorted({int.from_bytes(hashlib.sha256(k.encode()).digest()[:4], "big") % LOCK_BUCKETS for k in keys})
    conn.execute(
        text("SELECT count(pg_advisory_xact_lock(:space, b)) FROM unnest(CAST(:buckets AS integer[])) AS b"),
        {"space": LOCK_SPACE, "buckets": buckets},
    )


def _customers_of_profiles(conn: Connection, profiles: Collection[tuple[str, str]]) -> set[str]:
    if not profiles:
        return set()
    keys = [f"social_profile:{network}:{pid}" for network, pid in profiles]
    query = (
        select(identity_links.c.customer_id)
        .join(source_records, source_records.c.id == identity_links.c.record_id)
        .where(source_records.c.record_key.in_(keys))
    )
    return set(conn.execute(query).scalars())


IGNORED_CHANGES = frozenset({"provenance", "updated_at", "created_at"})


def rebuild_profiles(
    conn: Connection,
    customer_ids: Iterable[str],
    now: datetime,
    known: Mapping[str, list[IdentityRecord]] | None = None,
    store: SqlCandidateStore | None = None,
    unsaved: Collection[str] = (),
) -> dict[str, list[str]]:
    """Recompute the unified profile (survivorship) of these customers from their records and interactions.

    Only customers whose profile really changed are written (and their `updated_at` moved, which is what
    pushes and webhooks look at); returns, for those, the names of the fields that changed. `known` gives
    customers whose complete record list the caller already holds (saves reading them back); `store`, a
    candidate store whose record cache the reads may use; `unsaved`, new customers (among `known`) whose
    row is inserted here, with its first profile.
    """
    wanted = sorted(set(customer_ids))
    if not wanted:
        return {}
    known = known or {}
    records: dict[str, list[IdentityRecord]] = {cid: list(known.get(cid, [])) for cid in wanted}
    unknown = [cid for cid in wanted if cid not in known]
    for record in (store or SqlCandidateStore(conn)).find_by_customers(unknown):
        records[str(record.customer_id)].append(record)
    facts = _interaction_facts(conn, wanted)
    stored = [cid for cid in wanted if cid not in unsaved]
    query = select(customers.c.id, customers.c.created_at, customers.c.profile)
    current = {str(row.id): row for row in conn.execute(query.where(member_of(conn, customers.c.id, stored)))}
    changes: dict[str, list[str]] = {}
    params: list[dict[str, Any]] = []
    fresh_rows: list[dict[str, Any]] = []
    # a customer left with no record at all (its last CRM record was deleted) holds nothing any more
    emptied = [cid for cid in wanted if not records[cid] and cid in current and current[cid].profile]
    if emptied:
        conn.execute(
            update(customers).where(customers.c.id.in_(emptied)).values(profile={}, deleted_at=now, updated_at=now)
        )
    for cid in wanted:
        fresh = cid in unsaved  # a new cluster always has records
        if not fresh and (not records[cid] or cid not in current):
            continue
        old = {} if fresh else dict(current[cid].profile or {})
        created_at = now if fresh else current[cid].created_at
        new = build_profile(cid, records[cid], facts.get(cid, []), created_at=created_at, updated_at=now)
        changed = sorted(k for k in new.keys() | old.keys() if k not in IGNORED_CHANGES and new.get(k) != old.get(k))
        if fresh:
            fresh_rows.append({"id": cid, "profile": new, "created_at": now, "updated_at": now})
        elif changed or not old:
            params.append({"cid": cid, "profile": new, "now": now})
        else:
            continue  # unchanged: neither written nor reported
        changes[cid] = changed
    if fresh_rows:
        conn.execute(insert(customers), fresh_rows)
    if params:
        conn.execute(
            update(customers)
            .where(customers.c.id == bindparam("cid"))
            .values(profile=bindparam("profile"), updated_at=bindparam("now")),
            params,
        )
    return changes


def _interaction_facts(conn: Connection, customer_ids: list[str]) -> dict[str, list[InteractionFact]]:
    query = (
        select(
            identity_links.c.customer_id,
            interactions.c.network,
            interactions.c.occurred_at,
            interactions.c.sentiment,
        )
        .select_from(customer_interactions())
        .where(member_of(conn, identity_links.c.customer_id, customer_ids))
    )
    facts: dict[str, list[InteractionFact]] = {}
    for cid, network, occurred_at, sentiment in conn.execute(query):
        facts.setdefault(cid, []).append(InteractionFact(network, occurred_at, sentiment))
    return facts


def _queue_reviews(conn: Connection, resolution: Resolution, now: datetime) -> int:
    """Store the resolver's review items (one open item per record: a newer decision replaces an older one)."""
    if not resolution.review:
        return 0
    keys = [item.record_key for item in resolution.review]
    conn.execute(delete(review_items).where(review_items.c.record_key.in_(keys), review_items.c.status == "open"))
    rows = [
        {"record_key": item.record_key, "candidates": list(item.candidates), "reason": item.reason,
         "score": item.score, "evidence": dict(item.evidence), "status": "open", "created_at": now}
        for item in resolution.review
    ]  # fmt: skip
    conn.execute(insert(review_items), rows)
    return len(rows)
