"""The ingest record types (CONTRACT.md, "Ingest records"), validated with pydantic.

Unknown fields are kept as attributes; a record that fails validation is rejected with a reason naming the
field, never silently repaired.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

RECORD_TYPES = ("social_profile", "contact", "interaction")


def _lower_name(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


SourceName = Annotated[str, BeforeValidator(_lower_name), Field(min_length=1, max_length=128)]
ExternalId = Annotated[str, Field(min_length=1, max_length=512)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, str_strip_whitespace=True)

    id: ExternalId
    updated_at: datetime | None = None

    @field_validator("updated_at", "created_at", mode="after", check_fields=False)
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class SocialProfile(_Record):
    """A person's profile on a social network."""

    type: Literal["social_profile"]
    network: SourceName
    handle: str | None = None
    name: str | None = None
    bio: str | None = None
    location: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    followers: int | None = Field(default=None, ge=0)
    verified: bool | None = None
    avatar_url: str | None = None
    language: str | None = None


class Contact(_Record):
    """A contact in a CRM or another system."""

    type: Literal["contact"]
    system: SourceName
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    city: str | None = None
    country: str | None = None
    company: str | None = None
    title: str | None = None
    properties: dict[str, Any] | None = None

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str | None) -> str | None:
        if value and len(value) == 2 and value.isalpha():
            return value.upper()
        return value


class Interaction(_Record):
    """A post, comment, reply, mention, DM or review by (or to) a person on a network."""

    type: Literal["interaction"]
    network: SourceName
    profile_id: str | None = None
    kind: Literal["post", "comment", "reply", "mention", "dm", "review"] | None = None
    direction: Literal["inbound", "outbound"] | None = None
    text: str | None = None
    url: str | None = None
    created_at: datetime | None = None
    in_reply_to: str | None = None
    sentiment: float | None = Field(default=None, ge=-1.0, le=1.0)


MODELS: dict[str, type[_Record]] = {
    "social_profile": SocialProfile,
    "contact": Contact,
    "interaction": Interaction,
}


@dataclass(frozen=True, slots=True)
class IngestRecord:
    """A validated record ready to store: its natural key, normalised payload and content hash."""

    record_type: str
    source: str
    external_id: str
    payload: dict[str, Any]
    content_hash: str
    updated_at: datetime | None

    @property
    def key(self) -> str:
        """The record's stable key, `<type>:<source>:<external id>`."""
        return f"{self.record_type}:{self.source}:{self.external_id}"


class RecordError(ValueError):
    """A record was refused; the message says which field and why."""


def parse_record(obj: Any) -> IngestRecord:
    """Validate one decoded record; raises `RecordError` with a reason a person can act on."""
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    kind = obj.get("type")
    if kind is None or kind == "":
        raise RecordError("missing 'type' (expected social_profile, contact or interaction)")
    model = MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise RecordError(f"unknown type {str(kind)[:40]!r} (expected social_profile, contact or interaction)")
    try:
        record = model.model_validate(obj)
    except ValidationError as exc:
        raise RecordError(_describe(exc)) from None
    payload = record.model_dump(mode="json", exclude_none=True)
    source = payload["system"] if kind == "contact" else payload["network"]
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return IngestRecord(
        record_type=kind,
        source=source,
        external_id=payload["id"],
        payload=payload,
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        updated_at=record.updated_at,
    )


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False)[:5]:
        field = ".".join(str(p) for p in error["loc"]) or "record"
        if error["type"] == "missing":
            parts.append(f"missing '{field}'")
        else:
            parts.append(f"{field}: {error['msg']}")
    return "; ".join(parts)
