"""What the mapper reads from the CRM side and what it returns."""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from typing import Any

from mappings.conflict import Decision


@dataclass(frozen=True)
class CrmRecord:
    """One CRM record as the mapper needs it.

    ``values``: the CRM's field values by API name. ``modified_at``: the record-level change time
    (Salesforce ``SystemModstamp``/``LastModifiedDate``, HubSpot ``lastmodifieddate``), ISO 8601.
    ``field_modified_at``: per-field times when the CRM gives them (HubSpot property history).
    ``last_written``: the values Rapport last wrote to this record, by field (``ExternalPayload.fields``
    of the last successful push, merged over earlier ones); None when Rapport never wrote it. A field
    equal to what Rapport wrote was not changed in the CRM: this is also echo suppression.
    """

    values: MappingABC[str, Any]
    modified_at: str | None = None
    field_modified_at: MappingABC[str, str] = field(default_factory=dict)
    last_written: MappingABC[str, Any] | None = None
    id: str | None = None


@dataclass(frozen=True)
class FieldError:
    """A record-level error for one field: the record's other fields still sync."""

    field: str
    source: str | None
    reason: str
    value: Any = None

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


@dataclass(frozen=True)
class ExternalPayload:
    """What to write to one CRM record: ``fields`` by API name, with the decisions that chose them."""

    fields: dict[str, Any]
    errors: list[FieldError]
    decisions: list[Decision]


@dataclass(frozen=True)
class Patch:
    """A CRM change turned into unified-customer values (``values`` by attribute), with its decisions.

    ``changed_at`` gives, per attribute, the CRM change time to record as the value's provenance.
    """

    values: dict[str, Any]
    decisions: list[Decision]
    errors: list[FieldError]
    changed_at: dict[str, str | None] = field(default_factory=dict)
