"""API keys: create (shown once), list, revoke, verify. Pure functions over the caller's Connection.

A key is `rpk_` plus 43 URL-safe characters (256 random bits). Only its SHA-256 is stored, with a short,
non-secret prefix for listing. A fast unsalted hash is enough here: the key is random, not a password, so
there is nothing to brute-force; and lookup by hash makes verification a single indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, insert, select, update

from hub.db.database import utcnow
from hub.db.tables import api_keys

Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "write", "admin")
KEY_PREFIX = "rpk_"
PREFIX_CHARS = 8  # characters after `rpk_` kept in clear for listing
MAX_KEY_LENGTH = 128  # anything longer is not one of ours; refuse before hashing
LAST_USED_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What may be shown about a key: never the key itself."""

    id: str
    name: str | None
    scope: Scope
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        """True until the key is revoked."""
        return self.revoked_at is None


def scope_allows(granted: str, needed: str) -> bool:
    """True when a key of scope `granted` may do what `needed` requires (read < write < admin)."""
    if granted not in SCOPES or needed not in SCOPES:
        return False
    return SCOPES.index(granted) >= SCOPES.index(needed)


def hash_key(plaintext: str) -> str:
    """The stored form of a key: hex SHA-256."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_key(
    conn: Connection, scope: str, name: str | None = None, now: datetime | None = None
) -> tuple[KeyInfo, str]:
    """Create a key; returns its info and the plaintext, which is never stored and cannot be shown again."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r} (expected one of {', '.join(SCOPES)})")
    now = now or utcnow()
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    row = {
        "id": "key_" + secrets.token_hex(8),
        "name": name,
        "scope": scope,
        "prefix": plaintext[: len(KEY_PREFIX) + PREFIX_CHARS],
        "key_hash": hash_key(plaintext),
        "created_at": now,
        "revoked_at": None,
        "last_used_at": None,
    }
    conn.execute(insert(api_keys).values(**row))
    return _info(row), plaintext


def list_keys(conn: Connection, *, include_revoked: bool = True) -> list[KeyInfo]:
    """Every key, oldest first."""
    query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
    if not include_revoked:
        query = query.where(api_keys.c.revoked_at.is_(None))
    return [_info(row._mapping) for row in conn.execute(query)]


def revoke_key(conn: Connection, key_id: str, now: datetime | None = None) -> bool:
    """Revoke a key by id; False when no active key has that id (unknown or already revoked)."""
    result = conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return result.rowcount == 1


def verify_key(conn: Connection, plaintext: str, now: datetime | None = None) -> KeyInfo | None:
    """The active key matching `plaintext`, or None; records its use at most once a minute."""
    if not plaintext.startswith(KEY_PREFIX) or len(plaintext) > MAX_KEY_LENGTH:
        return None
    row = conn.execute(select(api_keys).where(api_keys.c.key_hash == hash_key(plaintext))).first()
    if row is None or row.revoked_at is not None:
        return None
    now = now or utcnow()
    info = _info(row._mapping)
    if info.last_used_at is None or now - info.last_used_at >= LAST_USED_GRANULARITY:
        conn.execute(update(api_keys).where(api_keys.c.id == info.id).values(last_used_at=now))
    return info


def _info(row: Mapping[Any, Any]) -> KeyInfo:
    return KeyInfo(
        id=row["id"],
        name=row["name"],
        scope=row["scope"],
        prefix=row["prefix"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )
