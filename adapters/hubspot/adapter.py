"""`HubSpotAdapter`: the `Adapter` protocol over HubSpot's CRM v3 API, through hubspot-api-client."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from adapters.base import ChangePage, ConfigError, ExternalRecord, InteractionItem, RecordResult, UpsertItem
from adapters.hubspot.config import HubSpotConfig
from adapters.hubspot.notes import NoteWriter
from adapters.hubspot.reads import Reader
from adapters.hubspot.setup import Setup
from adapters.hubspot.transport import Transport
from adapters.hubspot.writes import Writer
from adapters.schema import ObjectSchema, from_hubspot_properties

OBJECTS = {"contact": "contacts", "contacts": "contacts"}


class HubSpotAdapter:
    """One HubSpot connection (a portal reached with a private-app token or OAuth)."""

    def __init__(self, config: HubSpotConfig, sleep: Callable[[float], None] | None = None) -> None:
        self.config = config
        self.transport = Transport(config, sleep) if sleep else Transport(config)
        self._reader = Reader(self.transport, config.properties)
        self._writer = Writer(self.transport)
        self._notes = NoteWriter(self.transport)
        self._setup = Setup(self.transport)

    def __repr__(self) -> str:
        return f"HubSpotAdapter({self.config.name!r}, {self.config.base_url!r})"

    @property
    def api_calls(self) -> int:
        """HubSpot API calls made by this adapter (retries included)."""
        return self.transport.calls

    def _object(self, object: str) -> str:
        found = OBJECTS.get(object)
        if found is None:
            raise ConfigError(f"connection {self.config.name}: HubSpot syncs contacts, not {object!r}")
        return found

    def check(self) -> None:
        """Verify the credentials and that the portal has Rapport's properties (ConfigError names the missing)."""
        self._setup.check(self.config.name)
        if not self.config.oauth:  # the usage endpoint reports private apps only
            self._setup.daily_usage()

    def setup(self) -> list[str]:
        """Create Rapport's properties where missing (idempotent); what was created, empty when ready."""
        return self._setup.create()

    def describe(self, object: str) -> ObjectSchema:
        """The contact properties: types, enumeration options, read-only and unique flags."""
        object_type = self._object(object)
        return from_hubspot_properties({"results": list(self._setup.properties(object_type).values())}, object)

    def list_changes(self, object: str, since: str | None) -> Iterator[ChangePage]:
        """Pages of changed contacts (and archived or merged ones) since the cursor; save each page's cursor."""
        self._object(object)
        return self._reader.changes(since)

    def get_by_ids(self, object: str, ids: Sequence[str]) -> list[ExternalRecord]:
        """Current contacts by HubSpot id; missing or archived ones are left out."""
        self._object(object)
        return self._reader.get_by_ids(list(ids))

    def upsert_batch(self, object: str, items: Sequence[UpsertItem]) -> list[RecordResult]:
        """Create or update contacts by ``rapport_id``, 100 per call; per-record results in order."""
        self._object(object)
        return self._writer.upsert(items)

    def update_batch(self, object: str, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> list[RecordResult]:
        """Update contacts by HubSpot id (to write the link id on pulled contacts)."""
        self._object(object)
        return self._writer.update(updates)

    def delete_batch(self, object: str, ids: Sequence[str]) -> list[RecordResult]:
        """Archive contacts by HubSpot id."""
        self._object(object)
        return self._writer.archive(ids)

    def write_interactions(self, items: Sequence[InteractionItem]) -> list[RecordResult]:
        """Social history as notes on contacts, idempotent by interaction key."""
        return self._notes.write(items)
