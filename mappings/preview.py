"""Preview: for one customer, the payload a push would send and the field-by-field difference from what
the CRM holds now (served by ``POST /v1/connections/{name}/mappings/preview``). Pure: nothing is written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from typing import Any, Literal

from adapters.schema import ObjectSchema
from mappings.attributes import is_blank
from mappings.mapper import Mapper, Outcome, Provenance
from mappings.model import Mapping
from mappings.records import CrmRecord, FieldError

Change = Literal["set", "update", "unchanged", "pull", "keep", "error"]


@dataclass(frozen=True)
class FieldDiff:
    """One CRM field: what it holds now, what the hub would write, and why.

    ``change``: set (new record), update (the hub writes ``proposed``), unchanged (both agree),
    pull (the CRM's value would go into the hub), keep (nothing moves; see ``reason``), error.
    """

    field: str
    source: str | None
    current: Any
    proposed: Any
    change: Change
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the API."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Preview:
    """The payload a push would send, every field's difference, and the record-level errors."""

    payload: dict[str, Any]
    diffs: list[FieldDiff]
    errors: list[FieldError]
    patch: dict[str, Any]

    def counts(self) -> dict[str, int]:
        """How many fields fall in each kind of change (a dry run's summary)."""
        return dict(Counter(d.change for d in self.diffs))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the API."""
        return {
            "payload": self.payload,
            "patch": self.patch,
            "diffs": [d.to_dict() for d in self.diffs],
            "errors": [{"field": e.field, "source": e.source, "reason": e.reason} for e in self.errors],
            "counts": self.counts(),
        }


def preview(
    mapping: Mapping,
    customer: MappingABC[str, Any],
    crm_record: CrmRecord | None,
    *,
    link_id: str | None = None,
    provenance: Provenance | None = None,
    crm_name: str = "CRM",
    schema: ObjectSchema | None = None,
) -> Preview:
    """What a sync of ``customer`` would do against ``crm_record`` (None: the record does not exist yet)."""
    mapper = Mapper(crm_name, schema)
    payload = mapper.to_external(mapping, customer, link_id=link_id, provenance=provenance, crm=crm_record)
    patch = mapper.to_patch(mapping, crm_record, customer=customer, provenance=provenance) if crm_record else None
    outcomes = mapper.evaluate(mapping, customer, crm_record, link_id=link_id, provenance=provenance)
    diffs = [_diff(o, crm_record is None, crm_name) for o in outcomes]
    errors = payload.errors + (patch.errors if patch else [])
    return Preview(payload.fields, diffs, errors, patch.values if patch else {})


def _diff(o: Outcome, new_record: bool, crm_name: str) -> FieldDiff:
    f = o.field
    if o.error is not None:
        return FieldDiff(f.target, f.source, o.crm_value, None, "error", o.error.reason)
    if new_record:
        if f.pushes and not is_blank(o.hub_value):
            return FieldDiff(f.target, f.source, None, o.hub_value, "set", f"new {crm_name} record")
        return FieldDiff(f.target, f.source, None, None, "keep", "nothing to send")
    if o.decision is None:
        return FieldDiff(f.target, f.source, o.crm_value, o.hub_value, "unchanged", "both sides agree")
    action = o.decision.action
    change: Change = "update" if action == "push" else "pull" if action == "pull" else "keep"
    return FieldDiff(f.target, f.source, o.crm_value, o.hub_value, change, o.decision.text)
