"""Pull: CRM changes → mapping (conflict policies) → source records → identity → customers, page by page.

Each page is one transaction that also saves the cursor, so a run that dies resumes after its last page.
A CRM value equal to what Rapport last wrote (or last read) there is not a CRM edit: it is dropped (echo
suppression). Pulled records become `contact` source records whose `system` is the connection's name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select

from adapters.base import ChangePage, ExternalRecord
from hub.db.tables import audit_events, identity_keys, identity_links, source_records
from hub.ingest.records import RecordError, parse_record
from hub.records import store_batch
from hub.resolution import rebuild_profiles
from hub.sync import store
from hub.sync.context import ObjectPlan, SyncContext, load_profiles, split_profile
from hub.sync.lifecycle import carry_conversions
from hub.sync.store import CrmLink, link_id_for
from mappings import CrmRecord, Patch
from mappings.attributes import is_blank


def pull_object(ctx: SyncContext, plan: ObjectPlan) -> None:
    """Pull every change of one object since its saved cursor."""
    cursor_name = f"pull:{plan.object}"
    with ctx.database.transaction() as conn:
        cursor = store.get_cursor(conn, ctx.name, cursor_name)
    for page in ctx.adapter.list_changes(plan.object, cursor):
        with ctx.database.transaction() as conn:
            _apply_page(conn, ctx, plan, page)
            if not ctx.dry_run:
                store.set_cursor(conn, ctx.name, cursor_name, page.next_cursor, ctx.now())
        if ctx.dry_run:
            # a dry run writes nothing, not even the cursor, so its later pages would only repeat the
            # first one's view of the CRM: one page shows what a real run would do first
            break


def _apply_page(conn: Connection, ctx: SyncContext, plan: ObjectPlan, page: ChangePage) -> None:
    ctx.counts.pulled += len(page.records)
    links = store.crm_links_by_crm_ids(conn, ctx.name, plan.object, [r.id for r in page.records])
    _adopt_link_ids(conn, ctx, plan, page.records, links)
    profiles = load_profiles(conn, sorted({link.customer_id for link in links.values() if link.customer_id}))
    payloads = _existing_payloads(conn, [link.record_key for link in links.values() if link.record_key])
    batch, touched, decisions = [], [], []
    for record in page.records:
        link = links.get(record.id) or _new_link(ctx, plan, record)
        patch, agreed = _patch(plan, record, link, profiles.get(link.customer_id or ""))
        for error in patch.errors:
            ctx.record_error(conn, plan.object, "pull", record.id, customer_id=link.customer_id,
                             code="UNREADABLE_VALUE", message=str(error), fields=[error.field])  # fmt: skip
        first_pull = link.record_key is None
        link.record_key = link.record_key or f"contact:{ctx.name}:{record.id}"
        if patch.values or first_pull:
            current = {**payloads.get(link.record_key, {}), **agreed}
            item = _ingest_item(conn, ctx, plan, record, current, patch)
            if item is not None:
                batch.append(item)
        else:
            ctx.counts.skipped += 1
        link.last_written = {**link.last_written, **_known_values(plan, record, _refused_blanks(patch))}
        link.crm_modified_at = record.modified_at
        touched.append(link)
        decisions.append((link, [d.to_dict() for d in patch.decisions]))
    if ctx.dry_run:
        return
    _store_and_resolve(conn, ctx, batch, touched)
    carry_conversions(conn, ctx, plan, page.records)
    for link, items in decisions:
        ctx.audit_decisions(conn, link.customer_id, items)
    _unlink(conn, ctx, plan, list(page.deleted) + list(page.merged_into))


def _adopt_link_ids(
    conn: Connection, ctx: SyncContext, plan: ObjectPlan, records: Any, links: dict[str, CrmLink]
) -> None:
    """A CRM record carrying a link id we issued (e.g. one we created) is that link, even if its CRM id was lost.
    Only this connection's links count: a link id copied from another CRM (an import of its export) is not ours."""
    if not plan.link_field:
        return
    carried = {
        str(r.fields.get(plan.link_field)): r.id for r in records if r.id not in links and r.fields.get(plan.link_field)
    }
    for link_id, link in store.crm_links_by_link_ids(conn, list(carried)).items():
        if (link.connection, link.object) != (ctx.name, plan.object):
            continue
        link.crm_id = carried[link_id]
        links[link.crm_id] = link


def _new_link(ctx: SyncContext, plan: ObjectPlan, record: ExternalRecord) -> CrmLink:
    link_id = link_id_for(ctx.name, plan.object, record.id)
    return CrmLink(None, ctx.name, plan.object, record.id, link_id, None, None, {})


def _patch(
    plan: ObjectPlan, record: ExternalRecord, link: CrmLink, profile: dict[str, Any] | None
) -> tuple[Patch, dict[str, Any]]:
    """The patch of this CRM change, and the pulled values on which the CRM already agrees with the hub."""
    values, provenance = split_profile(profile)
    crm = CrmRecord(
        values=record.fields,
        modified_at=record.modified_at.isoformat() if record.modified_at else None,
        last_written=link.last_written if link.id is not None else None,
        id=record.id,
    )
    customer = values if profile else None
    patch = plan.mapper.to_patch(plan.mapping, crm, customer=customer, provenance=provenance)
    return patch, _agreed_values(plan, crm, customer)


def _agreed_values(plan: ObjectPlan, crm: CrmRecord, customer: dict[str, Any] | None) -> dict[str, Any]:
    """Pulled fields where the CRM holds what the hub holds (e.g. a value Rapport wrote there). The record's
    stored payload takes them when it is stored again, so that a later edit of another field, which makes
    this record the customer's newest, does not bring back an older value of these fields."""
    if customer is None:
        return {}
    return {
        o.field.source: o.crm_in
        for o in plan.mapper.evaluate(plan.mapping, customer, crm)
        if o.field.pulls and o.field.source and o.decision is None and o.error is None and not is_blank(o.crm_in)
    }


