"""A real in-memory adapter: the reference implementation of the adapter contract.

`MemorySystem` plays the remote system (a CRM with one contact object): a unique link-id field, a unique
email like HubSpot's, required fields and lengths from its schema, a change sequence for cursors,
tombstones for deletions, an API-call counter, and fault injection (rate limits, outages). `MemoryAdapter` is
the connection to it. Tests and benchmarks use it where a network would only add noise.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from adapters.base import (
    ChangePage,
    ConfigError,
    ExternalRecord,
    InteractionItem,
    RateLimited,
    RecordRejected,
    RecordResult,
    RetriableError,
    UpsertItem,
)
from adapters.schema import FieldSchema, ObjectSchema

LINK_FIELD = "rapport_id"
MAX_TEXT = 1000


def default_schema() -> ObjectSchema:
    """The memory system's contact object: HubSpot's property names, and like HubSpot's properties API it
    documents no text lengths (the system still refuses values over `MAX_TEXT`, as HubSpot does)."""
    text = ["firstname", "lastname", "phone", "city", "country", "company", "jobtitle", "rapport_customer_id",
            "rapport_social_handles", "rapport_last_social_at"]  # fmt: skip
    fields = {name: FieldSchema(name, "string") for name in text}
    fields["email"] = FieldSchema("email", "email", unique=True)
    fields["rapport_social_followers"] = FieldSchema("rapport_social_followers", "number")
    fields[LINK_FIELD] = FieldSchema(LINK_FIELD, "string", unique=True, external_id=True)
    fields["lastmodifieddate"] = FieldSchema("lastmodifieddate", "datetime", createable=False, updateable=False)
    return ObjectSchema("contact", fields)


@dataclass
class MemorySystem:
    """The remote system's state. Edits made with `edit`/`create`/`delete` behave like a person's in the CRM."""

    schema: ObjectSchema = field(default_factory=default_schema)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)  # id -> change sequence number
    tombstones: dict[str, int] = field(default_factory=dict)
    interactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: int = 0
    faults: list[str] = field(default_factory=list)  # "rate_limit" or "outage", consumed one per call
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _seq: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _unique: dict[tuple[str, Any], str] = field(default_factory=dict)  # (field, folded value) -> record id

    def _unique_fields(self) -> list[str]:
        return [name for name, spec in self.schema.fields.items() if spec.unique]

    def _index(self, record_id: str, add: bool) -> None:
        record = self.records[record_id]
        for name in self._unique_fields():
            key = (name, _fold(record.get(name)))
            if key[1] in (None, ""):
                continue
            if add:
                self._unique[key] = record_id
            elif self._unique.get(key) == record_id:
                del self._unique[key]

    def call(self) -> None:
        """Count one API call and raise an injected fault if one is queued."""
        self.calls += 1
        if self.faults:
            fault = self.faults.pop(0)
            if fault == "rate_limit":
                raise RateLimited("rate limit reached (memory system)", retry_after=1.0)
            raise RetriableError("the system is unavailable (memory system)")

    def touch(self, record_id: str) -> None:
        """Mark a record changed now."""
        self.changed[record_id] = next(self._seq)
        self.records[record_id]["lastmodifieddate"] = datetime.now(UTC).isoformat()

    def create(self, fields: Mapping[str, Any]) -> str:
        """Create a record directly (as a person would in the CRM); returns its id."""
        record_id = f"m{next(self._ids):06d}"
        self.records[record_id] = {"id": record_id, **fields}
        self._index(record_id, add=True)
        self.touch(record_id)
        return record_id

    def edit(self, record_id: str, fields: Mapping[str, Any]) -> None:
        """Change fields directly (as a person would)."""
        self._index(record_id, add=False)
        self.records[record_id].update(fields)
        self._index(record_id, add=True)
        self.touch(record_id)

    def delete(self, record_id: str) -> None:
        """Delete a record directly."""
        if record_id in self.records:
            self._index(record_id, add=False)
        if self.records.pop(record_id, None) is not None:
            self.changed.pop(record_id, None)
            self.tombstones[record_id] = next(self._seq)

    def find(self, name: str, value: Any) -> str | None:
        """The id of the record whose field `name` equals `value` (unique fields)."""
        if value in (None, ""):
            return None
        return self._unique.get((name, _fold(value)))

    def reject(self, fields: Mapping[str, Any], own_id: str | None) -> RecordRejected | None:
        """Why the system would refuse these field values (unknown, read-only, too long, duplicate), or None."""
        for name, value in fields.items():
            spec = self.schema.get(name)
            if spec is None:
                return RecordRejected("PROPERTY_DOESNT_EXIST", f"no field {name!r}", [name])
            if not spec.writable:
                return RecordRejected("READ_ONLY_VALUE", f"{name} is read-only", [name])
            limit = spec.length or MAX_TEXT
            if isinstance(value, str) and len(value) > limit:
                return RecordRejected("STRING_TOO_LONG", f"{name} is longer than {limit}", [name])
            if spec.unique and name != LINK_FIELD:
                holder = self.find(name, value)
                if holder and holder != own_id:
                    return RecordRejected("DUPLICATE_VALUE", f"another record already has this {name}", [name])
        return None


def _fold(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class MemoryAdapter:
    """An adapter over a `MemorySystem` (see the module docstring)."""

    def __init__(self, system: MemorySystem, *, page_size: int = 100) -> None:
        self.system = system
        self.page_size = page_size

    @property
    def api_calls(self) -> int:
        """Calls made to the system (shared by every adapter on it)."""
        return self.system.calls

    def _object(self, object: str) -> None:
        if object != "contact":
            raise ConfigError(f"the memory system has no object {object!r} (only contact)")

    def check(self) -> None:
        """The system must have the link-id field."""
        self.system.call()
        if self.system.schema.get(LINK_FIELD) is None:
            raise ConfigError(f"the system lacks the field {LINK_FIELD}; run `rapport setup`")

    def describe(self, object: str) -> ObjectSchema:
        """The contact object's schema."""
        self._object(object)
        self.system.call()
        return self.system.schema

    def list_changes(self, object: str, since: str | None) -> Iterator[ChangePage]:
        """Pages of records (and tombstones) with a change sequence after `since`, oldest first."""
        self._object(object)
        after = int(since) if since else 0
        self.system.call()
        events = sorted(
            [(seq, rid, False) for rid, seq in self.system.changed.items() if seq > after]
            + [(seq, rid, True) for rid, seq in self.system.tombstones.items() if seq > after]
        )
        for start in range(0, max(len(events), 1), self.page_size):
            if start:
                self.system.call()
            page = events[start : start + self.page_size]
            if page:
                after = page[-1][0]
            yield ChangePage(
                records=[self._external(rid) for _, rid, gone in page if not gone],
                deleted=[rid for _, rid, gone in page if gone],
                next_cursor=str(after) if after else since,
                has_more=start + self.page_size < len(events),
            )

    def _external(self, record_id: str) -> ExternalRecord:
        record = self.system.records[record_id]
        modified = datetime.fromisoformat(record["lastmodifieddate"])
        return ExternalRecord(record_id, dict(record), modified)

    def get_by_ids(self, object: str, ids: Sequence[str]) -> list[ExternalRecord]:
        """The records that still exist among `ids`."""
        self._object(object)
        self.system.call()
        return [self._external(rid) for rid in ids if rid in self.system.records]

    def upsert_batch(self, object: str, items: Sequence[UpsertItem]) -> list[RecordResult]:
        """Create or update by `rapport_id`."""
        self._object(object)
        self.system.call()
        results = []
        for item in items:
            existing = self.system.find(LINK_FIELD, item.link_id)
            fields = {**item.fields, LINK_FIELD: item.link_id}
            error = self.system.reject(fields, existing)
            if error:
                results.append(RecordResult(item.link_id, existing, error=error))
            elif existing:
                self.system.edit(existing, fields)
                results.append(RecordResult(item.link_id, existing))
            else:
                results.append(RecordResult(item.link_id, self.system.create(fields), created=True))
        return results

    def update_batch(self, object: str, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> list[RecordResult]:
        """Update by record id; a missing record is rejected as deleted."""
        self._object(object)
        self.system.call()
        results = []
        for record_id, fields in updates:
            if record_id not in self.system.records:
                results.append(RecordResult(record_id, error=RecordRejected("ENTITY_IS_DELETED", "record is gone")))
                continue
            error = self.system.reject(fields, record_id)
            if error is None:
                self.system.edit(record_id, fields)
            results.append(RecordResult(record_id, record_id, error=error))
        return results

    def delete_batch(self, object: str, ids: Sequence[str]) -> list[RecordResult]:
        """Delete by id; an id already gone counts as deleted."""
        self._object(object)
        self.system.call()
        for record_id in ids:
            self.system.delete(record_id)
        return [RecordResult(record_id, record_id) for record_id in ids]

    def write_interactions(self, items: Sequence[InteractionItem]) -> list[RecordResult]:
        """Store social history rows keyed by interaction key (a repeat updates, never duplicates)."""
        self.system.call()
        results = []
        for item in items:
            if item.parent_id not in self.system.records:
                results.append(RecordResult(item.key, error=RecordRejected("ENTITY_IS_DELETED", "parent is gone")))
                continue
            created = item.key not in self.system.interactions
            self.system.interactions[item.key] = {"parent_id": item.parent_id, "text": item.text}
            results.append(RecordResult(item.key, item.key, created=created))
        return results
