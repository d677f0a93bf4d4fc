"""GET /v1/customers (pages, filters) and /v1/customers/{id} (profile, sources, merged ids, unknown ids)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from hub.db.database import Database, utcnow
from hub.db.tables import customers

Auth = Callable[[str], dict[str, str]]
Ingest = Callable[..., None]
ADA_X = {"type": "social_profile", "network": "x", "id": "100", "handle": "@Ada", "email": "ada@example.com"}
ADA_ERP = {"type": "contact", "system": "erp", "id": "C-1", "first_name": "Ada", "email": "ADA@example.com"}
BOB = {"type": "contact", "system": "erp", "id": "C-2", "first_name": "Bob", "phone": "+44 20 7946 0958"}


def people(n: int) -> list[dict[str, str]]:
    return [{"type": "contact", "system": "crm", "id": f"P{i}", "email": f"p{i}@example.com"} for i in range(n)]


def test_customer_has_unified_fields_and_sources(client: TestClient, auth: Auth, ingest: Ingest) -> None:
    ingest(ADA_X, ADA_ERP, BOB)
    data = client.get("/v1/customers", headers=auth("read")).json()["data"]
    assert len(data) == 2
    ada = next(c for c in data if c["first_name"] == "Ada")
    assert ada["email"] == "ada@example.com"
    assert ada["handles"] == {"x": ["Ada"]}
    assert "provenance" not in ada
    assert [(s["record_type"], s["source"], s["external_id"]) for s in ada["sources"]] == [
        ("contact", "erp", "C-1"),
        ("social_profile", "x", "100"),
    ]
    assert {"first_seen_at", "last_seen_at"} <= set(ada["sources"][0])
    one = client.get(f"/v1/customers/{ada['id']}", headers=auth("read"))
    assert one.status_code == 200
    assert one.json() == ada


def test_pages_follow_the_cursor_without_gaps_or_repeats(client: TestClient, auth: Auth, ingest: Ingest) -> None:
    ingest(*people(7))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = client.get("/v1/customers", params=params, headers=auth("read")).json()
        seen += [c["id"] for c in body["data"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == 7
    assert seen == sorted(set(seen))


def test_exact_page_has_no_next_cursor(client: TestClient, auth: Auth, ingest: Ingest) -> None:
    ingest(*people(3))
    body = client.get("/v1/customers", params={"limit": 3}, headers=auth("read")).json()
    assert len(body["data"]) == 3
    assert body["next_cursor"] is None


def test_bad_paging_parameters_are_problems(client: TestClient, auth: Auth) -> None:
    for params in ({"limit": 0}, {"limit": 501}, {"limit": "ten"}):
        response = client.get("/v1/customers", params=params, headers=auth("read"))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert "limit" in response.json()["detail"]
    response = client.get("/v1/customers", params={"cursor": "garbage!"}, headers=auth("read"))
    assert response.status_code == 400
    assert "cursor" in response.json()["detail"]


def test_filters_by_email_and_handle(client: TestClient, auth: Auth, ingest: Ingest) -> None:
    ingest(ADA_X, ADA_ERP, BOB)

    def ids(**params: str) -> list[str]:
        response = client.get("/v1/customers", params=params, headers=auth("read"))
        assert response.status_code == 200, response.text
        return [c["first_name"] for c in response.json()["data"]]

    assert ids(email="Ada@Example.com") == ["Ada"]
    assert ids(network="X", handle="ada") == ["Ada"]
    assert ids(network="x", handle="@ADA") == ["Ada"]
    assert ids(network="instagram", handle="ada") == []
    assert ids(email="nobody@example.com") == []
    response = client.get("/v1/customers", params={"network": "x"}, headers=auth("read"))
    assert response.status_code == 400


def test_merged_customer_redirects_to_the_survivor(
    client: TestClient, auth: Auth, ingest: Ingest, database: Database
) -> None:
    ada_phone = {**BOB, "system": "shop", "first_name": "Ada"}  # Ada again, known only by her phone
    ingest(ADA_ERP, ada_phone)
    bridge = {"type": "contact", "system": "crm", "id": "Z", "first_name": "Ada", "email": "ada@example.com",
              "phone": BOB["phone"]}  # fmt: skip
    ingest(bridge)
    with database.transaction() as conn:
        absorbed, survivor = conn.execute(
            select(customers.c.id, customers.c.merged_into).where(customers.c.merged_into.is_not(None))
        ).one()
    listed = [c["id"] for c in client.get("/v1/customers", headers=auth("read")).json()["data"]]
    assert listed == [survivor]
    response = client.get(f"/v1/customers/{absorbed}", headers=auth("read"), follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == f"/v1/customers/{survivor}"
    followed = client.get(f"/v1/customers/{absorbed}", headers=auth("read"))
    assert followed.status_code == 200
    assert followed.json()["id"] == survivor
    assert len(followed.json()["sources"]) == 3


def test_unknown_and_deleted_customers_are_404(
    client: TestClient, auth: Auth, ingest: Ingest, database: Database
) -> None:
    response = client.get("/v1/customers/cus_nobody", headers=auth("read"))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["instance"] == "/v1/customers/cus_nobody"
    ingest(BOB)
    [bob] = client.get("/v1/customers", headers=auth("read")).json()["data"]
    with database.transaction() as conn:
        conn.execute(update(customers).where(customers.c.id == bob["id"]).values(deleted_at=utcnow()))
    assert client.get(f"/v1/customers/{bob['id']}", headers=auth("read")).status_code == 404
    assert client.get("/v1/customers", headers=auth("read")).json()["data"] == []
