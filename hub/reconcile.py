"""Reconciling: every stored record clustered again on the whole store's counts (`identity.reconcile`), so that
the customers found do not depend on the order records arrived in, applied as moves, splits and merges.

It reads from one snapshot without holding the write lock (the clustering takes seconds), then applies what
changed in one short transaction. Groups whose records changed customer in between (a batch resolved
meanwhile) are left for the next run, never half-applied. What a person decided is kept: the customers of a
manual merge or split, of an accepted or rejected review, and records awaiting review, are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Connection, and_, bindparam, select, text, update

from hub.db.database import Database, member_of, utcnow
from hub.db.sync_tables import crm_records
from hub.db.tables import audit_events, customers, identity_links, source_records
from hub.events import Event, customer_events
from hub.identity_store import RECORDS_JOIN, SqlCandidateStore
from hub.reconcile_regions import regions
from hub.reconcile_review import customers_of_records, requeue_reviews
from hub.reconcile_runs import IDENTITY_DECISIONS, RESOLVER, changed_since_last_run, record_run
from hub.resolution import (
    LOCK_BUCKETS,
    LOCK_SPACE,
    HubResolver,
    ResolveOutcome,
    create_customers,
    merge_customers,
    rebuild_profiles,
)
from hub.webhooks_store import emit_events
from identity.api import CandidateStore, Cluster, IdentityRecord, Resolution

RECONCILE_JOB = "reconcile"
# the concurrency key of the scheduled job (PeriodicJob "reconcile"); a run queued by hand takes it too, so that
# two reconciliations never run at once
RECONCILE_KEY = f"periodic:{RECONCILE_JOB}"
REGION_RECORDS = 100_000  # records reclustered at once (about 1 GB of profiles for 84,000 social records)
SETTLED = (source_records.c.record_key, identity_links.c.customer_id)


@runtime_checkable
class Reclusterer(Protocol):
    """A resolver that can cluster stored records again (the identity engine)."""

    def recluster(self, records: list[IdentityRecord], store: CandidateStore) -> Resolution:
        """The groups that differ from the current customers."""
        ...

    def settled_links(
        self, records: Sequence[IdentityRecord], store: CandidateStore, among: Callable[[str], bool]
    ) -> list[tuple[str, str]]:
        """Pairs linked over the reclustering threshold (see `hub.reconcile_regions`)."""
        ...


@dataclass(slots=True)
class ReconcileOutcome:
    """What a reconciliation looked at and changed."""

    records: int = 0  # records clustered again
    moved: int = 0  # records now in another customer
    created: list[str] = field(default_factory=list)  # customers split off
    merged: dict[str, str] = field(default_factory=dict)  # absorbed id -> survivor id
    updated: list[str] = field(default_factory=list)  # customers whose unified profile changed
    deferred: int = 0  # groups left for the next run: their records changed customer meanwhile
    review: int = 0  # records newly queued for review (found ambiguous)
    withdrawn: int = 0  # open review items withdrawn (no longer ambiguous)
    skipped: bool = False  # nothing changed since the last reconciliation: nothing done

    def summary(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return {"records": self.records, "moved": self.moved, "created": len(self.created),
                "merged": len(self.merged), "updated": len(self.updated), "deferred": self.deferred,
                "review": self.review, "withdrawn": self.withdrawn, "skipped": self.skipped}  # fmt: skip


def reconcile(
    database: Database, resolver: HubResolver, region_records: int = REGION_RECORDS, *, if_changed: bool = False
) -> ReconcileOutcome:
    """Cluster every settled record again and apply the groups that changed: all at once up to `region_records`
    records, in regions of about that many beyond (see `hub.reconcile_regions`). With `if_changed`, nothing is
    done (`skipped`) when nothing changed since the last reconciliation."""
    engine = resolver.resolver
    outcome = ReconcileOutcome()
    if not isinstance(engine, Reclusterer):
        return outcome  # a resolver without reclustering (the exact linker) is order-free already
    started = utcnow()
    if if_changed:
        with database.snapshot() as conn:
            outcome.skipped = not changed_since_last_run(conn)
        if outcome.skipped:
            return outcome
    _recluster_parts(database, resolver, engine, region_records, outcome)
    with database.transaction() as conn:
        record_run(conn, outcome.summary(), started, utcnow())
    return outcome


def _recluster_parts(
    database: Database, resolver: HubResolver, engine: Reclusterer, region_records: int, outcome: ReconcileOutcome
) -> None:
    with database.snapshot() as conn:
        owners = {str(k): c for k, c in conn.execute(select(*SETTLED).select_from(RECORDS_JOIN).where(_settled()))}
        parts: list[list[str] | None] = [None]  # None: every settled record, read at once
        if len(owners) > region_records:
            store = SqlCandidateStore(conn, resolver.records)
            parts = list(regions(conn, engine, store, owners, region_records))
    for part in parts:
        with database.snapshot() as conn:
            store = SqlCandidateStore(conn, resolver.records)
            condition = _settled() if part is None else member_of(conn, source_records.c.record_key, part)
            records = store.records_where(condition)
            resolution = engine.recluster(records, store)
        _apply_part(database, records, resolution, outcome)


def _apply_part(
    database: Database, records: list[IdentityRecord], resolution: Resolution, outcome: ReconcileOutcome
) -> None:
    outcome.records += len(records)
    if not records:
        return
    current = {record.key: record.customer_id for record in records}
    with database.transaction() as conn:
        now = utcnow()
        deferred = _apply(conn, resolution, current, now, outcome)
        queued, withdrawn = requeue_reviews(conn, resolution.review, current.keys() - deferred, now)
    outcome.review += queued
    outcome.withdrawn += withdrawn


def _settled() -> Any:
    """Records of live customers whose records no person (or CRM) put together or apart."""
    decided = select(audit_events.c.customer_id).where(
        audit_events.c.kind.in_(IDENTITY_DECISIONS),
        audit_events.c.actor != RESOLVER,
        audit_events.c.customer_id.is_not(None),
    )
    split_off = select(identity_links.c.customer_id).where(identity_links.c.rule == "split")
    live = select(customers.c.id).where(
        customers.c.merged_into.is_(None),
        customers.c.deleted_at.is_(None),
        customers.c.id.not_in(decided),
        customers.c.id.not_in(split_off),
    )
    return and_(source_records.c.record_type != "interaction", identity_links.c.customer_id.in_(live))


def _apply(
    conn: Connection,
    resolution: Resolution,
    current: Mapping[str, str | None],
    now: datetime,
    outcome: ReconcileOutcome,
) -> set[str]:
    """Write the groups that changed, except those changed meanwhile; returns the records of those left."""
    if conn.dialect.name == "postgresql":  # wait for resolutions under way, and keep new ones out meanwhile
        conn.execute(
            text("SELECT count(pg_advisory_xact_lock(:space, b)) FROM generate_series(0, :last) AS b"),
            {"space": LOCK_SPACE, "last": LOCK_BUCKETS - 1},
        )
    units = _units(resolution.clusters, current)
    fresh = customers_of_records(conn, [key for unit in units for c in unit for key in c.members])
    live = _live(conn, {cid for unit in units for cid in _customers_of(unit, current)})
    clusters: list[Cluster] = []
    deferred: set[str] = set()
    for unit in units:
        keys = [key for cluster in unit for key in cluster.members]
        if all(fresh.get(key) == current.get(key) for key in keys) and _customers_of(unit, current) <= live:
            clusters += unit
        else:
            outcome.deferred += 1
            deferred.update(keys)
    if clusters:
        _write(conn, clusters, resolution, current, now, outcome)
    return deferred


def _units(clusters: list[Cluster], current: Mapping[str, str | None]) -> list[list[Cluster]]:
    """Clusters that share a former customer, together: they are applied whole or not at all."""
    parent = list(range(len(clusters)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = index = parent[parent[index]]
        return index

    first_with: dict[str, int] = {}
    for index, cluster in enumerate(clusters):
        for customer in _customers_of([cluster], current):
            parent[root(index)] = root(first_with.setdefault(customer, index))
    units: dict[int, list[Cluster]] = {}
    for index, cluster in enumerate(clusters):
        units.setdefault(root(index), []).append(cluster)
    return list(units.values())


def _customers_of(unit: Iterable[Cluster], current: Mapping[str, str | None]) -> set[str]:
    found: set[str] = set()
    for cluster in unit:
        found.update(customer for key in cluster.members if (customer := current.get(key)))
        found.update(cluster.absorbed)
        if cluster.customer_id:
            found.add(cluster.customer_id)
    return found


def _live(conn: Connection, customer_ids: Collection[str]) -> set[str]:
    query = select(customers.c.id).where(
        member_of(conn, customers.c.id, customer_ids),
        customers.c.merged_into.is_(None),
        customers.c.deleted_at.is_(None),
    )
    return set(conn.execute(query).scalars())


def _write(
    conn: Connection,
    clusters: list[Cluster],
    resolution: Resolution,
    current: Mapping[str, str | None],
    now: datetime,
    outcome: ReconcileOutcome,
) -> None:
    fresh = create_customers(conn, [c for c in clusters if not c.customer_id], now)
    merges = ResolveOutcome()
    absorbed = {customer for cluster in clusters for customer in cluster.absorbed}
    moved_to: dict[str, dict[str, set[str]]] = {}  # former customer (not absorbed) -> new customer -> records
    target_of: dict[str, str] = {}
    for cluster in clusters:
        target = cluster.customer_id or fresh[id(cluster)]
        merge_customers(conn, target, cluster.absorbed, now, merges)
        for key in cluster.members:
            target_of[key] = target
    _write_links(conn, resolution, target_of, now)
    moved = {key: target for key, target in target_of.items() if current.get(key) != target}
    for key, target in moved.items():
        before = current.get(key)
        if before and before not in absorbed:
            moved_to.setdefault(before, {}).setdefault(target, set()).add(key)
    _move_crm_records(conn, moved)
    events = _split_events(conn, moved_to, now)
    touched = (set(target_of.values()) | set(moved_to)) - set(merges.merged)
    changed = rebuild_profiles(conn, touched, now)
    emit_events(conn, customer_events(set(fresh.values()), merges.merged, changed) + events, now=now)
    outcome.moved += len(moved)
    outcome.created += sorted(fresh.values())
    outcome.merged.update(merges.merged)
    outcome.updated += sorted(cid for cid, fields in changed.items() if fields)


def _write_links(conn: Connection, resolution: Resolution, target_of: Mapping[str, str], now: datetime) -> None:
    """Each record's link: its customer, and the rule, score and evidence that joined it this time."""
    query = select(source_records.c.record_key, source_records.c.id).where(
        member_of(conn, source_records.c.record_key, list(target_of))
    )
    ids = {str(key): int(row_id) for key, row_id in conn.execute(query)}
    rows = []
    for key, target in target_of.items():
        link = resolution.links[key]
        rows.append({"rid": ids[key], "cid": target, "r": link.rule, "s": link.score, "m": link.matched,
                     "e": dict(link.evidence), "t": now})  # fmt: skip
    statement = (
        update(identity_links)
        .where(identity_links.c.record_id == bindparam("rid"))
        .values(
            customer_id=bindparam("cid"),
            rule=bindparam("r"),
            score=bindparam("s"),
            matched_key=bindparam("m"),
            evidence=bindparam("e"),
            linked_at=bindparam("t"),
        )
    )
    conn.execute(statement, rows)


def _move_crm_records(conn: Connection, target_of: Mapping[str, str]) -> None:
    """CRM records pulled from a moved record follow it (the next push writes its new customer's id)."""
    if not target_of:
        return
    statement = (
        update(crm_records)
        .where(crm_records.c.record_key == bindparam("key"))
        .values(customer_id=bindparam("cid"))
        .execution_options(synchronize_session=False)
    )
    conn.execute(statement, [{"key": key, "cid": cid} for key, cid in target_of.items()])


def _split_events(conn: Connection, moved_to: Mapping[str, Mapping[str, set[str]]], now: datetime) -> list[Event]:
    """An audit event and a `customer.split` event for every customer that lost records to others."""
    events: list[Event] = []
    for former, targets in sorted(moved_to.items()):
        detail = {"moved": {target: sorted(keys) for target, keys in sorted(targets.items())}, "reclustered": True}
        conn.execute(
            audit_events.insert().values(
                customer_id=former, kind="customer.split", detail=detail, actor=RESOLVER, created_at=now
            )
        )
        events.append(("customer.split", {"customer_id": former, "new_customer_ids": sorted(targets)}))
    return events
