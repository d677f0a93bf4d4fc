"""The webhook management API: auth required, problem+json errors, secrets shown once, deliveries, retry,
replay, rotation, and every event type documented in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from hub.api import create_app
from hub.db.database import Database, utcnow
from hub.jobs.worker import Worker
from hub.keys import create_key
from hub.settings import Settings
from hub.webhooks_jobs import webhook_handlers
from hub.webhooks_store import emit_event
from tests.webhooks.helpers import SECRET
from tests.webhooks.receiver import Receiver
from webhooks.events import EVENT_TYPES


@pytest.fixture
def client(settings: Settings, database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def auth(database: Database) -> Callable[[str], dict[str, str]]:
    with database.transaction() as conn:
        made = {scope: create_key(conn, scope, scope)[1] for scope in ("read", "admin")}
    return lambda scope: {"Authorization": f"Bearer {made[scope]}"}


def _deliver(database: Database, settings: Settings) -> None:
    Worker(database, webhook_handlers(database, settings)).run_until_idle()


def test_routes_need_a_key_and_admin_to_change(client: TestClient, auth: Callable[[str], dict[str, str]]) -> None:
    body = {"name": "n", "url": "https://example.com/h"}
    anonymous = client.post("/v1/webhook-endpoints", json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/webhook-deliveries").status_code == 401
    assert client.post("/v1/webhook-endpoints", json=body, headers=auth("read")).status_code == 403
    assert client.get("/v1/webhook-endpoints", headers=auth("read")).status_code == 200


def test_create_shows_a_generated_secret_once(client: TestClient, auth: Callable[[str], dict[str, str]]) -> None:
    created = client.post(
        "/v1/webhook-endpoints", json={"name": "n", "url": "https://example.com/h"}, headers=auth("admin")
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    listed = client.get("/v1/webhook-endpoints", headers=auth("read")).text
    assert secret not in listed
    assert secret not in client.get(f"/v1/webhook-endpoints/{created.json()['id']}", headers=auth("read")).text
    duplicate = client.post("/v1/webhook-endpoints", json={"name": "n", "url": "https://x.org"}, headers=auth("admin"))
    assert duplicate.status_code == 409


def test_bad_definitions_are_problems_without_the_secret(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    bad = client.post(
        "/v1/webhook-endpoints",
        json={"name": "n", "url": "https://example.com", "events": ["nope"], "secret": SECRET},
        headers=auth("admin"),
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert "nope" in bad.json()["detail"] and SECRET not in bad.text
    assert client.get("/v1/webhook-endpoints/ep_x", headers=auth("read")).status_code == 404


def test_deliveries_retry_rotate_and_replay(
    client: TestClient,
    auth: Callable[[str], dict[str, str]],
    database: Database,
    settings: Settings,
    receiver: Receiver,
) -> None:
    body = {"name": "n", "url": receiver.url, "events": ["customer.deleted"], "secret": SECRET}
    endpoint_id = client.post("/v1/webhook-endpoints", json=body, headers=auth("admin")).json()["id"]
    started = utcnow()
    with database.transaction() as conn:
        msg_id = emit_event(conn, "customer.deleted", {"customer_id": "cus_1"}, now=utcnow())
    receiver.answer((500, {}, b"down"))
    _deliver(database, settings)

    query = {"endpoint_id": endpoint_id, "status": "pending", "since": started.isoformat()}
    page = client.get("/v1/webhook-deliveries", params=query, headers=auth("read"))
    [delivery] = page.json()["data"]
    assert (delivery["message_id"], delivery["last_status_code"]) == (msg_id, 500)
    detail = client.get(f"/v1/webhook-deliveries/{delivery['id']}", headers=auth("read")).json()
    assert detail["attempt_log"][0]["response_body"] == "down"

    receiver.answer((200, {}, b"ok"))
    assert client.post(f"/v1/webhook-deliveries/{delivery['id']}/retry", headers=auth("admin")).status_code == 202
    _deliver(database, settings)
    assert client.get(f"/v1/webhook-deliveries/{delivery['id']}", headers=auth("read")).json()["status"] == "succeeded"

    rotated = client.post(f"/v1/webhook-endpoints/{endpoint_id}/rotate-secret", headers=auth("admin")).json()
    replayed = client.post(
        f"/v1/webhook-endpoints/{endpoint_id}/replay", json={"since": started.isoformat()}, headers=auth("admin")
    )
    assert replayed.status_code == 202 and replayed.json() == {"queued": 1, "next_since": None}
    _deliver(database, settings)
    last = receiver.requests[-1]
    assert last.headers["webhook-id"] == msg_id
    Webhook(rotated["secret"]).verify(last.body, last.headers)
    Webhook(SECRET).verify(last.body, last.headers)


def test_disable_and_enable_through_patch(client: TestClient, auth: Callable[[str], dict[str, str]]) -> None:
    created = client.post(
        "/v1/webhook-endpoints", json={"name": "n", "url": "https://example.com/h"}, headers=auth("admin")
    ).json()
    patched = client.patch(f"/v1/webhook-endpoints/{created['id']}", json={"enabled": False}, headers=auth("admin"))
    assert patched.json()["enabled"] is False
    refused = client.post(
        f"/v1/webhook-endpoints/{created['id']}/replay", json={"since": "2026-01-01T00:00:00Z"}, headers=auth("admin")
    )
    assert refused.status_code == 409
    assert client.delete(f"/v1/webhook-endpoints/{created['id']}", headers=auth("admin")).status_code == 204


def test_every_event_type_has_a_schema_in_the_openapi_document(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert set(document["webhooks"]) == set(EVENT_TYPES)
    assert "CustomerMergedEvent" in document["components"]["schemas"]
