"""Batch writes of contacts: upsert by ``rapport_id`` (never by email), update by HubSpot id, archive.

HubSpot refuses a whole batch (400 for an invalid value, 409 when an email or unique value belongs to another
contact) and reports some per-input failures in a 207. A refused batch is split in halves until the records at
fault stand alone, so one bad record costs a few extra calls and never holds back the other 99; each lone refusal
becomes that record's `RecordRejected`. Repeating a half is safe: every write here is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputUpsert,
)

from adapters.base import RecordRejected, RecordResult, UpsertItem
from adapters.hubspot.errors import Refused, record_error
from adapters.hubspot.transport import Transport

LINK_PROPERTY = "rapport_id"
BATCH = 100
T = TypeVar("T")


def to_text(value: Any) -> str:
    """A property value as HubSpot takes it (text; datetimes ISO 8601; booleans true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return ";".join(to_text(v) for v in value)
    return str(value)


def properties(fields: Mapping[str, Any]) -> dict[str, str]:
    """Fields as HubSpot properties; None is left out, so a blank never overwrites a value."""
    return {k: to_text(v) for k, v in fields.items() if v is not None}


def chunks(items: Sequence[T], key: Callable[[T], str], size: int = BATCH) -> list[list[T]]:
    """Batches of at most `size`, never holding one key twice (HubSpot refuses duplicate ids in a batch)."""
    out: list[list[T]] = []
    current: list[T] = []
    keys: set[str] = set()
    for item in items:
        k = key(item).casefold()
        if len(current) >= size or k in keys:
            out.append(current)
            current, keys = [], set()
        current.append(item)
        keys.add(k)
    if current:
        out.append(current)
    return out


def bisect(
    send: Callable[[list[T]], list[RecordResult]], ref: Callable[[T], str], items: list[T]
) -> list[RecordResult]:
    """Send a batch; when HubSpot refuses all of it, split until the refused records stand alone."""
    try:
        return send(items)
    except Refused as refused:
        if len(items) == 1:
            return [RecordResult(ref(items[0]), error=_lone(refused))]
    half = len(items) // 2
    return bisect(send, ref, items[:half]) + bisect(send, ref, items[half:])


def _lone(refused: Refused) -> RecordRejected:
    if refused.code == "CONFLICT" and refused.existing_id:
        message = f"another contact ({refused.existing_id}) already has this value; nothing was overwritten"
        return RecordRejected("CONFLICT", message, refused.fields or ("email",))
    return RecordRejected(refused.code, refused.message, refused.fields)


def _errors_by_id(errors: Sequence[Any]) -> dict[str, RecordRejected]:
    out: dict[str, RecordRejected] = {}
    for entry in errors or []:
        raw = entry.to_dict() if hasattr(entry, "to_dict") else dict(entry)
        for key in (raw.get("context") or {}).get("ids") or []:
            out[str(key).casefold()] = record_error(raw)
    return out


class Writer:
    """Contact writes through one transport."""

    def __init__(self, transport: Transport) -> None:
        self.t = transport
        self.batch = transport.client.crm.contacts.batch_api

    def upsert(self, items: Sequence[UpsertItem]) -> list[RecordResult]:
        """Create or update by ``rapport_id``; one result per item, in order."""
        results: list[RecordResult] = []
        for chunk in chunks(items, lambda i: i.link_id):
            results.extend(bisect(self._upsert, lambda i: i.link_id, chunk))
        return results

    def _upsert(self, items: list[UpsertItem]) -> list[RecordResult]:
        inputs = [
            SimplePublicObjectBatchInputUpsert(
                id=i.link_id, id_property=LINK_PROPERTY, properties={**properties(i.fields), LINK_PROPERTY: i.link_id}
            )
            for i in items
        ]
        data, _ = self.t.call(self.batch.upsert_with_http_info, BatchInputSimplePublicObjectBatchInputUpsert(inputs))
        by_link = {str((o.properties or {}).get(LINK_PROPERTY) or "").casefold(): o for o in data.results or []}
        errors = _errors_by_id(getattr(data, "errors", None) or [])
        out = []
        for item in items:
            key = item.link_id.casefold()
            obj = by_link.get(key)
            if obj is not None:
                out.append(RecordResult(item.link_id, str(obj.id), created=bool(obj.new)))
            else:
                error = errors.get(key) or RecordRejected("NO_RESULT", "HubSpot returned no result for this record")
                out.append(RecordResult(item.link_id, error=error))
        return out

    def update(self, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> list[RecordResult]:
        """Update by HubSpot id; ids that no longer exist come back as record errors."""
        results: list[RecordResult] = []
        for chunk in chunks(list(updates), lambda u: u[0]):
            results.extend(bisect(self._update, lambda u: u[0], chunk))
        return results

    def _update(self, updates: list[tuple[str, Mapping[str, Any]]]) -> list[RecordResult]:
        inputs = [SimplePublicObjectBatchInput(id=crm_id, properties=properties(fields)) for crm_id, fields in updates]
        data, _ = self.t.call(self.batch.update_with_http_info, BatchInputSimplePublicObjectBatchInput(inputs))
        done = {str(o.id) for o in data.results or []}
        errors = _errors_by_id(getattr(data, "errors", None) or [])
        missing = RecordRejected("OBJECT_NOT_FOUND", "the contact no longer exists in HubSpot (deleted or merged)")
        return [
            RecordResult(crm_id, crm_id) if crm_id in done else RecordResult(crm_id, error=errors.get(crm_id, missing))
            for crm_id, _ in updates
        ]

    def archive(self, ids: Sequence[str]) -> list[RecordResult]:
        """Archive (HubSpot's delete) by id; an id already gone counts as archived."""
        for chunk in chunks(ids, str):
            body = BatchInputSimplePublicObjectId(inputs=[{"id": i} for i in chunk])
            self.t.call(self.batch.archive_with_http_info, body)
        return [RecordResult(i, i) for i in ids]
