"""POST /v1/records: per-item validation, 202/422/413, problem+json for bodies that are not a batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hub.api.limits import max_body_bytes
from hub.db.database import Database
from hub.db.tables import jobs, source_records

Auth = Callable[[str], dict[str, str]]
GOOD = [
    {"type": "social_profile", "network": "x", "id": "100", "handle": "ada", "email": "ada@example.com"},
    {"type": "contact", "system": "erp", "id": "C-1", "first_name": "Ada", "email": "ADA@example.com"},
]


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    assert body["instance"] == "/v1/records"
    assert "Traceback" not in response.text
    return body


def test_mixed_batch_is_202_with_indexed_errors(client: TestClient, auth: Auth, database: Database) -> None:
    batch = [GOOD[0], {"type": "contact", "system": "erp"}, GOOD[1], "text", {"type": "robot", "id": "1"}]
    response = client.post("/v1/records", json={"records": batch}, headers=auth("write"))
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 2
    assert [e["index"] for e in body["errors"]] == [1, 3, 4]
    assert "missing 'id'" in body["errors"][0]["reason"]
    assert "unknown type" in body["errors"][2]["reason"]
    with database.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(source_records)).scalar_one() == 2
        assert conn.execute(select(jobs.c.kind, jobs.c.status)).all() == [("resolve", "queued")]


def test_all_bad_is_422_with_the_errors(client: TestClient, auth: Auth, database: Database) -> None:
    batch = [{"type": "contact"}, {"type": "interaction", "network": "x", "id": "1", "sentiment": 4}]
    body = assert_problem(client.post("/v1/records", json={"records": batch}, headers=auth("write")), 422)
    assert [e["index"] for e in body["errors"]] == [0, 1]
    assert "sentiment" in body["errors"][1]["reason"]
    with database.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(jobs)).scalar_one() == 0


def test_empty_batch_is_422(client: TestClient, auth: Auth) -> None:
    body = assert_problem(client.post("/v1/records", json={"records": []}, headers=auth("write")), 422)
    assert "empty" in body["detail"]


def test_over_the_limit_is_413(client: TestClient, auth: Auth, database: Database) -> None:
    batch = [dict(GOOD[1], id=str(i)) for i in range(6)]  # the test app allows 5
    body = assert_problem(client.post("/v1/records", json={"records": batch}, headers=auth("write")), 413)
    assert "at most 5" in body["detail"]
    with database.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(source_records)).scalar_one() == 0


def test_body_that_is_not_json_is_400(client: TestClient, auth: Auth) -> None:
    headers = auth("write") | {"Content-Type": "application/json"}
    body = assert_problem(client.post("/v1/records", content=b'{"records": [', headers=headers), 400)
    assert "not valid JSON" in body["detail"]


def test_body_without_a_records_list_is_422(client: TestClient, auth: Auth) -> None:
    missing = assert_problem(client.post("/v1/records", json={"rows": []}, headers=auth("write")), 422)
    assert "records" in missing["detail"]
    not_list = assert_problem(client.post("/v1/records", json={"records": {}}, headers=auth("write")), 422)
    assert "must be a list" in not_list["detail"]
    array = assert_problem(client.post("/v1/records", json=[GOOD[0]], headers=auth("write")), 422)
    assert '{"records": [...]}' in array["detail"]
    no_body = assert_problem(client.post("/v1/records", headers=auth("write")), 422)
    assert '{"records": [...]}' in no_body["detail"]


def test_reingesting_a_record_updates_it(
    client: TestClient, auth: Auth, database: Database, run_jobs: Callable[[], int]
) -> None:
    for name in ("Ada", "Ada L."):
        record = dict(GOOD[1], first_name=name)
        assert client.post("/v1/records", json={"records": [record]}, headers=auth("write")).status_code == 202
    assert run_jobs() == 2
    response = client.get("/v1/customers", headers=auth("read"))
    [customer] = response.json()["data"]
    assert customer["first_name"] == "Ada L."


def test_oversized_body_is_413_before_parsing(client: TestClient, auth: Auth) -> None:
    limit = max_body_bytes(client.app.state.rapport.settings)  # type: ignore[attr-defined]
    padding = "x" * (limit + 1)
    declared = client.post("/v1/records", json={"records": [{"bio": padding}]}, headers=auth("write"))
    assert_problem(declared, 413)

    def chunks() -> Iterator[bytes]:
        yield b'{"records": [{"bio": "'
        yield padding.encode()
        yield b'"}]}'

    streamed = client.post("/v1/records", content=chunks(), headers=auth("write"))
    assert_problem(streamed, 413)