def _known_values(plan: ObjectPlan, record: ExternalRecord, keep: set[str]) -> dict[str, Any]:
    """The mapped fields' values as the CRM holds them now: what we know it holds after this pull; fields
    in `keep` keep their previous value."""
    return {t: record.fields.get(t) for t in plan.mapping.targets if t in record.fields and t not in keep}


def _refused_blanks(patch: Patch) -> set[str]:
    """Fields the CRM blanked where the policy decided that neither side moves (most_recent: the CRM cleared
    it last, but a blank never overwrites the hub's value). Remembering the blank as what the CRM holds would
    make the push see an unchanged CRM and a changed hub, and write the value back against that decision."""
    return {d.field for d in patch.decisions if d.action == "none" and is_blank(d.crm_value)}


def _existing_payloads(conn: Connection, record_keys: list[str]) -> dict[str, dict[str, Any]]:
    if not record_keys:
        return {}
    query = select(source_records.c.record_key, source_records.c.payload).where(
        source_records.c.record_key.in_(record_keys)
    )
    return {key: dict(payload) for key, payload in conn.execute(query)}


def _ingest_item(
    conn: Connection, ctx: SyncContext, plan: ObjectPlan, record: ExternalRecord, current: dict[str, Any], patch: Patch
) -> Any:
    payload: dict[str, Any] = {k: v for k, v in current.items() if k not in ("type", "system", "id", "updated_at")}
    payload.update({k: v for k, v in patch.values.items() if v is not None})
    payload.update(type="contact", system=ctx.name, id=record.id, properties={"object": plan.object})
    if record.modified_at:
        payload["updated_at"] = record.modified_at.isoformat()
    try:
        return parse_record(payload)
    except RecordError as exc:
        ctx.record_error(conn, plan.object, "pull", record.id, code="INVALID_RECORD", message=str(exc))
        return None


def _store_and_resolve(conn: Connection, ctx: SyncContext, batch: list[Any], links: list[CrmLink]) -> None:
    now = ctx.now()
    stored = store_batch(conn, batch, now)
    _pin_known_customers(conn, links, now)
    ctx.resolver.resolve(conn, stored.changed_record_ids, set(), now)
    customer_of = _customers_of(conn, [link.record_key for link in links if link.record_key])
    for link in links:
        if link.record_key in customer_of:
            link.customer_id = customer_of[link.record_key]
    store.save_crm_links(conn, links, now)


def _pin_known_customers(conn: Connection, links: list[CrmLink], now: Any) -> None:
    """Records of CRM links that already belong to a customer (e.g. created by Rapport) stay with it."""
    pinned = {link.record_key: link for link in links if link.customer_id and link.record_key}
    if not pinned:
        return
    rows = conn.execute(
        select(source_records.c.id, source_records.c.record_key)
        .outerjoin(identity_links, identity_links.c.record_id == source_records.c.id)
        .where(source_records.c.record_key.in_(list(pinned)), identity_links.c.record_id.is_(None))
    ).all()
    if rows:
        conn.execute(
            insert(identity_links),
            [
                {"record_id": rid, "customer_id": pinned[key].customer_id, "rule": "crm_link", "score": 1.0,
                 "matched_key": None, "evidence": {"link_id": pinned[key].link_id}, "linked_at": now}
                for rid, key in rows
            ],
        )  # fmt: skip


def _customers_of(conn: Connection, record_keys: list[str]) -> dict[str, str]:
    if not record_keys:
        return {}
    query = (
        select(source_records.c.record_key, identity_links.c.customer_id)
        .join(identity_links, identity_links.c.record_id == source_records.c.id)
        .where(source_records.c.record_key.in_(record_keys))
    )
    return {str(key): str(cid) for key, cid in conn.execute(query)}


def _unlink(conn: Connection, ctx: SyncContext, plan: ObjectPlan, crm_ids: list[str]) -> None:
    """Records deleted, archived or merged away in the CRM leave their customer; its other data stays."""
    if not crm_ids:
        return
    now = ctx.now()
    links = store.crm_links_by_crm_ids(conn, ctx.name, plan.object, crm_ids)
    touched: set[str] = set()
    for link in links.values():
        if link.record_key:
            record_id = conn.execute(
                select(source_records.c.id).where(source_records.c.record_key == link.record_key)
            ).scalar()
            if record_id is not None:
                conn.execute(delete(identity_links).where(identity_links.c.record_id == record_id))
                conn.execute(delete(identity_keys).where(identity_keys.c.record_id == record_id))
                conn.execute(delete(source_records).where(source_records.c.id == record_id))
        if link.customer_id:
            touched.add(link.customer_id)
            conn.execute(
                insert(audit_events).values(
                    customer_id=link.customer_id,
                    kind="record.unlinked",
                    actor=f"sync:{ctx.name}",
                    created_at=now,
                    detail={
                        "connection": ctx.name,
                        "object": plan.object,
                        "crm_id": link.crm_id,
                        "reason": "deleted, archived or merged away in the CRM",
                    },
                )
            )
        link.record_key, link.customer_id = None, None
        store.save_crm_link(conn, link, now)
        conn.execute(store.mark_deleted(link.link_id, now))
    # pushes to these records that failed (e.g. because they were gone) have nothing left to retry
    store.resolve_errors(conn, ctx.name, plan.object, "push", [link.link_id for link in links.values()], now)
    rebuild_profiles(conn, touched, now)
