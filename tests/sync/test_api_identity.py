"""Explain, timeline, split (never re-merges), manual merge and the review queue through the HTTP API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import insert

from hub.api.app import create_app
from hub.db.database import utcnow
from hub.db.tables import review_items
from hub.ingest.records import parse_record
from hub.ingest.service import IngestReport
from hub.keys import create_key
from hub.runtime import Runtime

IG = {"type": "social_profile", "network": "instagram", "id": "ig1", "handle": "ana.k", "email": "ana@example.si",
      "name": "Ana Kovačič"}  # fmt: skip
CRM = {"type": "contact", "system": "salesforce", "id": "003A", "first_name": "Ana", "last_name": "Kovacic",
       "email": "ANA@example.si"}  # fmt: skip
POST = {"type": "interaction", "network": "instagram", "id": "p1", "profile_id": "ig1", "kind": "post", "text": "hi",
        "created_at": "2026-10-01T10:00:00Z"}  # fmt: skip
OTHER = {
    "type": "contact",
    "system": "hubspot",
    "id": "h9",
    "first_name": "Bo",
    "last_name": "Li",
    "email": "bo@example.cn",
}


def _setup(runtime: Runtime) -> tuple[TestClient, dict[str, str]]:
    runtime.ingest.ingest([parse_record(r) for r in (IG, CRM, POST, OTHER)], IngestReport(), inline=True)
    with runtime.database.transaction() as conn:
        _info, key = create_key(conn, scope="admin", name="t", now=utcnow())
    return TestClient(create_app(runtime.settings, runtime=runtime)), {"Authorization": f"Bearer {key}"}


def _id_of(client: TestClient, auth: dict[str, str], email: str) -> str:
    return str(client.get("/v1/customers", params={"email": email}, headers=auth).json()["data"][0]["id"])


def test_explain_names_the_evidence_and_timeline_lists_history(runtime: Runtime) -> None:
    client, auth = _setup(runtime)
    ana = _id_of(client, auth, "ana@example.si")
    explained = client.get(f"/v1/customers/{ana}/explain", headers=auth).json()["records"]
    assert {r["record"] for r in explained} == {"social_profile:instagram:ig1", "contact:salesforce:003A"}
    joined = [r for r in explained if r["matched"]]
    assert joined
    assert all(r["rule"] and r["evidence"] for r in joined)
    history = client.get(f"/v1/customers/{ana}/timeline", headers=auth).json()["data"]
    assert [h["id"] for h in history] == ["instagram:p1"]


def test_split_records_never_re_merge(runtime: Runtime) -> None:
    client, auth = _setup(runtime)
    ana = _id_of(client, auth, "ana@example.si")
    answer = client.post(f"/v1/customers/{ana}/split", headers=auth, json={"records": ["contact:salesforce:003A"]})
    assert answer.status_code == 200
    new_id = answer.json()["new_customer_id"]
    runtime.ingest.ingest(
        [parse_record({**CRM, "title": "changed"}), parse_record({**IG, "bio": "new"})], IngestReport(), inline=True
    )
    records = {r["record"] for r in client.get(f"/v1/customers/{new_id}/explain", headers=auth).json()["records"]}
    assert records == {"contact:salesforce:003A"}
    refused = client.post(
        f"/v1/customers/{ana}/split", headers=auth, json={"records": ["social_profile:instagram:ig1"]}
    )
    assert refused.status_code == 409  # a split keeps at least one record
    history = client.get(f"/v1/customers/{ana}/history", headers=auth).json()["data"]
    assert any(h["kind"] == "customer.split" for h in history)


def test_manual_merge_and_review_queue(runtime: Runtime) -> None:
    client, auth = _setup(runtime)
    ana, bo = _id_of(client, auth, "ana@example.si"), _id_of(client, auth, "bo@example.cn")
    merged = client.post("/v1/customers/merge", headers=auth, json={"ids": [ana, bo]})
    assert merged.status_code == 200
    assert client.get(f"/v1/customers/{bo}", headers=auth, follow_redirects=False).status_code == 308
    with runtime.database.transaction() as conn:
        item = {"record_key": "contact:hubspot:h9", "candidates": [ana], "reason": "ambiguous", "score": 3.0,
                "evidence": {}, "status": "open", "created_at": utcnow()}  # fmt: skip
        conn.execute(insert(review_items).values(**item))
    queue = client.get("/v1/review", headers=auth).json()["data"]
    assert [q["record_key"] for q in queue] == ["contact:hubspot:h9"]
    rejected = client.post(f"/v1/review/{queue[0]['id']}/reject", headers=auth)
    assert rejected.status_code == 200
    assert client.get("/v1/review", headers=auth).json()["data"] == []
    assert client.post(f"/v1/review/{queue[0]['id']}/accept", headers=auth).status_code == 409
