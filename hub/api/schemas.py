"""Request and response bodies of the REST API (their JSON Schemas are what `/docs` shows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

RECORD_EXAMPLE = {
    "records": [
        {"type": "social_profile", "network": "x", "id": "1234", "handle": "ada", "email": "ada@example.com"},
        {"type": "contact", "system": "erp", "id": "C-7", "first_name": "Ada", "email": "ada@example.com"},
    ]
}


class RecordsIn(BaseModel):
    """A batch of ingest records (CONTRACT.md, "Ingest records"); each item is validated on its own."""

    records: list[Any] = Field(
        description="social_profile, contact and interaction objects", examples=[RECORD_EXAMPLE["records"]]
    )


class ItemError(BaseModel):
    """Why the item at `index` (0-based position in `records`) was refused."""

    index: int
    reason: str


class RecordsAccepted(BaseModel):
    """The batch was stored; resolution of its records finishes asynchronously."""

    accepted: int
    errors: list[ItemError]


class SourceRef(BaseModel):
    """A source record of a customer."""

    record_type: str
    source: str
    external_id: str
    first_seen_at: datetime
    last_seen_at: datetime


class CustomerOut(BaseModel):
    """The unified customer (CONTRACT.md, "The unified customer"), with its source records."""

    model_config = ConfigDict(extra="allow")

    id: str
    sources: list[SourceRef]


class CustomerPage(BaseModel):
    """One page of customers; pass `next_cursor` as `cursor` for the next (null on the last page)."""

    data: list[CustomerOut]
    next_cursor: str | None


class JobCounts(BaseModel):
    """Jobs of one kind by status."""

    queued: int
    running: int
    failed: int
    dead: int


class Stats(BaseModel):
    """Stored records (profiles, contacts and interactions), live customers, and the job queue by kind."""

    records: int
    customers: int
    jobs: dict[str, JobCounts]


class Health(BaseModel):
    """The service and its database answer."""

    status: str


def dump(model: BaseModel) -> dict[str, Any]:
    """A model as JSON-ready data."""
    return model.model_dump(mode="json")
