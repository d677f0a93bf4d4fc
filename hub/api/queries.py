"""Read queries behind the API: customer pages and lookups, their source records, and store counts.

A customer is live while it is neither merged into another nor deleted; identity links always point at live
customers (a merge moves them), so filters go through the customer's source records.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from hub.db.tables import customers, identity_links, interactions, source_records
from hub.jobs.queue import queue_stats
from identity.survivorship import profile_fields

CURSOR_VERSION = "c1:"


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """Optional filters of a customer listing."""

    email: str | None = None
    network: str | None = None
    handle: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """A stored customer as read for the API."""

    id: str
    profile: dict[str, Any]
    merged_into: str | None
    deleted: bool


def encode_cursor(last_id: str) -> str:
    """An opaque cursor meaning "after customer `last_id`"."""
    return base64.urlsafe_b64encode((CURSOR_VERSION + last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    """The customer id a cursor points after, or None when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return text[len(CURSOR_VERSION) :] if text.startswith(CURSOR_VERSION) else None


def _live() -> ColumnElement[bool]:
    return customers.c.merged_into.is_(None) & customers.c.deleted_at.is_(None)


def _matching_customers(where: ColumnElement[bool]) -> Any:
    return (
        select(identity_links.c.customer_id)
        .join(source_records, source_records.c.id == identity_links.c.record_id)
        .where(where)
    )


def _filter_conditions(wanted: CustomerFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.email:
        email = func.lower(func.trim(source_records.c.payload["email"].as_string()))
        conditions.append(customers.c.id.in_(_matching_customers(email == wanted.email.strip().lower())))
    if wanted.network and wanted.handle:
        handle = func.lower(func.ltrim(source_records.c.payload["handle"].as_string(), "@"))
        conditions.append(
            customers.c.id.in_(
                _matching_customers(
                    (source_records.c.record_type == "social_profile")
                    & (source_records.c.source == wanted.network.strip().lower())
                    & (handle == wanted.handle.strip().lstrip("@").lower())
                )
            )
        )
    return conditions


def customer_page(
    conn: Connection, *, limit: int, after: str | None, wanted: CustomerFilter
) -> tuple[list[CustomerRow], bool]:
    """Up to `limit` live customers with ids after `after`, in id order; and whether more follow."""
    query = select(customers.c.id, customers.c.profile).where(_live(), *_filter_conditions(wanted))
    if after is not None:
        query = query.where(customers.c.id > after)
    rows = conn.execute(query.order_by(customers.c.id).limit(limit + 1)).all()
    page = [CustomerRow(row.id, row.profile or {}, None, False) for row in rows[:limit]]
    return page, len(rows) > limit


def find_customer(conn: Connection, customer_id: str) -> CustomerRow | None:
    """A customer by id, live or not."""
    row = conn.execute(
        select(customers.c.id, customers.c.profile, customers.c.merged_into, customers.c.deleted_at).where(
            customers.c.id == customer_id
        )
    ).first()
    if row is None:
        return None
    return CustomerRow(row.id, row.profile or {}, row.merged_into, row.deleted_at is not None)


def sources_of(conn: Connection, customer_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The source records (profiles and contacts) linked to each of these customers."""
    if not customer_ids:
        return {}
    query = (
        select(
            identity_links.c.customer_id,
            source_records.c.record_type,
            source_records.c.source,
            source_records.c.external_id,
            source_records.c.first_seen_at,
            source_records.c.last_seen_at,
        )
        .join(source_records, source_records.c.id == identity_links.c.record_id)
        .where(identity_links.c.customer_id.in_(customer_ids))
        .order_by(source_records.c.record_type, source_records.c.source, source_records.c.external_id)
    )
    found: dict[str, list[dict[str, Any]]] = {cid: [] for cid in customer_ids}
    for row in conn.execute(query):
        item = dict(row._mapping)
        found[item.pop("customer_id")].append(item)
    return found


def customer_body(row: CustomerRow, sources: list[dict[str, Any]]) -> dict[str, Any]:
    """The API's customer: the unified profile's values (no provenance) and its source records."""
    return {**profile_fields(row.profile), "id": row.id, "sources": sources}


def store_stats(conn: Connection) -> dict[str, Any]:
    """`/v1/stats`: stored records (profiles, contacts, interactions), live customers, jobs by kind."""
    records = conn.execute(select(func.count()).select_from(source_records)).scalar_one()
    posts = conn.execute(select(func.count()).select_from(interactions)).scalar_one()
    live = conn.execute(select(func.count()).select_from(customers).where(_live())).scalar_one()
    return {"records": int(records) + int(posts), "customers": int(live), "jobs": queue_stats(conn)}
