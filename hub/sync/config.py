"""Connection declarations (the `connections:` entries of a `rapport apply` file) and their validation."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DEFAULT_OBJECTS = {"salesforce": ["contact"], "hubspot": ["contact"], "internal": ["contact"]}
CRM_NAMES = {"salesforce": "Salesforce", "hubspot": "HubSpot", "internal": "internal system"}


class MissingVariableError(ValueError):
    """A `${VAR}` reference names an environment variable that is not set."""


def resolve_env(value: Any, environ: Mapping[str, str] | None = None) -> Any:
    """`value` with every `${VAR}` in its strings replaced from the environment (recursively)."""
    env = os.environ if environ is None else environ
    if isinstance(value, str):

        def _lookup(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in env:
                raise MissingVariableError(f"environment variable {name} is not set")
            return env[name]

        return ENV_REFERENCE.sub(_lookup, value)
    if isinstance(value, dict):
        return {k: resolve_env(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_env(v, env) for v in value]
    return value


def parse_duration(text: str) -> float:
    """Seconds in a duration such as `30s`, `5m`, `2h`, `1d` (a bare number is seconds)."""
    match = DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30s, 5m, 2h)")
    return float(match.group(1)) * UNIT_SECONDS[match.group(2) or "s"]


class Schedule(BaseModel):
    """When scheduled pulls run: `every` (a duration) or `cron` (a crontab line, UTC)."""

    model_config = ConfigDict(extra="forbid")
    every: str | None = None
    cron: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Schedule:
        if (self.every is None) == (self.cron is None):
            raise ValueError("give exactly one of every or cron")
        if self.every is not None and parse_duration(self.every) < 60:
            raise ValueError("every must be at least 1m")
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError("cron takes five fields, e.g. '*/15 * * * *'")
        return self


class ConnectionSpec(BaseModel):
    """One connection. Keys not named here (instance_url, base_url, ca_file, ...) go to the adapter."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    kind: Literal["salesforce", "hubspot", "internal"]
    enabled: bool = True
    objects: list[str] = Field(default_factory=list)
    mapping: str | dict[str, str] | None = None
    schedule: Schedule | None = None
    social_history: bool = True
    auth: dict[str, Any] = Field(default_factory=dict)

    @field_validator("objects")
    @classmethod
    def _objects(cls, value: list[str]) -> list[str]:
        return [o.strip().lower() for o in value]

    @model_validator(mode="after")
    def _defaults(self) -> ConnectionSpec:
        if not self.objects:
            self.objects = list(DEFAULT_OBJECTS[self.kind])
        allowed = {"salesforce": {"contact", "lead"}, "hubspot": {"contact"}, "internal": {"contact"}}[self.kind]
        unknown = [o for o in self.objects if o not in allowed]
        if unknown:
            raise ValueError(f"{self.kind} connections sync {', '.join(sorted(allowed))}; not {', '.join(unknown)}")
        if self.kind == "internal" and self.mapping is None:
            raise ValueError("internal connections need a mapping file (there is no shipped default)")
        return self

    def mapping_file(self, obj: str) -> str | None:
        """The mapping file declared for `obj` (None: the shipped default)."""
        if isinstance(self.mapping, dict):
            return self.mapping.get(obj)
        return self.mapping if len(self.objects) == 1 or obj == self.objects[0] else None

    def adapter_config(self) -> dict[str, Any]:
        """What the adapter receives: every key, credentials included (never stored in clear)."""
        return self.model_dump(exclude={"schedule", "mapping", "social_history", "enabled"})

    def stored_config(self) -> dict[str, Any]:
        """What is stored in clear: everything but `auth`."""
        return self.model_dump(exclude={"auth"}, mode="json")

    @property
    def crm_name(self) -> str:
        """How decisions name this system ("Salesforce won: ...")."""
        return CRM_NAMES[self.kind]
