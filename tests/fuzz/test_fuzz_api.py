"""Fuzzing the API's public inputs: `POST /v1/records` bodies and inbound webhook bodies. No 500; every
accepted record is stored (none lost), every refused one is reported by index; a verified inbound event is
processed from the queue without an unexpected error."""

from __future__ import annotations

import itertools
import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from standardwebhooks import Webhook

from hub.api import create_app
from hub.db.database import Database, utcnow
from hub.db.tables import jobs
from hub.jobs.worker import Worker
from hub.keys import create_key
from hub.runtime import Runtime
from hub.secrets import SecretBox
from hub.settings import Settings
from hub.webhooks_inbound import upsert_inbound_source
from tests.fuzz.test_fuzz_parsers import json_values, record_like

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

API_FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SOURCES = ["listening-tool", "hubspot", "meta", "x", "li", "sf", "unknown-source"]


@pytest.fixture
def app_env(database_url: str) -> Iterator[tuple[TestClient, Database, Runtime, dict[str, str]]]:
    settings_ = Settings(database_url=database_url, secret_key="fuzz-key", public_url="https://rapport.example.com")
    database = Database.for_settings(settings_)
    box = SecretBox.from_settings(settings_)
    now = utcnow()
    with database.transaction() as conn:
        key = create_key(conn, "admin", "fuzz")[1]
        upsert_inbound_source(conn, box, name="listening-tool", kind="standard", secrets={"secret": SECRET}, now=now)
        upsert_inbound_source(conn, box, name="hubspot", kind="hubspot", secrets={"client_secret": "hs"}, now=now)
        upsert_inbound_source(
            conn, box, name="meta", kind="meta", secrets={"app_secret": "app", "verify_token": "tok"}, now=now
        )
        upsert_inbound_source(conn, box, name="x", kind="x", secrets={"consumer_secret": "cs"}, now=now)
        upsert_inbound_source(conn, box, name="li", kind="linkedin", secrets={"client_secret": "ls"}, now=now)
        upsert_inbound_source(
            conn, box, name="sf", kind="salesforce", secrets={"organization_id": "00D5e0000"}, now=now
        )
    runtime = Runtime(settings_, database)
    with TestClient(create_app(settings_, runtime=runtime), raise_server_exceptions=False) as client:
        yield client, database, runtime, {"Authorization": f"Bearer {key}"}
    database.dispose()


def stored_records(client: TestClient, headers: dict[str, str]) -> int:
    response = client.get("/v1/stats", headers=headers)
    assert response.status_code == 200
    return int(response.json()["records"])


def test_record_batches_are_stored_or_refused_item_by_item(app_env: Any) -> None:
    client, _database, _runtime, headers = app_env
    ids = itertools.count()

    @API_FUZZ
    @given(st.lists(record_like() | json_values, max_size=6))
    def check(items: list[Any]) -> None:
        for item in items:  # unique ids: every accepted record is a new one, so the count shows any loss
            if isinstance(item, dict) and "id" in item:
                item["id"] = f"fuzz-{next(ids)}"
        before = stored_records(client, headers)
        response = client.post("/v1/records", json={"records": items}, headers=headers)
        assert response.status_code in (202, 422), response.text
        body = response.json()
        refused = body["errors"] if response.status_code == 202 else body.get("errors", [])
        accepted = body["accepted"] if response.status_code == 202 else 0
        assert accepted + len(refused) == len(items)
        assert sorted({e["index"] for e in refused}) == sorted(e["index"] for e in refused)
        assert stored_records(client, headers) == before + accepted

    check()


def test_any_body_posted_as_json_is_answered_without_a_server_error(app_env: Any) -> None:
    client, _database, _runtime, headers = app_env

    @API_FUZZ
    @given(
        json_values, st.sampled_from(["/v1/records", "/v1/customers/merge", "/v1/connections", "/v1/review/1/accept"])
    )
    def check(body: Any, path: str) -> None:
        assert client.post(path, json=body, headers=headers).status_code < 500

    check()


def sign_standard(body: bytes, msg_id: str) -> dict[str, str]:
    """Standard Webhooks headers for `body` (UTF-8 text only; other bytes go unsigned)."""
    now = datetime.now(UTC)
    try:
        signature = Webhook(SECRET).sign(msg_id, now, body.decode())
    except UnicodeDecodeError:
        return {}
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature}


BODIES = st.binary(max_size=300) | json_values.map(lambda value: json.dumps(value).encode())
CRASHES = ("KeyError", "TypeError", "AttributeError", "IndexError", "AssertionError", "UnboundLocalError")


def test_inbound_bodies_are_verified_stored_and_processed_without_crashing(app_env: Any) -> None:
    client, database, runtime, _headers = app_env
    worker = Worker(database, runtime.handlers())
    counter = itertools.count()

    @API_FUZZ
    @given(BODIES, st.sampled_from(SOURCES), st.booleans())
    def check(body: bytes, source: str, sign: bool) -> None:
        headers = {"content-type": "application/json"}
        if sign and source == "listening-tool":
            headers |= sign_standard(body, f"msg_fuzz_{next(counter)}")
        response = client.post(f"/v1/inbound/{source}", content=body, headers=headers)
        assert response.status_code < 500, response.text
        worker.run_until_idle()

    check()
    with database.transaction() as conn:
        errors = conn.execute(select(jobs.c.kind, jobs.c.last_error).where(jobs.c.last_error.is_not(None))).all()
    assert [e for e in errors if e.last_error.startswith(CRASHES)] == []  # refusals are typed, never crashes
