"""HubSpot webhooks, signature v3: base64 HMAC-SHA256 (client secret) of method + URI + body + timestamp,
with `X-HubSpot-Request-Timestamp` (milliseconds) no older than 5 minutes.

HubSpot batches up to 100 events per request; each carries an `eventId` used for de-duplication. CRM
changes are turned into `(object, ids)` notices for the sync engine.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import unquote

from webhooks.inbound.base import (
    InboundEvent,
    InboundRequest,
    Interpretation,
    Rejected,
    Reply,
    Verified,
    check_age,
    hmac_sha256,
    need,
    parse_json,
    same,
)

KIND = "hubspot"
SECRET_NAMES = ("client_secret",)
# HubSpot decodes these percent-encoded characters in the URI before signing.
_DECODED = ("%3A", "%2F", "%3F", "%40", "%21", "%24", "%27", "%28", "%29", "%2A", "%2C", "%3B")


def handshake(_request: InboundRequest, _secrets: Mapping[str, str]) -> Reply | None:
    """HubSpot has no handshake."""
    return None


def signing_uri(url: str) -> str:
    """The URI as HubSpot signs it: the listed percent-encodings decoded."""
    for encoded in _DECODED:
        url = url.replace(encoded, unquote(encoded)).replace(encoded.lower(), unquote(encoded))
    return url


def signature_v3(secret: str, method: str, url: str, body: bytes, timestamp: str) -> str:
    """The expected `X-HubSpot-Signature-v3` value."""
    message = method.upper().encode() + signing_uri(url).encode() + body + timestamp.encode()
    return base64.b64encode(hmac_sha256(secret, message)).decode()


def verify(request: InboundRequest, secrets: Mapping[str, str], now: datetime) -> Verified:
    """Check the v3 signature and the 5-minute window, then split the batch into events."""
    secret = need(secrets, "client_secret")
    signature, stamp = request.header("x-hubspot-signature-v3"), request.header("x-hubspot-request-timestamp")
    if not signature or not stamp or not stamp.isdigit():
        raise Rejected(401, "missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp")
    check_age(int(stamp) / 1000, now.timestamp())
    if not same(signature_v3(secret, request.method, request.url, request.body, stamp), signature):
        raise Rejected(401, "X-HubSpot-Signature-v3 does not match")
    body = parse_json(request.body)
    items = body if isinstance(body, list) else [body]
    events = [
        InboundEvent(str(item.get("eventId") or item.get("id")), json.dumps(item, separators=(",", ":")))
        for item in items
        if isinstance(item, dict) and (item.get("eventId") or item.get("id"))
    ]
    if not events:
        raise Rejected(400, "no HubSpot events (with an eventId) in the body")
    return Verified(events)


def interpret(payload: str) -> Interpretation:
    """A CRM object change: `contact.propertyChange` -> ("contact", [objectId])."""
    event = json.loads(payload)
    kind = str(event.get("subscriptionType") or event.get("eventType") or "")
    object_type = kind.split(".", 1)[0] if "." in kind else str(event.get("objectType", "")).lower()
    object_id = event.get("objectId")
    if not object_type or object_id is None:
        return Interpretation()
    return Interpretation(changes=[(object_type, [str(object_id)])])
