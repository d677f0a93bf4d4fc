"""CRM record lifecycle beyond edits: a Salesforce Lead converted to a Contact keeps its customer.

Salesforce marks a converted lead with `ConvertedContactId`. The contact is the same person, so it joins the
lead's customer: at once if it was already pulled (its customer is merged into the lead's), or when it is
pulled (its link is created ahead, already pointing at the customer, and pinned there on arrival).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert

from adapters.base import ExternalRecord
from hub.db.tables import audit_events
from hub.identity_admin import merge
from hub.sync import store
from hub.sync.context import ObjectPlan, SyncContext
from hub.sync.store import CrmLink, link_id_for

CONVERTED_TO = "ConvertedContactId"


def carry_conversions(conn: Connection, ctx: SyncContext, plan: ObjectPlan, records: Sequence[ExternalRecord]) -> None:
    """For each converted lead in `records`, give its contact the lead's customer."""
    if plan.object != "lead":
        return
    converted = {r.id: str(r.fields[CONVERTED_TO]) for r in records if r.fields.get(CONVERTED_TO)}
    if not converted:
        return
    leads = store.crm_links_by_crm_ids(conn, ctx.name, "lead", list(converted))
    contacts = store.crm_links_by_crm_ids(conn, ctx.name, "contact", list(converted.values()))
    now = ctx.now()
    for lead_id, contact_id in converted.items():
        lead = leads.get(lead_id)
        if lead is None or lead.customer_id is None:
            continue
        contact = contacts.get(contact_id)
        if contact is None:
            link = link_id_for(ctx.name, "contact", contact_id)
            store.save_crm_link(
                conn, CrmLink(None, ctx.name, "contact", contact_id, link, lead.customer_id, None, {}), now
            )
        elif contact.customer_id is None:
            contact.customer_id = lead.customer_id
            store.save_crm_link(conn, contact, now)
        elif contact.customer_id != lead.customer_id:
            merge(conn, [lead.customer_id, contact.customer_id], actor=f"sync:{ctx.name} (lead converted)", now=now)
        conn.execute(
            insert(audit_events).values(
                customer_id=lead.customer_id,
                kind="record.converted",
                actor=f"sync:{ctx.name}",
                created_at=now,
                detail={"connection": ctx.name, "lead": lead_id, "contact": contact_id},
            )
        )
