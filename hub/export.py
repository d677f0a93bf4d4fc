"""Exports: identity links and unified customers, streamed page by page (constant memory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import Connection, select

from hub.db.tables import customers, identity_links, source_records
from hub.resolution import new_customer_id
from identity.survivorship import profile_fields

PAGE = 1000
LINK_COLUMNS = ["record_type", "source", "external_id", "customer_id"]
CUSTOMER_COLUMNS = [
    "id", "full_name", "first_name", "last_name", "email", "emails", "phone", "phones", "city", "country",
    "company", "title", "handles", "networks", "first_network", "followers_total", "interactions_count",
    "last_interaction_at", "sentiment_recent", "records", "created_at", "updated_at",
]  # fmt: skip


def write_links(conn: Connection, out: TextIO) -> int:
    """CSV of every social profile and contact with its customer; returns the row count."""
    writer = csv.writer(out)
    writer.writerow(LINK_COLUMNS)
    query = (
        select(
            source_records.c.record_key,
            source_records.c.record_type,
            source_records.c.source,
            source_records.c.external_id,
            identity_links.c.customer_id,
        )
        .select_from(source_records.outerjoin(identity_links, identity_links.c.record_id == source_records.c.id))
        .where(source_records.c.record_type != "interaction")
        .order_by(source_records.c.id)
    )
    count = 0
    for row in conn.execution_options(yield_per=PAGE).execute(query):
        # A record not resolved yet (its job is queued) is, for now, a customer of its own.
        customer_id = row.customer_id or new_customer_id(row.record_key)
        writer.writerow([row.record_type, row.source, row.external_id, customer_id])
        count += 1
    return count


def iter_customers(conn: Connection) -> Iterator[dict[str, Any]]:
    """Live customers (not merged, not erased) in id order, each with its records."""
    after = ""
    while True:
        page = conn.execute(
            select(customers.c.id, customers.c.profile)
            .where(customers.c.id > after, customers.c.merged_into.is_(None), customers.c.deleted_at.is_(None))
            .order_by(customers.c.id)
            .limit(PAGE)
        ).all()
        if not page:
            return
        records = _records_of(conn, [row.id for row in page])
        for row in page:
            yield {**profile_fields(row.profile), "id": row.id, "records": records.get(row.id, [])}
        after = page[-1].id


def _records_of(conn: Connection, customer_ids: list[str]) -> dict[str, list[dict[str, str]]]:
    query = (
        select(
            identity_links.c.customer_id,
            source_records.c.record_type,
            source_records.c.source,
            source_records.c.external_id,
        )
        .join(source_records, source_records.c.id == identity_links.c.record_id)
        .where(identity_links.c.customer_id.in_(customer_ids))
        .order_by(source_records.c.record_key)
    )
    grouped: dict[str, list[dict[str, str]]] = {}
    for cid, record_type, source, external_id in conn.execute(query):
        grouped.setdefault(cid, []).append({"record_type": record_type, "source": source, "external_id": external_id})
    return grouped


def write_customers(conn: Connection, out: TextIO, fmt: str) -> int:
    """Customers as CSV (lists joined with `;`) or NDJSON; returns the count."""
    count = 0
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(CUSTOMER_COLUMNS)
    for customer in iter_customers(conn):
        if writer:
            writer.writerow([_cell(column, customer.get(column)) for column in CUSTOMER_COLUMNS])
        else:
            out.write(json.dumps(customer, ensure_ascii=False, default=str) + "\n")
        count += 1
    return count


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "handles" and isinstance(value, dict):
        return ";".join(f"{net}:{h}" for net, handles in value.items() for h in handles)
    if column == "records" and isinstance(value, list):
        return ";".join(f"{r['record_type']}:{r['source']}:{r['external_id']}" for r in value)
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)
