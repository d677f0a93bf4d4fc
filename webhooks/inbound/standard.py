"""Standard Webhooks (internal systems, social-listening tools): `webhook-id`, `webhook-timestamp`,
`webhook-signature`, verified with the reference library's signing against each declared secret.

Payloads in the ingest format are turned into records: `{"type": ..., "data": {"records": [...]}}`,
`{"type": ..., "data": {<one record>}}`, or a bare record.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

from webhooks.inbound.base import (
    InboundEvent,
    InboundRequest,
    Interpretation,
    Rejected,
    Reply,
    Verified,
    check_age,
    need,
    parse_json,
)

KIND = "standard"
SECRET_NAMES = ("secret",)
RECORD_TYPES = ("social_profile", "contact", "interaction")


def handshake(_request: InboundRequest, _secrets: Mapping[str, str]) -> Reply | None:
    """Standard Webhooks has no handshake."""
    return None


def verify(request: InboundRequest, secrets: Mapping[str, str], now: datetime) -> Verified:
    """Check id, timestamp (5-minute window) and signature (any `v1` entry, any declared secret)."""
    msg_id, stamp, signatures = (request.header(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (msg_id and stamp and signatures):
        raise Rejected(400, "missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        sent = int(stamp)
    except ValueError:
        raise Rejected(400, "webhook-timestamp is not a Unix time in seconds") from None
    check_age(sent, now.timestamp())
    try:
        body = request.body.decode()
    except UnicodeDecodeError:
        raise Rejected(400, "the body is not UTF-8") from None
    candidates = [s for s in (secrets.get("secret"), secrets.get("previous_secret")) if s]
    if not candidates:
        need(secrets, "secret")
    given = _v1_signatures(signatures)
    moment = datetime.fromtimestamp(sent, UTC)
    for secret in candidates:
        try:
            expected = base64.b64decode(Webhook(secret).sign(msg_id, moment, body).split(",", 1)[1])
        except (binascii.Error, ValueError):
            raise Rejected(503, "the inbound source's secret is not a valid whsec_ secret") from None
        if any(_equal(expected, signature) for signature in given):
            return Verified([InboundEvent(msg_id, body)], Reply(200, '{"received": true}'))
    raise Rejected(401, "no webhook-signature matches")


def _v1_signatures(header: str) -> list[bytes]:
    found = []
    for entry in header.split():
        version, _, value = entry.partition(",")
        if version == "v1" and value:
            try:
                found.append(base64.b64decode(value, validate=True))
            except binascii.Error:
                continue
    return found


def _equal(expected: bytes, given: bytes) -> bool:
    return hmac.compare_digest(expected, given)


def interpret(payload: str) -> Interpretation:
    """Ingest records carried by the event, if any."""
    body = parse_json(payload.encode())
    return Interpretation(records=ingest_records(body))


def ingest_records(body: Any) -> list[dict[str, Any]]:
    """The ingest records in an envelope or bare record (empty when there are none)."""
    if not isinstance(body, dict):
        return []
    if body.get("type") in RECORD_TYPES and "data" not in body:
        return [body]
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        return [r for r in data["records"] if isinstance(r, dict)]
    if isinstance(data, dict) and data.get("type") in RECORD_TYPES:
        return [data]
    return []
