"""Meta (Facebook Pages, Instagram): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>`, and
the `hub.challenge` handshake (answered when `hub.verify_token` matches the declared token).

Comments, mentions and messages become interaction records (and the author's profile where the payload
names them); anything else is stored as received.
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

KIND = "meta"
SECRET_NAMES = ("app_secret", "verify_token")


def handshake(request: InboundRequest, secrets: Mapping[str, str]) -> Reply | None:
    """Echo `hub.challenge` when `hub.mode=subscribe` and the verify token matches; else 403."""
    if request.query.get("hub.mode") is None:
        return None
    token = need(secrets, "verify_token")
    if request.query.get("hub.mode") != "subscribe" or not same(token, request.query.get("hub.verify_token")):
        raise Rejected(403, "hub.verify_token does not match")
    return Reply(200, request.query.get("hub.challenge", ""), "text/plain")


def verify(request: InboundRequest, secrets: Mapping[str, str], _now: datetime) -> Verified:
    """Check X-Hub-Signature-256 over the raw body."""
    secret = need(secrets, "app_secret")
    expected = "sha256=" + hmac_sha256(secret, request.body).hex()
    if not same(expected, request.header("x-hub-signature-256")):
        raise Rejected(401, "X-Hub-Signature-256 is missing or does not match")
    parse_json(request.body)
    return Verified([InboundEvent(body_hash(request.body), request.body.decode())])


def interpret(payload: str) -> Interpretation:
    """Interactions (comments, mentions, messages) and their authors."""
    body = json.loads(payload)
    network = "instagram" if body.get("object") == "instagram" else "facebook"
    records: list[dict[str, Any]] = []
    for entry in body.get("entry") or []:
        for change in entry.get("changes") or []:
            records.extend(_from_change(network, change.get("field"), change.get("value") or {}))
        for message in entry.get("messaging") or []:
            records.extend(_from_message(network, message, str(entry.get("id", ""))))
    return Interpretation(records=records)


def _from_change(network: str, field: str | None, value: dict[str, Any]) -> list[dict[str, Any]]:
    author = value.get("from") or {}
    item_id = value.get("comment_id") or value.get("id") or value.get("post_id")
    if field not in ("comments", "mentions", "feed") or not item_id or not author.get("id"):
        return []
    kind = "mention" if field == "mentions" else "comment" if value.get("item", "comment") == "comment" else "post"
    interaction = {
        "type": "interaction",
        "network": network,
        "id": str(item_id),
        "profile_id": str(author["id"]),
        "kind": kind,
        "direction": "inbound",
        "text": value.get("text") or value.get("message"),
    }
    return [_profile(network, author), _clean(interaction)]


def _from_message(network: str, message: dict[str, Any], own_id: str) -> list[dict[str, Any]]:
    sender = (message.get("sender") or {}).get("id")
    content = message.get("message") or {}
    if not sender or not content.get("mid") or str(sender) == own_id:
        return []
    interaction = {
        "type": "interaction",
        "network": network,
        "id": str(content["mid"]),
        "profile_id": str(sender),
        "kind": "dm",
        "direction": "inbound",
        "text": content.get("text"),
    }
    return [_clean(interaction)]


def _profile(network: str, author: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "type": "social_profile",
            "network": network,
            "id": str(author["id"]),
            "handle": author.get("username"),
            "name": author.get("name"),
        }
    )


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None}
