"""Exports: every profile and contact with a never-empty customer id; live customers page by page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update

from hub import export
from hub.db.database import Database, utcnow
from hub.db.tables import customers
from hub.export import CUSTOMER_COLUMNS, LINK_COLUMNS, write_customers, write_links
from hub.ingest.records import parse_record
from hub.ingest.service import IngestReport, IngestService
from hub.resolution import HubResolver, new_customer_id
from hub.settings import Settings
from identity.exact import ExactResolver


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database.for_settings(Settings(database_url=database_url))
    yield database
    database.dispose()


def ingest(database: Database, *raw: dict[str, Any], inline: bool = True) -> None:
    service = IngestService(database, HubResolver(ExactResolver()))
    service.ingest([parse_record(r) for r in raw], IngestReport(), inline=inline)


def person(i: int, **extra: Any) -> dict[str, Any]:
    return {"type": "contact", "system": "sf", "id": f"c{i}", "email": f"p{i}@example.com", **extra}


def links_csv(database: Database) -> list[dict[str, str]]:
    out = io.StringIO()
    with database.transaction() as conn:
        count = write_links(conn, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert out.getvalue().splitlines()[0] == ",".join(LINK_COLUMNS)
    assert count == len(rows)
    return rows


def customers_out(database: Database, fmt: str) -> str:
    out = io.StringIO()
    with database.transaction() as conn:
        write_customers(conn, out, fmt)
    return out.getvalue()


def test_links_cover_profiles_and_contacts_not_interactions(database: Database) -> None:
    ingest(
        database,
        {"type": "social_profile", "network": "TikTok", "id": "t1", "email": "p1@example.com"},
        person(1),
        {"type": "interaction", "network": "tiktok", "id": "v1", "profile_id": "t1"},
    )
    rows = links_csv(database)
    assert [(r["record_type"], r["source"], r["external_id"]) for r in rows] == [
        ("social_profile", "tiktok", "t1"),
        ("contact", "sf", "c1"),
    ]
    assert rows[0]["customer_id"] == rows[1]["customer_id"] != ""


def test_unresolved_records_have_their_own_stable_customer_id(database: Database) -> None:
    ingest(database, person(1), person(2), inline=False)
    rows = links_csv(database)
    assert [r["customer_id"] for r in rows] == [new_customer_id("contact:sf:c1"), new_customer_id("contact:sf:c2")]
    assert links_csv(database) == rows


def test_customers_csv_joins_lists_and_ndjson_keeps_structure(database: Database) -> None:
    ingest(
        database,
        person(1, phone="+351912345678"),
        {"type": "social_profile", "network": "x", "id": "x1", "handle": "@pp", "email": "p1@example.com"},
        {"type": "social_profile", "network": "threads", "id": "t1", "handle": "pp", "email": "P1@example.com "},
    )
    [row] = list(csv.DictReader(io.StringIO(customers_out(database, "csv"))))
    assert list(row) == CUSTOMER_COLUMNS
    assert row["handles"] == "threads:pp;x:pp"
    assert row["networks"] == "threads;x"
    assert row["records"] == "contact:sf:c1;social_profile:threads:t1;social_profile:x:x1"
    assert row["phone"] == "+351912345678"
    [customer] = [json.loads(line) for line in customers_out(database, "ndjson").splitlines()]
    assert customer["handles"] == {"threads": ["pp"], "x": ["pp"]}
    assert customer["id"] == row["id"]
    assert "provenance" not in customer


def test_merged_and_erased_customers_are_not_exported(database: Database) -> None:
    ingest(database, person(1), person(2), person(3))
    ids = [json.loads(line)["id"] for line in customers_out(database, "ndjson").splitlines()]
    with database.transaction() as conn:
        conn.execute(update(customers).where(customers.c.id == ids[0]).values(merged_into=ids[1]))
        conn.execute(update(customers).where(customers.c.id == ids[2]).values(deleted_at=utcnow()))
    remaining = [json.loads(line)["id"] for line in customers_out(database, "ndjson").splitlines()]
    assert remaining == [ids[1]]


def test_customers_are_exported_across_pages(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "PAGE", 2)
    ingest(database, *[person(i) for i in range(5)])
    lines = customers_out(database, "ndjson").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == 5 == len(set(ids))
    assert ids == sorted(ids)
    assert all(len(json.loads(line)["records"]) == 1 for line in lines)
