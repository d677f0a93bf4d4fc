"""X (Account Activity / v2 webhooks): the CRC handshake (`crc_token` -> `response_token`) and
`x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, body)>`.

Posts that mention or reply to the subscribed account, and direct messages it receives, become
interactions with their authors' profiles; other activity is stored as received.
"""

from __future__ import annotations

import base64
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

KIND = "x"
SECRET_NAMES = ("consumer_secret",)


def _sign(secret: str, message: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac_sha256(secret, message)).decode()


def handshake(request: InboundRequest, secrets: Mapping[str, str]) -> Reply | None:
    """Answer a CRC: `{"response_token": "sha256=<base64 HMAC of crc_token>"}`."""
    token = request.query.get("crc_token")
    if token is None:
        return None
    return Reply(200, json.dumps({"response_token": _sign(need(secrets, "consumer_secret"), token.encode())}))


def verify(request: InboundRequest, secrets: Mapping[str, str], _now: datetime) -> Verified:
    """Check x-twitter-webhooks-signature over the raw body."""
    expected = _sign(need(secrets, "consumer_secret"), request.body)
    if not same(expected, request.header("x-twitter-webhooks-signature")):
        raise Rejected(401, "x-twitter-webhooks-signature is missing or does not match")
    parse_json(request.body)
    return Verified([InboundEvent(body_hash(request.body), request.body.decode())])


def interpret(payload: str) -> Interpretation:
    """Mentions, replies and received direct messages, with their authors."""
    body = json.loads(payload)
    own = str(body.get("for_user_id", ""))
    records: list[dict[str, Any]] = []
    for post in body.get("tweet_create_events") or []:
        records.extend(_from_post(post, own))
    users = body.get("users") or {}
    for event in body.get("direct_message_events") or []:
        records.extend(_from_dm(event, own, users))
    return Interpretation(records=records)


def _from_post(post: dict[str, Any], own: str) -> list[dict[str, Any]]:
    user = post.get("user") or {}
    author = str(user.get("id_str") or user.get("id") or "")
    post_id = post.get("id_str") or post.get("id")
    if not author or not post_id or author == own:
        return []
    replying = post.get("in_reply_to_status_id_str")
    interaction = {
        "type": "interaction",
        "network": "x",
        "id": str(post_id),
        "profile_id": author,
        "kind": "reply" if replying else "mention",
        "direction": "inbound",
        "text": post.get("text"),
        "in_reply_to": replying,
    }
    profile = {
        "type": "social_profile",
        "network": "x",
        "id": author,
        "handle": user.get("screen_name"),
        "name": user.get("name"),
        "followers": user.get("followers_count"),
    }
    return [_clean(profile), _clean(interaction)]


def _from_dm(event: dict[str, Any], own: str, users: dict[str, Any]) -> list[dict[str, Any]]:
    created = event.get("message_create") or {}
    sender = str(created.get("sender_id", ""))
    if event.get("type") != "message_create" or not sender or sender == own or not event.get("id"):
        return []
    records = []
    user = users.get(sender) or {}
    if user:
        records.append(
            _clean(
                {
                    "type": "social_profile",
                    "network": "x",
                    "id": sender,
                    "handle": user.get("screen_name"),
                    "name": user.get("name"),
                }
            )
        )
    text = (created.get("message_data") or {}).get("text")
    records.append(
        _clean(
            {
                "type": "interaction",
                "network": "x",
                "id": str(event["id"]),
                "profile_id": sender,
                "kind": "dm",
                "direction": "inbound",
                "text": text,
            }
        )
    )
    return records


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None}
