"""Provider verification on raw bytes, with the providers' documented algorithms (and vectors where given)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest
from hubspot.utils.signature import Signature
from standardwebhooks import Webhook

from webhooks.inbound import hubspot, linkedin, meta, salesforce, standard, tiktok, x
from webhooks.inbound.base import InboundRequest, Rejected

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _request(body: bytes = b"", headers: dict[str, str] | None = None, **query: str) -> InboundRequest:
    url = "https://hub.example.com/v1/inbound/src"
    return InboundRequest("POST", url, {k.lower(): v for k, v in (headers or {}).items()}, query, body)


def _query(params: dict[str, str]) -> InboundRequest:
    return InboundRequest("GET", "https://hub.example.com/v1/inbound/src", {}, params, b"")


def test_standard_webhooks_specification_example_verifies() -> None:
    body = b'{"test": 2432232314}'
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    now = datetime.fromtimestamp(1614265330, UTC)
    verified = standard.verify(_request(body, headers), {"secret": SPEC_SECRET}, now)
    assert [e.event_id for e in verified.events] == ["msg_p5jXN8AQM9LWM0D4loKWxJek"]


def test_standard_webhooks_refuses_bad_signature_and_stale_timestamp() -> None:
    now = datetime.now(UTC)
    body = '{"type":"x"}'
    signature = Webhook(SPEC_SECRET).sign("msg_1", now, body)
    good = {"webhook-id": "msg_1", "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature}
    standard.verify(_request(body.encode(), good), {"secret": SPEC_SECRET}, now)
    with pytest.raises(Rejected) as bad:
        standard.verify(_request(b'{"type":"y"}', good), {"secret": SPEC_SECRET}, now)
    assert bad.value.status == 401
    stale = datetime.fromtimestamp(now.timestamp() + 301, UTC)
    with pytest.raises(Rejected, match="5-minute"):
        standard.verify(_request(body.encode(), good), {"secret": SPEC_SECRET}, stale)
    with pytest.raises(Rejected) as missing:
        standard.verify(_request(body.encode(), {}), {"secret": SPEC_SECRET}, now)
    assert missing.value.status == 400


def test_hubspot_v3_matches_the_official_client_utility() -> None:
    secret, body = "hs-client-secret", b'[{"eventId":1,"subscriptionType":"contact.propertyChange","objectId":7}]'
    stamp = str(int(time.time() * 1000))
    url = "https://hub.example.com/v1/inbound/hubspot?portal=%3A1"
    expected = Signature.get_signature(
        secret, body.decode(), "v3", "https://hub.example.com/v1/inbound/hubspot?portal=:1", "POST", stamp
    )
    assert hubspot.signature_v3(secret, "POST", url, body, stamp) == expected
    request = InboundRequest(
        "POST", url, {"x-hubspot-signature-v3": expected, "x-hubspot-request-timestamp": stamp}, {}, body
    )
    verified = hubspot.verify(request, {"client_secret": secret}, datetime.now(UTC))
    assert Signature.is_valid(expected, secret, body.decode(), request.url.replace("%3A", ":"), "POST", "v3", stamp)
    assert [e.event_id for e in verified.events] == ["1"]
    assert hubspot.interpret(verified.events[0].payload).changes == [("contact", ["7"])]


def test_hubspot_refuses_an_old_timestamp_even_when_signed() -> None:
    secret, body = "s", b"[]"
    stamp = str(int((time.time() - 301) * 1000))
    signature = hubspot.signature_v3(secret, "POST", "https://h/x", body, stamp)
    request = InboundRequest(
        "POST", "https://h/x", {"x-hubspot-signature-v3": signature, "x-hubspot-request-timestamp": stamp}, {}, body
    )
    with pytest.raises(Rejected) as refused:
        hubspot.verify(request, {"client_secret": secret}, datetime.now(UTC))
    assert refused.value.status == 401


def test_meta_handshake_and_signature() -> None:
    secrets = {"app_secret": "app-secret", "verify_token": "tok"}
    handshake = _query({"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"})
    reply = meta.handshake(handshake, secrets)
    assert reply is not None and (reply.status, reply.body) == (200, "1158201444")
    with pytest.raises(Rejected) as wrong:
        meta.handshake(_query({"hub.mode": "subscribe", "hub.verify_token": "no", "hub.challenge": "1"}), secrets)
    assert wrong.value.status == 403

    body = json.dumps(
        {
            "object": "instagram",
            "entry": [
                {
                    "id": "17841",
                    "time": 1,
                    "changes": [
                        {
                            "field": "comments",
                            "value": {"from": {"id": "2323", "username": "ada"}, "id": "1786", "text": "love it"},
                        }
                    ],
                }
            ],
        }
    ).encode()
    signature = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    verified = meta.verify(_request(body, {"X-Hub-Signature-256": signature}), secrets, datetime.now(UTC))
    records = meta.interpret(verified.events[0].payload).records
    assert [(r["type"], r["id"]) for r in records] == [("social_profile", "2323"), ("interaction", "1786")]
    with pytest.raises(Rejected):
        meta.verify(_request(body + b" ", {"X-Hub-Signature-256": signature}), secrets, datetime.now(UTC))


def test_x_crc_and_signature() -> None:
    secret = "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"  # X's documented example consumer secret
    token = "9b4507b3-9040-4669-9ca3-6b94edb50553"
    reply = x.handshake(_request(crc_token=token), {"consumer_secret": secret})
    digest = base64.b64encode(hmac.new(secret.encode(), token.encode(), hashlib.sha256).digest()).decode()
    assert reply is not None and json.loads(reply.body) == {"response_token": f"sha256={digest}"}

    body = json.dumps(
        {
            "for_user_id": "1",
            "tweet_create_events": [
                {"id_str": "99", "text": "@brand hi", "user": {"id_str": "42", "screen_name": "ada"}}
            ],
        }
    ).encode()
    header = "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    verified = x.verify(
        _request(body, {"x-twitter-webhooks-signature": header}), {"consumer_secret": secret}, datetime.now(UTC)
    )
    kinds = [(r["type"], r.get("kind")) for r in x.interpret(verified.events[0].payload).records]
    assert kinds == [("social_profile", None), ("interaction", "mention")]


def test_linkedin_challenge_and_signature() -> None:
    secrets = {"client_secret": "li-secret"}
    reply = linkedin.handshake(_request(challengeCode="890e4665-4dfe-4ab1-b689-ed553ceffc9b"), secrets)
    expected = hmac.new(b"li-secret", b"890e4665-4dfe-4ab1-b689-ed553ceffc9b", hashlib.sha256).hexdigest()
    assert reply is not None and json.loads(reply.body)["challengeResponse"] == expected

    body = json.dumps(
        {
            "type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS",
            "notifications": [
                {
                    "notificationId": 7,
                    "action": "COMMENT",
                    "actor": "urn:li:person:abc",
                    "generatedActivity": "urn:li:comment:1",
                }
            ],
        }
    ).encode()
    signature = hmac.new(b"li-secret", body, hashlib.sha256).hexdigest()
    verified = linkedin.verify(_request(body, {"X-LI-Signature": signature}), secrets, datetime.now(UTC))
    assert [e.event_id for e in verified.events] == ["7"]
    assert linkedin.interpret(verified.events[0].payload).records[0]["kind"] == "comment"


def test_tiktok_signature_with_window() -> None:
    body = b'{"client_key":"k","event":"authorization.removed","create_time":1633174587}'
    now = datetime.now(UTC)
    stamp = str(int(now.timestamp()))
    signature = hmac.new(b"tt-secret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    request = _request(body, {"TikTok-Signature": f"t={stamp},s={signature}"})
    assert len(tiktok.verify(request, {"client_secret": "tt-secret"}, now).events) == 1
    later = datetime.fromtimestamp(now.timestamp() + 600, UTC)
    with pytest.raises(Rejected, match="5-minute"):
        tiktok.verify(request, {"client_secret": "tt-secret"}, later)


OUTBOUND_MESSAGE = b"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5e000000KQ2eEAG</OrganizationId>
   <ActionId>04k5e000000CaRkAAK</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://x.my.salesforce.com/services/Soap/c/59.0/00D5e000000KQ2e</EnterpriseUrl>
   <PartnerUrl>https://x.my.salesforce.com/services/Soap/u/59.0/00D5e000000KQ2e</PartnerUrl>
   <Notification>
    <Id>04l5e00000Gx7QzAAJ</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0035e00000ZkM3hAAF</sf:Id>
     <sf:Email>ada@example.com</sf:Email>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"""


