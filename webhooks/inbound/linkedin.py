"""LinkedIn: the `challengeCode` validation (hex HMAC-SHA256 with the client secret) and `X-LI-Signature`
(hex HMAC-SHA256 of the raw body, optionally prefixed `hmacsha256=`).

Organisation social-action notifications (comments, mentions) become interactions; each notification's
id is its de-duplication key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from webhooks.inbound.base import (
    InboundEvent,
    InboundRequest,
    Interpretation,
    Rejected,
    Reply,
    Verified,
    body_hash,
    hmac_sha256,
    need,
    parse_json,
    same,
)

KIND = "linkedin"
SECRET_NAMES = ("client_secret",)
_KINDS = {"COMMENT": "comment", "ADMIN_COMMENT": "comment", "SHARE_MENTION": "mention", "COMMENT_MENTION": "mention"}


def handshake(request: InboundRequest, secrets: Mapping[str, str]) -> Reply | None:
    """Answer `?challengeCode=` with `{"challengeCode", "challengeResponse"}`."""
    code = request.query.get("challengeCode")
    if code is None:
        return None
    response = hmac_sha256(need(secrets, "client_secret"), code.encode()).hex()
    return Reply(200, json.dumps({"challengeCode": code, "challengeResponse": response}))


def verify(request: InboundRequest, secrets: Mapping[str, str], _now: datetime) -> Verified:
    """Check X-LI-Signature, then one event per notification (by its id)."""
    expected = hmac_sha256(need(secrets, "client_secret"), request.body).hex()
    given = (request.header("x-li-signature") or "").removeprefix("hmacsha256=")
    if not same(expected, given):
        raise Rejected(401, "X-LI-Signature is missing or does not match")
    body = parse_json(request.body)
    notifications = body.get("notifications") if isinstance(body, dict) else None
    if not isinstance(notifications, list) or not notifications:
        return Verified([InboundEvent(body_hash(request.body), request.body.decode())])
    return Verified(
        [
            InboundEvent(str(n.get("notificationId") or body_hash(json.dumps(n).encode())), json.dumps(n))
            for n in notifications
            if isinstance(n, dict)
        ]
    )


def interpret(payload: str) -> Interpretation:
    """A comment or mention by a member: an interaction on `linkedin`."""
    note: dict[str, Any] = json.loads(payload)
    kind = _KINDS.get(str(note.get("action", "")))
    actor = note.get("actor")
    activity = note.get("generatedActivity") or note.get("notificationId")
    if kind is None or not actor or not activity:
        return Interpretation()
    interaction = {
        "type": "interaction",
        "network": "linkedin",
        "id": str(activity),
        "profile_id": str(actor),
        "kind": kind,
        "direction": "inbound",
        "in_reply_to": note.get("sourcePost"),
    }
    return Interpretation(records=[{k: v for k, v in interaction.items() if v is not None}])
