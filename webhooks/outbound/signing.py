"""Standard Webhooks signing: `whsec_` secrets and the `webhook-*` headers, via the reference library.

The timestamp and signatures are computed afresh for each attempt; the id is the message's, the same on every
attempt, so consumers can de-duplicate. During a rotation grace period every active secret signs, and the
header carries one `v1,<sig>` per secret, space-separated (the specification's multi-signature form).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105  (a prefix, not a secret)
SECRET_BYTES = 32


def generate_secret() -> str:
    """A new random `whsec_` secret (32 bytes, base64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def is_valid_secret(secret: str) -> bool:
    """True when `secret` is a usable `whsec_` secret (base64 of 24 to 64 bytes)."""
    if not secret.startswith(SECRET_PREFIX):
        return False
    try:
        raw = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError:
        return False
    return 24 <= len(raw) <= 64


def signature_header(msg_id: str, timestamp: datetime, body: str, active_secrets: Sequence[str]) -> str:
    """The `webhook-signature` value: one `v1,<base64>` per secret."""
    return " ".join(Webhook(secret).sign(msg_id, timestamp, body) for secret in active_secrets)


def webhook_headers(msg_id: str, timestamp: datetime, body: str, active_secrets: Sequence[str]) -> dict[str, str]:
    """Every header of one signed attempt (content type included)."""
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature_header(msg_id, timestamp, body, active_secrets),
    }