def test_salesforce_outbound_message_checks_the_organisation_and_acks() -> None:
    verified = salesforce.verify(_request(OUTBOUND_MESSAGE), {"organization_id": "00D5e000000KQ2e"}, datetime.now(UTC))
    assert [e.event_id for e in verified.events] == ["04l5e00000Gx7QzAAJ"]
    assert "<Ack>true</Ack>" in verified.ack.body
    assert salesforce.interpret(verified.events[0].payload).changes == [("contact", ["0035e00000ZkM3hAAF"])]
    with pytest.raises(Rejected) as other:
        salesforce.verify(_request(OUTBOUND_MESSAGE), {"organization_id": "00D000000000001"}, datetime.now(UTC))
    assert other.value.status == 403
    with pytest.raises(Rejected, match="DTD"):
        salesforce.verify(
            _request(b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'), {"organization_id": "00D"}, datetime.now(UTC)
        )


def test_salesforce_change_events_must_be_signed() -> None:
    event = {
        "data": {
            "payload": {
                "ChangeEventHeader": {
                    "entityName": "Lead",
                    "recordIds": ["00Q1"],
                    "changeType": "UPDATE",
                    "transactionKey": "tk-1",
                    "sequenceNumber": 1,
                }
            },
            "event": {"replayId": 5},
        }
    }
    body = json.dumps(event)
    now = datetime.now(UTC)
    headers = {
        "webhook-id": "msg_sf",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SPEC_SECRET).sign("msg_sf", now, body),
    }
    verified = salesforce.verify(_request(body.encode(), headers), {"secret": SPEC_SECRET}, now)
    assert [e.event_id for e in verified.events] == ["tk-1:1"]
    assert salesforce.interpret(verified.events[0].payload).changes == [("lead", ["00Q1"])]
    with pytest.raises(Rejected) as unsigned:
        salesforce.verify(_request(body.encode()), {"secret": SPEC_SECRET}, now)
    assert unsigned.value.status == 401


def test_standard_payloads_carry_ingest_records() -> None:
    record = {"type": "social_profile", "network": "x", "id": "1", "handle": "ada"}
    assert standard.ingest_records({"type": "profiles.found", "data": {"records": [record]}}) == [record]
    assert standard.ingest_records({"type": "profile.found", "data": record}) == [record]
    assert standard.ingest_records(record) == [record]
    assert standard.ingest_records({"type": "ping", "data": {}}) == []
