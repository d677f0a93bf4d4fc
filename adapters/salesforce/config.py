"""A Salesforce connection's settings, read from its resolved `rapport apply` entry (CONTRACT.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from adapters.base import ConfigError

OBJECTS = {"contact": "Contact", "lead": "Lead"}
DEFAULT_VERSION = "59.0"


@dataclass(frozen=True)
class SalesforceConfig:
    """Validated settings. `auth` holds secrets and is never shown in `repr`."""

    name: str
    instance_url: str
    auth: Mapping[str, Any] = field(repr=False)
    ca_file: str | None = None
    objects: tuple[str, ...] = ("contact",)
    api_budget_share: float = 0.5
    api_version: str = DEFAULT_VERSION
    social_history: bool = True
    timeout_seconds: float = 60.0
    max_attempts: int = 4  # tries of one idempotent call on 5xx or timeout
    retry_wait_seconds: float = 1.0  # first backoff; doubles with jitter
    bulk_threshold: int = 2000  # more records than this go through Bulk API 2.0
    query_batch_size: int = 2000
    overlap_seconds: float = 5.0

    @property
    def auth_mode(self) -> str:
        """session, password or jwt."""
        if "jwt" in self.auth:
            return "jwt"
        if "session_id" in self.auth:
            return "session"
        return "password"

    def sobject(self, object: str) -> str:
        """The Salesforce object for a Rapport object name (contact -> Contact); ConfigError if not configured."""
        key = object.lower().removesuffix("s")
        if key not in self.objects:
            configured = ", ".join(self.objects)
            raise ConfigError(f"connection {self.name}: object {object!r} is not configured (objects: {configured})")
        return OBJECTS[key]


def _auth(name: str, auth: Any) -> Mapping[str, Any]:
    if not isinstance(auth, Mapping):
        raise ConfigError(f"connection {name}: auth must be session_id, username/password/security_token, or jwt")
    if "jwt" in auth:
        jwt = auth["jwt"]
        if not isinstance(jwt, Mapping) or not jwt.get("consumer_key") or not jwt.get("username"):
            raise ConfigError(f"connection {name}: auth.jwt needs consumer_key and username")
        if not jwt.get("private_key") and not jwt.get("private_key_file"):
            raise ConfigError(f"connection {name}: auth.jwt needs private_key or private_key_file")
    elif "session_id" in auth:
        if not auth.get("session_id"):
            raise ConfigError(f"connection {name}: auth.session_id is empty")
    elif not auth.get("username") or not auth.get("password"):
        raise ConfigError(f"connection {name}: auth needs session_id, username and password, or jwt")
    return dict(auth)


def parse_config(config: Mapping[str, Any]) -> SalesforceConfig:
    """Check a connection's settings; ConfigError names every setting that is wrong (never a secret's value)."""
    name = str(config.get("name") or "salesforce")
    url = str(config.get("instance_url") or "").rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.hostname:
        raise ConfigError(
            f"connection {name}: instance_url must be an https URL such as https://acme.my.salesforce.com"
        )
    objects = tuple(str(o).lower().removesuffix("s") for o in config.get("objects") or ["contact"])
    unknown = [o for o in objects if o not in OBJECTS]
    if unknown:
        raise ConfigError(f"connection {name}: unknown objects {unknown} (salesforce: contact, lead)")
    share = float(config.get("api_budget_share", 0.5))
    if not 0 < share <= 1:
        raise ConfigError(f"connection {name}: api_budget_share must be between 0 and 1 (got {share})")
    version = str(config.get("api_version") or DEFAULT_VERSION).lstrip("v")
    tuning = {k: config[k] for k in ("timeout_seconds", "max_attempts", "retry_wait_seconds", "bulk_threshold",
                                    "query_batch_size", "overlap_seconds") if k in config}  # fmt: skip
    return SalesforceConfig(
        name=name,
        instance_url=url,
        auth=_auth(name, config.get("auth")),
        ca_file=str(config["ca_file"]) if config.get("ca_file") else None,
        objects=objects,
        api_budget_share=share,
        api_version=version,
        social_history=bool(config.get("social_history", True)),
        **tuning,
    )
