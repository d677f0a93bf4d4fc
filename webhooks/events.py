"""Rapport's outbound event types, the schema of each one's `data`, and the message body.

Payloads are thin: ids and the names of changed fields, so a consumer fetches what it needs from the API
(`GET /v1/customers/{id}`) and a stale or reordered event cannot overwrite fresher data. Each data model
allows extra members, so producers may add fields without breaking consumers.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_PAYLOAD_BYTES = 64 * 1024


class EventError(ValueError):
    """An event that cannot be emitted: unknown type, data not matching its schema, or over 64 KB."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="allow")


class CustomerData(_Data):
    """customer.created / customer.updated: the customer and which unified fields changed."""

    customer_id: str
    changed: list[str] = Field(default_factory=list, description="names of the unified fields that changed")


class CustomerMergedData(_Data):
    """customer.merged: `merged_ids` now point at `customer_id`."""

    customer_id: str
    merged_ids: list[str]


class CustomerSplitData(_Data):
    """customer.split: records of `customer_id` moved to new customers."""

    customer_id: str
    new_customer_ids: list[str]


class CustomerDeletedData(_Data):
    """customer.deleted: the customer was erased."""

    customer_id: str


class InteractionData(_Data):
    """interaction.created: a post, comment, message... tied to a customer when known."""

    interaction_id: str = Field(description="network:id")
    network: str
    customer_id: str | None = None
    kind: str | None = None


class SyncData(_Data):
    """sync.completed / sync.failed: one run of a connection."""

    connection: str
    run_id: str | None = None
    direction: str | None = None
    error: str | None = None


class RecordRejectedData(_Data):
    """record.rejected: a CRM or the hub refused a record."""

    source: str
    external_id: str | None = None
    customer_id: str | None = None
    reason: str


class EndpointDisabledData(_Data):
    """endpoint.disabled: deliveries to this endpoint stopped until it is enabled again."""

    endpoint_id: str
    name: str
    reason: str


EVENT_MODELS: dict[str, type[_Data]] = {
    "customer.created": CustomerData,
    "customer.updated": CustomerData,
    "customer.merged": CustomerMergedData,
    "customer.split": CustomerSplitData,
    "customer.deleted": CustomerDeletedData,
    "interaction.created": InteractionData,
    "sync.completed": SyncData,
    "sync.failed": SyncData,
    "record.rejected": RecordRejectedData,
    "endpoint.disabled": EndpointDisabledData,
}
EVENT_TYPES = tuple(EVENT_MODELS)


def check_event_types(types: list[str] | None) -> list[str]:
    """The unknown names among `types` (empty when all are known)."""
    return [t for t in types or [] if t not in EVENT_MODELS]


def matches(event_filter: list[str] | None, event_type: str) -> bool:
    """True when an endpoint with this filter (None: every type) wants `event_type`."""
    return event_filter is None or event_type in event_filter


def message_body(event_type: str, data: dict[str, Any], timestamp: datetime) -> str:
    """The JSON body `{"type", "timestamp", "data"}` sent for an event; raises `EventError` when invalid."""
    model = EVENT_MODELS.get(event_type)
    if model is None:
        raise EventError(f"unknown event type {event_type!r}; known: {', '.join(EVENT_TYPES)}")
    try:
        model.model_validate(data)
    except ValidationError as exc:
        raise EventError(f"{event_type} data does not match its schema: {exc.errors()[0]['msg']}") from None
    body = json.dumps(
        {"type": event_type, "timestamp": timestamp.isoformat(), "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    if len(body.encode()) > MAX_PAYLOAD_BYTES:
        raise EventError(f"{event_type} payload is over 64 KB ({MAX_PAYLOAD_BYTES} bytes); send ids, not whole records")
    return body
