"""Every /v1 route needs a bearer key; scopes: read (GET), write (+ POST /v1/records), admin (everything)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from hub.db.database import Database
from hub.keys import list_keys, revoke_key

RECORD = {"type": "contact", "system": "erp", "id": "1", "email": "ada@example.com"}


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_missing_key_is_401(client: TestClient) -> None:
    for path in ("/v1/customers", "/v1/stats", "/v1/customers/cus_x"):
        assert_unauthorized(client.get(path))
    assert_unauthorized(client.post("/v1/records", json={"records": [RECORD]}))


def test_unknown_or_malformed_key_is_401(client: TestClient) -> None:
    assert_unauthorized(client.get("/v1/stats", headers={"Authorization": "Bearer rpk_madeup"}))
    assert_unauthorized(client.get("/v1/stats", headers={"Authorization": "Basic dXNlcjpwYXNz"}))


def test_revoked_key_is_401(client: TestClient, database: Database, auth: Callable[[str], dict[str, str]]) -> None:
    assert client.get("/v1/stats", headers=auth("read")).status_code == 200
    with database.transaction() as conn:
        read_key = next(k for k in list_keys(conn) if k.scope == "read")
        revoke_key(conn, read_key.id)
    assert_unauthorized(client.get("/v1/stats", headers=auth("read")))


def test_read_key_cannot_post_records(client: TestClient, auth: Callable[[str], dict[str, str]]) -> None:
    response = client.post("/v1/records", json={"records": [RECORD]}, headers=auth("read"))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "scope 'write'" in response.json()["detail"]


def test_scopes_cover_the_ones_below(client: TestClient, auth: Callable[[str], dict[str, str]]) -> None:
    for scope in ("read", "write", "admin"):
        assert client.get("/v1/customers", headers=auth(scope)).status_code == 200
    for scope in ("write", "admin"):
        response = client.post("/v1/records", json={"records": [RECORD]}, headers=auth(scope))
        assert response.status_code == 202


def test_key_never_appears_in_logs(
    client: TestClient, auth: Callable[[str], dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = auth("write")
    client.post("/v1/records", json={"records": [RECORD, {"type": "?"}]}, headers=headers)
    client.get("/v1/stats", headers={"Authorization": "Bearer rpk_wrong"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "1 accepted" in logged
    assert headers["Authorization"].split()[1] not in logged
    assert "rpk_wrong" not in logged
    assert "ada@example.com" not in logged
