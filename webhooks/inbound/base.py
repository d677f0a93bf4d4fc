"""Shared types and helpers of the inbound providers."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TOLERANCE_SECONDS = 300


@dataclass(frozen=True, slots=True)
class InboundRequest:
    """A request as received: `url` is the public URL the provider called (for URL-signing providers)."""

    method: str
    url: str
    headers: Mapping[str, str]  # lower-case names
    query: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """A header by (case-insensitive) name."""
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class Reply:
    """What to answer the provider."""

    status: int = 200
    body: str = ""
    content_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """One provider event, with its id for de-duplication, and its payload as text."""

    event_id: str
    payload: str


@dataclass(frozen=True, slots=True)
class Verified:
    """Verified events of one request, and the reply to send once they are durably stored."""

    events: list[InboundEvent]
    ack: Reply = field(default_factory=lambda: Reply(200, '{"received": true}'))


@dataclass(slots=True)
class Interpretation:
    """What a stored event means: ingest records, CRM changes `(object, ids)`, or nothing usable."""

    records: list[dict[str, Any]] = field(default_factory=list)
    changes: list[tuple[str, list[str]]] = field(default_factory=list)


class Rejected(Exception):
    """The request is refused; `status` is the HTTP answer, the message says why (never a secret)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def need(secrets: Mapping[str, str], name: str) -> str:
    """A declared secret, or a 500-class refusal naming what the operator must declare."""
    value = secrets.get(name)
    if not value:
        raise Rejected(503, f"the inbound source has no '{name}' configured")
    return value


def hmac_sha256(key: str | bytes, message: bytes) -> bytes:
    """HMAC-SHA256 digest."""
    return hmac.new(key.encode() if isinstance(key, str) else key, message, hashlib.sha256).digest()


def same(expected: str, given: str | None) -> bool:
    """Constant-time comparison of two signature strings."""
    return given is not None and hmac.compare_digest(expected.encode(), given.strip().encode())


def body_hash(body: bytes) -> str:
    """An event id for providers that send none: the SHA-256 of the exact bytes."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def parse_json(body: bytes) -> Any:
    """Decode a (verified) JSON body; a malformed one is a 400."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Rejected(400, "the body is not valid JSON") from None


def check_age(timestamp_seconds: float, now_seconds: float, tolerance: float = TOLERANCE_SECONDS) -> None:
    """Refuse a timestamp outside the tolerance window (a stale or replayed request)."""
    if abs(now_seconds - timestamp_seconds) > tolerance:
        raise Rejected(401, "the request timestamp is outside the 5-minute window (stale or replayed)")
