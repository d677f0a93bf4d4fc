"""The Salesforce adapter: the `Adapter` protocol over simple-salesforce (see docs/design/salesforce.md)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from adapters.base import (
    ChangePage,
    ConfigError,
    ExternalRecord,
    InteractionItem,
    RecordResult,
    UpsertItem,
)
from adapters.salesforce import bulk, permissions, reads, setup, writes
from adapters.salesforce.client import Client
from adapters.salesforce.config import OBJECTS, SalesforceConfig
from adapters.schema import ObjectSchema, from_salesforce_describe


class SalesforceAdapter:
    """One Salesforce connection: Contact and Lead records by `Rapport_Id__c`, social history as
    `Rapport_Social_Interaction__c` rows."""

    def __init__(self, cfg: SalesforceConfig) -> None:
        self.cfg = cfg
        self.client = Client(cfg)
        self._fields: dict[str, list[str]] = {}

    @property
    def api_calls(self) -> int:
        """HTTP calls made to the Salesforce API by this adapter."""
        return self.client.calls

    def _describe_raw(self, sobject: str) -> dict[str, Any]:
        raw: dict[str, Any] = self.client.rest("GET", f"sobjects/{sobject}/describe", idempotent=True)
        self._fields[sobject] = [
            f["name"] for f in raw["fields"] if f.get("type") not in {"base64", "address", "location"}
        ]
        return raw

    def _field_names(self, sobject: str) -> list[str]:
        if sobject not in self._fields:
            self._describe_raw(sobject)
        return self._fields[sobject]

    def _needs(self) -> dict[str, list[setup.Need]]:
        return setup.requirements([OBJECTS[o] for o in self.cfg.objects], self.cfg.social_history)

    def check(self) -> None:
        """Log in and verify the org has every Rapport field and the social history object."""
        messages, _, _ = setup.problems(self.client, self._needs())
        if messages:
            raise ConfigError(
                f"Salesforce connection {self.cfg.name} is not ready: {'; '.join(messages)}. "
                f"Run `rapport setup {self.cfg.name}` (or create them as described in docs/design/salesforce.md)."
            )

    def setup(self) -> list[str]:
        """Create what is missing (Tooling API) and grant the integration user access to it (a permission set);
        one line per change, none when the org was ready."""
        needs = self._needs()
        _, missing, objects = setup.problems(self.client, needs)
        lines = setup.create(self.client, missing, objects)
        custom = [o for o in needs if o.endswith("__c")]
        lines += permissions.grant(self.client, needs, custom)
        self._fields.clear()
        remaining, _, _ = setup.problems(self.client, needs)
        if remaining:
            raise ConfigError(f"Salesforce setup could not fix: {'; '.join(remaining)}")
        return lines

    def describe(self, object: str) -> ObjectSchema:
        """The object's fields as Salesforce describes them."""
        return from_salesforce_describe(self._describe_raw(self.cfg.sobject(object)))

    def list_changes(self, object: str, since: str | None) -> Iterator[ChangePage]:
        """Pages of changes at or after the cursor (deletions included), with a cursor after each page."""
        sobject = self.cfg.sobject(object)
        fields = self._field_names(sobject)
        return reads.changes(self.client, sobject, fields, since)

    def get_by_ids(self, object: str, ids: Sequence[str]) -> list[ExternalRecord]:
        """Live records with these ids."""
        sobject = self.cfg.sobject(object)
        return reads.by_ids(self.client, sobject, self._field_names(sobject), ids)

    def upsert_batch(self, object: str, items: Sequence[UpsertItem]) -> list[RecordResult]:
        """Create or update by `Rapport_Id__c`: sObject Collections, or Bulk API 2.0 above the bulk threshold."""
        sobject = self.cfg.sobject(object)
        if len(items) > self.cfg.bulk_threshold:
            return bulk.upsert(self.client, sobject, writes.LINK_FIELD, items)
        return writes.upsert(self.client, sobject, items)

    def update_batch(self, object: str, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> list[RecordResult]:
        """Update by Salesforce id."""
        return writes.update(self.client, self.cfg.sobject(object), updates)

    def delete_batch(self, object: str, ids: Sequence[str]) -> list[RecordResult]:
        """Delete by Salesforce id (to the recycle bin); ids already gone count as deleted."""
        self.cfg.sobject(object)
        return writes.delete(self.client, ids)

    def write_interactions(self, items: Sequence[InteractionItem]) -> list[RecordResult]:
        """Upsert social history rows by `network:id`."""
        if not self.cfg.social_history:
            raise ConfigError(f"connection {self.cfg.name} has social_history: false")
        return writes.interactions(self.client, items)
