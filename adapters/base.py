"""The adapter interface: how the hub talks to one connected system (a CRM or an internal service).

Adapters move raw provider payloads (field names and values as the provider has them); they never map fields
(that is `mappings/`). Errors are typed by what the caller should do about them:

- `ConfigError`: the connection is set up wrongly (missing fields in the CRM, bad URL): fix configuration.
- `AuthError`: credentials are wrong or expired and could not be refreshed: fix credentials.
- `RateLimited(retry_after)`: the provider asked us to slow down: pause and resume from the cursor.
- `RetriableError`: a transient fault (5xx, timeout) that survived the adapter's own retries: try again later.
- `RecordRejected(code, fields)`: one record was refused; it is reported per record, the batch goes on.

Every error carries a message a CRM admin can act on and never contains a credential.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from adapters.schema import ObjectSchema


class AdapterError(Exception):
    """Base of every adapter error; `str(error)` is safe to show to an admin."""


class ConfigError(AdapterError):
    """The connection's configuration is wrong (or the CRM lacks what Rapport needs)."""


class AuthError(AdapterError):
    """Authentication failed and could not be renewed."""


class RateLimited(AdapterError):
    """The provider's rate limit (burst or daily) is reached; `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RetriableError(AdapterError):
    """A transient failure that may succeed later (the adapter already retried within its budget)."""


class RecordRejected(AdapterError):
    """The provider refused one record: its own error `code`, the `fields` concerned, and its message."""

    def __init__(self, code: str, message: str, fields: Sequence[str] = ()) -> None:
        super().__init__(f"{code}: {message}" + (f" ({', '.join(fields)})" if fields else ""))
        self.code = code
        self.message = message
        self.fields = tuple(fields)


@dataclass(frozen=True, slots=True)
class ExternalRecord:
    """One record as the provider holds it: its id, its raw fields, and when it last changed."""

    id: str
    fields: Mapping[str, Any]
    modified_at: datetime | None = None
    object: str = "contact"


@dataclass(frozen=True, slots=True)
class ChangePage:
    """One page of changes since a cursor. Save `next_cursor` after processing the page, then ask again
    until `has_more` is False. `deleted` lists ids deleted, archived or merged away since the cursor."""

    records: Sequence[ExternalRecord]
    next_cursor: str | None
    has_more: bool
    deleted: Sequence[str] = ()
    merged_into: Mapping[str, str] = field(default_factory=dict)  # losing id -> surviving id, when known


@dataclass(frozen=True, slots=True)
class UpsertItem:
    """A record to create or update by Rapport's link id (the CRM's unique/External ID field)."""

    link_id: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class InteractionItem:
    """One interaction to write as social history, attached to a CRM record; idempotent by `key`."""

    key: str  # "network:id", unique per interaction
    parent_id: str  # the CRM record it belongs to
    parent_object: str  # contact or lead
    network: str
    kind: str | None
    direction: str | None
    text: str | None
    url: str | None
    occurred_at: datetime | None


@dataclass(frozen=True, slots=True)
class RecordResult:
    """The outcome for one item of a batch write, in input order. `ref` echoes the item's link id or id."""

    ref: str
    crm_id: str | None = None
    created: bool = False
    error: RecordRejected | None = None

    @property
    def ok(self) -> bool:
        """True when the provider accepted the record."""
        return self.error is None


class Adapter(Protocol):
    """One connection to one system. Implementations: memory, internal (HTTP), Salesforce, HubSpot."""

    @property
    def api_calls(self) -> int:
        """How many provider API calls this adapter has made (for run summaries)."""
        ...

    def check(self) -> None:
        """Verify credentials and that the system has what Rapport needs; raise `ConfigError`/`AuthError`."""
        ...

    def describe(self, object: str) -> ObjectSchema:
        """The object's fields: types, lengths, picklists, writability (for mapping validation)."""
        ...

    def list_changes(self, object: str, since: str | None) -> Iterator[ChangePage]:
        """Pages of records changed after `since` (None: everything), oldest first."""
        ...

    def get_by_ids(self, object: str, ids: Sequence[str]) -> list[ExternalRecord]:
        """The current records with these provider ids (missing ones are left out)."""
        ...

    def upsert_batch(self, object: str, items: Sequence[UpsertItem]) -> list[RecordResult]:
        """Create or update by link id; one result per item, in order."""
        ...

    def update_batch(self, object: str, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> list[RecordResult]:
        """Update records by provider id (records pulled before they carried a link id)."""
        ...

    def delete_batch(self, object: str, ids: Sequence[str]) -> list[RecordResult]:
        """Delete records by provider id (erasure); an id already gone counts as deleted."""
        ...

    def write_interactions(self, items: Sequence[InteractionItem]) -> list[RecordResult]:
        """Write social history rows; writing the same `key` again never duplicates."""
        ...
