"""TikTok for Developers: `TikTok-Signature: t=<unix>,s=<hex HMAC-SHA256(client secret, "t.body")>` with a
5-minute window. Its events (authorisation, video status, data portability) carry no interactions, so
they are stored as received.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from webhooks.inbound.base import (
    InboundEvent,
    InboundRequest,
    Interpretation,
    Rejected,
    Reply,
    Verified,
    body_hash,
    check_age,
    hmac_sha256,
    need,
    parse_json,
    same,
)

KIND = "tiktok"
SECRET_NAMES = ("client_secret",)


def handshake(_request: InboundRequest, _secrets: Mapping[str, str]) -> Reply | None:
    """TikTok has no handshake."""
    return None


def verify(request: InboundRequest, secrets: Mapping[str, str], now: datetime) -> Verified:
    """Check `t` (5-minute window) and `s` over `t.body`."""
    secret = need(secrets, "client_secret")
    parts = dict(item.split("=", 1) for item in (request.header("tiktok-signature") or "").split(",") if "=" in item)
    stamp, signature = parts.get("t", ""), parts.get("s")
    if not stamp.isdigit() or not signature:
        raise Rejected(401, "TikTok-Signature is missing or malformed")
    check_age(int(stamp), now.timestamp())
    expected = hmac_sha256(secret, stamp.encode() + b"." + request.body).hex()
    if not same(expected, signature):
        raise Rejected(401, "TikTok-Signature does not match")
    parse_json(request.body)
    return Verified([InboundEvent(body_hash(request.body), request.body.decode())])


def interpret(_payload: str) -> Interpretation:
    """Nothing to ingest: TikTok's developer webhooks describe the app's own state."""
    return Interpretation()
