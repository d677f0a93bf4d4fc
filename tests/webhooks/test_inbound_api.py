"""Inbound routes: no API key, the provider's signature is the authentication; events are stored once,
acknowledged after the write, and processed from the queue (ingest records, or crm_change jobs).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from standardwebhooks import Webhook

from hub.api import create_app
from hub.db.database import Database, utcnow
from hub.db.tables import jobs, source_records
from hub.db.webhook_tables import inbound_events
from hub.jobs.worker import Worker
from hub.secrets import SecretBox
from hub.settings import Settings
from hub.webhooks_inbound import SourceError, upsert_inbound_source
from hub.webhooks_inbound_jobs import InboundProcessor
from tests.webhooks.helpers import SECRET
from tests.webhooks.test_inbound_verify import OUTBOUND_MESSAGE
from webhooks.inbound.hubspot import signature_v3

PUBLIC = "https://rapport.example.com"


@pytest.fixture
def client(settings: Settings, database: Database, box: SecretBox) -> Iterator[TestClient]:
    public = settings.model_copy(update={"public_url": PUBLIC})
    now = utcnow()
    with database.transaction() as conn:
        upsert_inbound_source(conn, box, name="listening-tool", kind="standard", secrets={"secret": SECRET}, now=now)
        upsert_inbound_source(conn, box, name="hubspot", kind="hubspot", secrets={"client_secret": "hs"}, now=now)
        upsert_inbound_source(
            conn, box, name="meta", kind="meta", secrets={"app_secret": "app", "verify_token": "tok"}, now=now
        )
        upsert_inbound_source(conn, box, name="x", kind="x", secrets={"consumer_secret": "cs"}, now=now)
        upsert_inbound_source(conn, box, name="li", kind="linkedin", secrets={"client_secret": "ls"}, now=now)
        upsert_inbound_source(
            conn, box, name="sf", kind="salesforce", secrets={"organization_id": "00D5e000000KQ2e"}, now=now
        )
    with TestClient(create_app(public, database), raise_server_exceptions=False) as test_client:
        yield test_client


def _signed(body: str, msg_id: str = "msg_in_1") -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(msg_id, now, body),
        "content-type": "application/json",
    }


def _process(database: Database, settings: Settings) -> None:
    Worker(database, {"inbound.process": InboundProcessor(database, settings)}).run_until_idle()


def test_signed_ingest_records_are_stored_once_and_ingested(
    client: TestClient, database: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    record = {"type": "social_profile", "network": "x", "id": "4242", "handle": "ada", "name": "Ada L"}
    body = json.dumps({"type": "profiles.found", "data": {"records": [record]}})

    first = client.post("/v1/inbound/listening-tool", content=body, headers=_signed(body))
    again = client.post("/v1/inbound/listening-tool", content=body, headers=_signed(body))
    with caplog.at_level(logging.WARNING):
        forged = client.post("/v1/inbound/listening-tool", content=body + " ", headers=_signed(body, "msg_in_2"))

    assert first.status_code == 200
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"
    assert forged.status_code == 401
    assert SECRET not in caplog.text and SECRET[6:] not in caplog.text
    assert "inbound webhook refused" in caplog.text
    _process(database, settings)
    with database.transaction() as conn:
        stored = conn.execute(select(inbound_events.c.status)).scalars().all()
        profiles = conn.execute(select(source_records.c.external_id)).scalars().all()
    assert stored == ["processed"]
    assert profiles == ["4242"]


def test_unknown_source_and_unsigned_requests_are_refused(client: TestClient) -> None:
    assert client.post("/v1/inbound/nobody", content=b"{}").status_code == 404
    assert client.post("/v1/inbound/listening-tool", content=b"{}").status_code == 400
    assert client.post("/v1/inbound/hubspot", content=b"[]").status_code == 401


def test_hubspot_changes_become_crm_change_jobs_signed_over_the_public_url(
    client: TestClient, database: Database, settings: Settings
) -> None:
    body = json.dumps(
        [
            {"eventId": 11, "subscriptionType": "contact.propertyChange", "objectId": 901},
            {"eventId": 12, "subscriptionType": "contact.creation", "objectId": 902},
        ]
    ).encode()
    stamp = str(int(time.time() * 1000))
    signature = signature_v3("hs", "POST", f"{PUBLIC}/v1/inbound/hubspot", body, stamp)
    headers = {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": stamp}

    assert client.post("/v1/inbound/hubspot", content=body, headers=headers).status_code == 200
    _process(database, settings)

    with database.transaction() as conn:
        payloads = conn.execute(select(jobs.c.payload).where(jobs.c.kind == "crm_change")).scalars().all()
    assert sorted(p["ids"][0] for p in payloads) == ["901", "902"]
    assert {(p["source"], p["object"]) for p in payloads} == {("hubspot", "contact")}


def test_meta_handshake_is_answered_synchronously(client: TestClient) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    answered = client.get("/v1/inbound/meta", params=params)
    assert (answered.status_code, answered.text) == (200, "1158201444")
    params["hub.verify_token"] = "wrong"
    assert client.get("/v1/inbound/meta", params=params).status_code == 403


def test_x_crc_and_linkedin_challenge_are_answered(client: TestClient) -> None:
    crc = client.get("/v1/inbound/x", params={"crc_token": "abc"})
    assert crc.status_code == 200 and crc.json()["response_token"].startswith("sha256=")
    challenge = client.get("/v1/inbound/linkedin", params={"challengeCode": "c0de"})
    expected = hmac.new(b"ls", b"c0de", hashlib.sha256).hexdigest()
    assert challenge.json() == {"challengeCode": "c0de", "challengeResponse": expected}
    assert client.get("/v1/inbound/listening-tool").status_code == 400


def test_meta_comment_becomes_an_interaction(client: TestClient, database: Database, settings: Settings) -> None:
    body = json.dumps(
        {
            "object": "instagram",
            "entry": [
                {
                    "id": "1",
                    "time": 1,
                    "changes": [
                        {
                            "field": "comments",
                            "value": {"from": {"id": "77", "username": "ada"}, "id": "c1", "text": "hi"},
                        }
                    ],
                }
            ],
        }
    ).encode()
    signature = "sha256=" + hmac.new(b"app", body, hashlib.sha256).hexdigest()
    assert client.post("/v1/inbound/meta", content=body, headers={"X-Hub-Signature-256": signature}).status_code == 200
    _process(database, settings)
    with database.transaction() as conn:
        keys = conn.execute(select(source_records.c.external_id)).scalars().all()
    assert "77" in keys


def test_salesforce_outbound_message_is_acked_even_when_resent(client: TestClient) -> None:
    headers = {"content-type": "text/xml; charset=utf-8", "SOAPAction": "notifications"}
    first = client.post("/v1/inbound/salesforce", content=OUTBOUND_MESSAGE, headers=headers)
    resent = client.post("/v1/inbound/sf", content=OUTBOUND_MESSAGE, headers=headers)
    assert first.status_code == resent.status_code == 200
    assert "<Ack>true</Ack>" in resent.text and resent.headers["content-type"].startswith("text/xml")


def test_source_definitions_are_checked(database: Database, box: SecretBox) -> None:
    with database.transaction() as conn, pytest.raises(SourceError, match="does not use"):
        upsert_inbound_source(conn, box, name="m", kind="meta", secrets={"client_secret": "x"}, now=utcnow())
    with database.transaction() as conn, pytest.raises(SourceError, match="unknown inbound source kind"):
        upsert_inbound_source(conn, box, name="m", kind="myspace", secrets={}, now=utcnow())
