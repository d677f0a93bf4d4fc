"""A HubSpot connection's configuration, from the `rapport apply` connection entry (secrets resolved)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.base import ConfigError

DEFAULT_BASE_URL = "https://api.hubapi.com"
TIERS = ("private_app", "free")


@dataclass(frozen=True)
class HubSpotConfig:
    """Validated connection settings. `access_token` (private app) or the OAuth trio is set, never both missing.

    Secrets are excluded from `repr` so a config never prints a credential.
    """

    name: str
    base_url: str = DEFAULT_BASE_URL
    access_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    portal_tier: str = "private_app"
    daily_limit: int | None = None
    max_attempts: int = 5  # per call, for 429 and transient faults
    max_wait: float = 60.0  # seconds one call may spend waiting on retries
    timeout: float = 30.0  # seconds per HTTP request
    properties: tuple[str, ...] = ()  # extra contact properties to read

    @property
    def oauth(self) -> bool:
        """True when the connection authenticates with OAuth (refresh token) rather than a private-app token."""
        return self.access_token is None

    @property
    def portal_key(self) -> str:
        """A stable key for the portal's shared rate limiter (a digest, never the credential itself)."""
        secret = self.access_token or f"{self.client_id}:{self.refresh_token}"
        return f"{self.base_url}#{hashlib.sha256(secret.encode()).hexdigest()[:16]}"


def parse_config(config: Mapping[str, Any]) -> HubSpotConfig:
    """Check a connection entry; raise ConfigError naming what is missing or wrong (never echoing secrets)."""
    name = str(config.get("name") or "hubspot")
    auth = config.get("auth") or {}
    if not isinstance(auth, Mapping):
        raise ConfigError(f"connection {name}: auth must be a mapping")
    token = auth.get("access_token")
    oauth = [auth.get(k) for k in ("client_id", "client_secret", "refresh_token")]
    if not token and not all(oauth):
        raise ConfigError(
            f"connection {name}: auth needs access_token (private app) or client_id, client_secret and refresh_token"
        )
    tier = str(config.get("portal_tier") or "private_app")
    if tier not in TIERS:
        raise ConfigError(f"connection {name}: portal_tier must be one of {', '.join(TIERS)}")
    base_url = str(config.get("base_url") or DEFAULT_BASE_URL).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"connection {name}: base_url must start with http:// or https://")
    extra = config.get("properties") or ()
    return HubSpotConfig(
        name=name,
        base_url=base_url,
        access_token=str(token) if token else None,
        client_id=str(oauth[0]) if not token else None,
        client_secret=str(oauth[1]) if not token else None,
        refresh_token=str(oauth[2]) if not token else None,
        portal_tier=tier,
        daily_limit=int(config["daily_limit"]) if config.get("daily_limit") else None,
        max_attempts=int(config.get("max_attempts") or 5),
        max_wait=float(config.get("max_wait") or 60.0),
        timeout=float(config.get("timeout") or 30.0),
        properties=tuple(str(p) for p in extra),
    )
