"""Push: changed customers → mapping payloads → batched writes by link id → what the CRM now holds.

Only customers changed since the connection's push watermark (and those whose last push failed) are
considered; a field whose value equals what the CRM is known to hold is not sent, so an idle round writes
nothing. A record whose CRM id is known is updated by that id (a record pulled before it carried a link id
gets it written back this way); a record deleted in the CRM since the last pull is then refused, not
recreated as a stub holding only the changed fields. Records Rapport creates are upserted by link id, so
a rerun after a crash never duplicates one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from adapters.base import RecordResult, UpsertItem
from hub.db.tables import customers
from hub.sync import store
from hub.sync.context import ObjectPlan, SyncContext, load_profiles, split_profile
from hub.sync.social import push_history
from hub.sync.store import CrmLink, link_id_for
from mappings import CrmRecord

CHUNK = 200
EPOCH = "1970-01-01T00:00:00+00:00"


@dataclass
class Write:
    """One planned write: the CRM record link, the fields, and whether it goes by CRM id."""

    link: CrmLink
    fields: dict[str, Any]
    by_crm_id: bool


def push_object(ctx: SyncContext, plan: ObjectPlan) -> None:
    """Push every customer changed since the watermark (and earlier failures) to one object.

    Retried customers go first and do not move the watermark (customers changed before them may still be
    waiting); none is pushed twice in one run."""
    cursor_name = f"push:{plan.object}"
    with ctx.database.transaction() as conn:
        watermark = store.get_cursor(conn, ctx.name, cursor_name) or EPOCH
        retry = store.open_push_errors(conn, ctx.name, plan.object)
    newest = watermark
    pushed: set[str] = set()
    for chunk, retried in _changed_customers(ctx, datetime.fromisoformat(watermark), retry):
        with ctx.database.transaction() as conn:
            wanted = [cid for cid, _ in chunk if cid not in pushed]
            if wanted:
                _push_chunk(conn, ctx, plan, wanted)
            pushed.update(wanted)
            if not retried and not ctx.dry_run:
                newest = max([newest, *(at.isoformat() for _, at in chunk)])
                store.set_cursor(conn, ctx.name, cursor_name, newest, ctx.now())


def _changed_customers(
    ctx: SyncContext, since: datetime, retry: list[str]
) -> Iterator[tuple[list[tuple[str, datetime]], bool]]:
    """Chunks of (customer id, updated_at), each with whether it holds retried customers (those come first),
    then the customers changed since the watermark, oldest change first."""
    live = customers.c.merged_into.is_(None) & customers.c.deleted_at.is_(None)
    if retry:
        with ctx.database.transaction() as conn:
            found = conn.execute(select(customers.c.id, customers.c.updated_at).where(live, customers.c.id.in_(retry)))
            pending = [(r.id, r.updated_at) for r in found]
        for start in range(0, len(pending), CHUNK):
            yield pending[start : start + CHUNK], True
    after = (since, "")
    while True:
        with ctx.database.transaction() as conn:
            query = (
                select(customers.c.id, customers.c.updated_at)
                .where(
                    live,
                    (customers.c.updated_at > after[0])
                    | ((customers.c.updated_at == after[0]) & (customers.c.id > after[1])),
                )
                .order_by(customers.c.updated_at, customers.c.id)
                .limit(CHUNK)
            )
            rows = [(r.id, r.updated_at) for r in conn.execute(query)]
        if not rows:
            return
        yield rows, False
        after = (rows[-1][1], rows[-1][0])


def _push_chunk(conn: Connection, ctx: SyncContext, plan: ObjectPlan, customer_ids: list[str]) -> None:
    profiles = load_profiles(conn, customer_ids)
    links: dict[str, list[CrmLink]] = {}
    for link in store.crm_links_of_customers(conn, ctx.name, plan.object, customer_ids):
        links.setdefault(link.customer_id or "", []).append(link)
    writes: list[Write] = []
    for customer_id, profile in profiles.items():
        values, provenance = split_profile(profile)
        targets = links.get(customer_id) or _new_target(ctx, plan, customer_id, values)
        for link in targets:
            write = _plan_write(conn, ctx, plan, link, values, provenance, [t for t in targets if t is not link])
            if write is None:
                ctx.counts.skipped += 1
            else:
                writes.append(write)
    if ctx.dry_run:
        ctx.counts.created += sum(1 for w in writes if w.link.crm_id is None)
        ctx.counts.updated += sum(1 for w in writes if w.link.crm_id is not None)
        return
    _execute(conn, ctx, plan, writes)
    if ctx.spec.social_history:
        push_history(conn, ctx, plan, sorted(links) + [w.link.customer_id or "" for w in writes])


def _new_target(ctx: SyncContext, plan: ObjectPlan, customer_id: str, values: dict[str, Any]) -> list[CrmLink]:
    """A record to create for a customer with none in this CRM, when the mapping creates and allows it."""
    if not plan.link_field or not plan.mapper.may_create(plan.mapping, values):
        return []
    link_id = link_id_for(ctx.name, plan.object, f"customer:{customer_id}")
    return [CrmLink(None, ctx.name, plan.object, None, link_id, customer_id, None, {})]


def _plan_write(
    conn: Connection,
    ctx: SyncContext,
    plan: ObjectPlan,
    link: CrmLink,
    values: dict[str, Any],
    provenance: Any,
    siblings: list[CrmLink],
) -> Write | None:
    known = link.crm_id is not None
    crm = None
    if known:
        modified = link.crm_modified_at.isoformat() if link.crm_modified_at else None
        crm = CrmRecord(values=link.last_written, modified_at=modified, last_written=link.last_written, id=link.crm_id)
    payload = plan.mapper.to_external(plan.mapping, values, link_id=link.link_id, provenance=provenance, crm=crm)
    for error in payload.errors:
        ctx.record_error(conn, plan.object, "push", link.link_id, customer_id=link.customer_id,
                         code="TRANSFORM_FAILED", message=str(error), fields=[error.field])  # fmt: skip
    spared = _held_by_siblings(plan, payload.fields, siblings)
    pushed = [d.to_dict() for d in payload.decisions if d.action == "push" and d.field not in spared]
    ctx.audit_decisions(conn, link.customer_id, pushed)
    fields = {k: v for k, v in payload.fields.items() if k not in spared}
    if not fields:
        return None
    return Write(link, fields, by_crm_id=known)


def _held_by_siblings(plan: ObjectPlan, fields: Any, siblings: list[CrmLink]) -> set[str]:
    """Values of the CRM's unique fields (HubSpot's email) that another record of the same customer there
    already holds: writing them into a duplicate record would only be refused (DUPLICATE_VALUE) on every run,
    and would hold back the rest of that record's update."""
    schema = plan.mapper.schema
    if schema is None or not siblings:
        return set()
    spared = set()
    for target, value in fields.items():
        spec = schema.get(target)
        if spec is None or not spec.unique or spec.external_id or not isinstance(value, str):
            continue
        folded = value.strip().casefold()
        held = (s.last_written.get(target) for s in siblings)
        if any(isinstance(h, str) and h.strip().casefold() == folded for h in held):
            spared.add(target)
    return spared


def _execute(conn: Connection, ctx: SyncContext, plan: ObjectPlan, writes: list[Write]) -> None:
    by_id = [w for w in writes if w.by_crm_id]
    by_link = [w for w in writes if not w.by_crm_id]
    results: list[tuple[Write, RecordResult]] = []
    if by_id:
        answers = ctx.adapter.update_batch(plan.object, [(w.link.crm_id or "", w.fields) for w in by_id])
        results += list(zip(by_id, answers, strict=True))
    if by_link:
        answers = ctx.adapter.upsert_batch(plan.object, [UpsertItem(w.link.link_id, w.fields) for w in by_link])
        results += list(zip(by_link, answers, strict=True))
    now = ctx.now()
    done = []
    for write, result in results:
        if result.error is not None:
            ctx.counts.rejected += 1
            error = result.error
            ctx.record_error(conn, plan.object, "push", write.link.link_id, customer_id=write.link.customer_id,
                             code=error.code, message=error.message, fields=error.fields)  # fmt: skip
            continue
        created = write.link.crm_id is None or result.created
        ctx.counts.created += int(created)
        ctx.counts.updated += int(not created)
        write.link.crm_id = result.crm_id or write.link.crm_id
        write.link.last_written = {**write.link.last_written, **write.fields}
        done.append(write.link.link_id)
    store.save_crm_links(conn, [w.link for w, r in results if r.error is None], now)
    store.resolve_errors(conn, ctx.name, plan.object, "push", done, now)
