"""Salesforce: Outbound Messages (SOAP, from workflow or Flow) and change-event JSON posted by a Flow or relay.

Outbound Messages are not signed: the organisation id in the message must be the declared one (and, when a
`token` is declared, the endpoint URL must carry `?token=`). Salesforce resends a message until it gets
`<Ack>true</Ack>`, which is sent only after the notifications are durably stored. Change events must be
signed per Standard Webhooks with the declared `secret`, or carry the declared `token`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from webhooks.inbound import standard
from webhooks.inbound.base import (
    InboundEvent,
    InboundRequest,
    Interpretation,
    Rejected,
    Reply,
    Verified,
    parse_json,
    same,
)

KIND = "salesforce"
SECRET_NAMES = ("organization_id", "secret", "token")
OUTBOUND_NS = "{http://soap.sforce.com/2005/09/outbound}"
ACK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>'
    "</soapenv:Body></soapenv:Envelope>"
)


def handshake(_request: InboundRequest, _secrets: Mapping[str, str]) -> Reply | None:
    """Salesforce has no handshake."""
    return None


def verify(request: InboundRequest, secrets: Mapping[str, str], now: datetime) -> Verified:
    """An Outbound Message (XML) or signed change events (JSON)."""
    if request.body.lstrip().startswith(b"<"):
        return _outbound_message(request, secrets)
    return _change_events(request, secrets, now)


def _outbound_message(request: InboundRequest, secrets: Mapping[str, str]) -> Verified:
    declared = secrets.get("organization_id")
    if not declared:
        raise Rejected(503, "the inbound source has no 'organization_id' configured")
    if secrets.get("token") and not same(secrets["token"], request.query.get("token")):
        raise Rejected(401, "the endpoint URL's token does not match")
    root = _parse_xml(request.body)
    notifications = root.find(f".//{OUTBOUND_NS}notifications")
    if notifications is None:
        raise Rejected(400, "not a Salesforce Outbound Message (no notifications element)")
    org = (notifications.findtext(f"{OUTBOUND_NS}OrganizationId") or "").strip()
    if org[:15] != declared[:15]:
        raise Rejected(403, "the message comes from another Salesforce organisation")
    events = [_notification(n, org) for n in notifications.findall(f"{OUTBOUND_NS}Notification")]
    if not events:
        raise Rejected(400, "the Outbound Message has no Notification")
    return Verified(events, Reply(200, ACK, "text/xml; charset=utf-8"))


def _parse_xml(body: bytes) -> ET.Element:
    # Salesforce never sends a DTD; refusing one shuts out entity-expansion and external-entity tricks.
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise Rejected(400, "XML with a DTD is refused")
    try:
        return ET.fromstring(body)  # noqa: S314
    except ET.ParseError:
        raise Rejected(400, "the body is not well-formed XML") from None


def _notification(element: ET.Element, org: str) -> InboundEvent:
    notification_id = (element.findtext(f"{OUTBOUND_NS}Id") or "").strip()
    sobject = element.find(f"{OUTBOUND_NS}sObject")
    fields: dict[str, str] = {}
    object_type = ""
    if sobject is not None:
        object_type = next((v for k, v in sobject.attrib.items() if k.endswith("}type")), "").split(":")[-1]
        fields = {child.tag.split("}")[-1]: (child.text or "") for child in sobject}
    if not notification_id:
        raise Rejected(400, "a Notification has no Id")
    payload = {"organization_id": org, "object": object_type, "id": fields.get("Id"), "fields": fields}
    return InboundEvent(notification_id, json.dumps(payload, separators=(",", ":")))


def _change_events(request: InboundRequest, secrets: Mapping[str, str], now: datetime) -> Verified:
    if request.header("webhook-signature"):
        standard.verify(request, {"secret": secrets.get("secret", "")}, now)
    elif not (secrets.get("token") and same(secrets["token"], request.header("x-rapport-token"))):
        raise Rejected(401, "change events must be signed (Standard Webhooks) or carry the declared token")
    body = parse_json(request.body)
    items = body if isinstance(body, list) else [body]
    events = [InboundEvent(_event_id(item), json.dumps(item, separators=(",", ":"))) for item in items]
    if not events:
        raise Rejected(400, "no change events in the body")
    return Verified(events)


def _header_of(item: Any) -> dict[str, Any]:
    payload = item.get("data", item).get("payload", {}) if isinstance(item, dict) else {}
    header = payload.get("ChangeEventHeader") if isinstance(payload, dict) else None
    return header if isinstance(header, dict) else {}


def _event_id(item: Any) -> str:
    header = _header_of(item)
    event = item.get("data", item).get("event", {}) if isinstance(item, dict) else {}
    if header.get("transactionKey"):
        return f"{header['transactionKey']}:{header.get('sequenceNumber', 0)}"
    if isinstance(event, dict) and event.get("replayId") is not None:
        return f"replay:{event['replayId']}"
    raise Rejected(400, "a change event has neither ChangeEventHeader.transactionKey nor event.replayId")


def interpret(payload: str) -> Interpretation:
    """A change notice `(object, ids)` for the sync engine."""
    item = json.loads(payload)
    header = _header_of(item)
    if header:
        entity = str(header.get("entityName", "")).removesuffix("ChangeEvent").lower()
        ids = [str(i) for i in header.get("recordIds") or []]
        return Interpretation(changes=[(entity, ids)] if entity and ids else [])
    if item.get("object") and item.get("id"):
        return Interpretation(changes=[(str(item["object"]).lower(), [str(item["id"])])])
    return Interpretation()
