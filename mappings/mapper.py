"""Both directions of a mapping: customer -> CRM payload, CRM record -> customer patch.

Each field is evaluated once (``Mapper.evaluate``): its hub value in CRM form, the CRM's value in
hub form, and, when they differ, the policy's decision. ``to_external``, ``to_patch`` and ``preview``
are views of that one evaluation, so the three can never disagree. A value that fails a transform
becomes a FieldError for that field of that record; nothing else is held back.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, replace
from typing import Any

from adapters.schema import FieldSchema, ObjectSchema
from mappings.attributes import is_blank
from mappings.conflict import Decision, Facts, resolve
from mappings.errors import TransformError
from mappings.model import FieldMapping, Mapping
from mappings.records import CrmRecord, ExternalPayload, FieldError, Patch
from mappings.transforms import Context
from mappings.values import hub_changed_at, instant, same

Provenance = MappingABC[str, MappingABC[str, Any]]


@dataclass(frozen=True)
class Outcome:
    """One field of one record after evaluation (``decision`` is None when the sides agree)."""

    field: FieldMapping
    hub_value: Any
    crm_value: Any
    crm_in: Any
    decision: Decision | None
    error: FieldError | None
    error_side: str | None = None


class Mapper:
    """Applies mappings for one CRM. ``crm_name`` names it in decisions ("Salesforce won: ...");
    ``schema`` (optional) adds runtime guards (restricted picklists, lengths) and the field lengths
    that a bare ``truncate`` uses."""

    def __init__(self, crm_name: str = "CRM", schema: ObjectSchema | None = None) -> None:
        self.crm_name = crm_name
        self.schema = schema

    def may_create(self, mapping: Mapping, customer: MappingABC[str, Any]) -> bool:
        """True when a customer with no record in this CRM should get one (``create`` and ``filter``)."""
        return mapping.create and (mapping.filter is None or mapping.filter.matches(customer))

    def to_external(
        self,
        mapping: Mapping,
        customer: MappingABC[str, Any],
        *,
        link_id: str | None,
        provenance: Provenance | None = None,
        crm: CrmRecord | None = None,
    ) -> ExternalPayload:
        """The fields to write for ``customer``: all non-blank pushed values for a new record
        (``crm`` None), else only those the conflict policies send."""
        outcomes = self.evaluate(mapping, customer, crm, link_id=link_id, provenance=provenance)
        fields: dict[str, Any] = {}
        for o in outcomes:
            if not o.field.pushes or o.error_side == "hub":
                continue
            new_value = crm is None and not is_blank(o.hub_value)
            if new_value or (o.decision is not None and o.decision.action == "push"):
                fields[o.field.target] = o.hub_value
        errors = [o.error for o in outcomes if o.error is not None and o.error_side == "hub"]
        return ExternalPayload(fields, errors, _decisions(outcomes, "push"))

    def to_patch(
        self,
        mapping: Mapping,
        crm_record: CrmRecord,
        *,
        customer: MappingABC[str, Any] | None = None,
        provenance: Provenance | None = None,
    ) -> Patch:
        """Turn a CRM change into a patch of the unified record (``customer`` None: not linked yet)."""
        outcomes = self.evaluate(mapping, customer or {}, crm_record, provenance=provenance)
        values: dict[str, Any] = {}
        changed_at: dict[str, str | None] = {}
        for o in outcomes:
            if o.field.pulls and o.decision is not None and o.decision.action == "pull":
                assert o.field.source is not None  # pulled fields always name their source (loader rule)
                values[o.field.source] = o.crm_in
                changed_at[o.field.source] = o.decision.crm_at
        errors = [o.error for o in outcomes if o.error is not None and o.error_side == "crm"]
        return Patch(values, _decisions(outcomes, "pull"), errors, changed_at)

    def evaluate(
        self,
        mapping: Mapping,
        customer: MappingABC[str, Any],
        crm: CrmRecord | None,
        *,
        link_id: str | None = None,
        provenance: Provenance | None = None,
    ) -> list[Outcome]:
        """Evaluate every field of ``mapping`` for one customer and (optionally) its CRM record."""
        return [self._field(f, customer, crm, link_id, provenance) for f in mapping.fields]

    def _field(
        self,
        field: FieldMapping,
        customer: MappingABC[str, Any],
        crm: CrmRecord | None,
        link_id: str | None,
        provenance: Provenance | None,
    ) -> Outcome:
        fs = self.schema.get(field.target) if self.schema else None
        crm_value = crm.values.get(field.target) if crm else None
        try:
            hub_value = self._hub_value(field, customer, link_id, fs)
        except _FieldFailureError as failure:
            error = FieldError(field.target, field.source, failure.reason, failure.value)
            return Outcome(field, None, crm_value, None, None, error, "hub")
        crm_error: FieldError | None = None
        crm_in = None
        if crm is not None:
            try:
                crm_in = self._crm_in(field, crm_value)
            except _FieldFailureError as failure:
                # An unreadable CRM value is never taken, but the hub may still write over it.
                crm_error = FieldError(field.target, field.source, failure.reason, failure.value)
        side = "crm" if crm_error else None
        if crm is None or _in_sync(field, customer, hub_value, crm_value, crm_in):
            return Outcome(field, hub_value, crm_value, crm_in, None, crm_error, side)
        facts = self._facts(field, customer, crm, hub_value, crm_value, provenance, readable=crm_error is None)
        decision = replace(resolve(facts), record=crm.id)
        return Outcome(field, hub_value, crm_value, crm_in, decision, crm_error, side)

    def _hub_value(
        self, field: FieldMapping, customer: MappingABC[str, Any], link_id: str | None, fs: FieldSchema | None
    ) -> Any:
        if field.source is None:
            value: Any = None
        elif field.source == "link_id":
            value = link_id
        else:
            value = customer.get(field.source)
        if not field.pushes:
            return value  # pull-only: compared in hub form
        ctx = Context(customer=customer, link_id=link_id, field_length=fs.length if fs else None)
        for step in field.steps:
            try:
                value = step.push(value, ctx)
            except TransformError as exc:
                raise _FieldFailureError(f"{step.name}: {exc}", value) from exc
        _guard(value, fs)
        return value

    @staticmethod
    def _crm_in(field: FieldMapping, value: Any) -> Any:
        if not field.pulls:
            return None
        for step in reversed(field.steps):
            if step.pull is None:
                return None
            try:
                value = step.pull(value)
            except TransformError as exc:
                raise _FieldFailureError(f"reading the CRM value: {step.name}: {exc}", value) from exc
        return value

    def _facts(
        self,
        field: FieldMapping,
        customer: MappingABC[str, Any],
        crm: CrmRecord,
        hub_value: Any,
        crm_value: Any,
        provenance: Provenance | None,
        *,
        readable: bool = True,
    ) -> Facts:
        written = crm.last_written
        known = written is not None and field.target in written
        last = written.get(field.target) if written is not None else None
        return Facts(
            target=field.target,
            source=field.source,
            policy=field.conflict,
            hub_value=hub_value,
            crm_value=crm_value,
            hub_changed=(not same(hub_value, last)) if known and field.pushes else None,
            crm_changed=(not same(crm_value, last)) if known else None,
            hub_at=hub_changed_at(field.reads, customer, provenance),
            crm_at=instant(crm.field_modified_at.get(field.target) or crm.modified_at),
            can_push=field.pushes,
            can_pull=field.pulls and readable,
            crm_readable=readable,
            crm_name=self.crm_name,
        )


class _FieldFailureError(Exception):
    def __init__(self, reason: str, value: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = value


def _guard(value: Any, fs: FieldSchema | None) -> None:
    """Refuse what the CRM would refuse, as a field error here rather than a rejected record there."""
    if fs is None or is_blank(value):
        return
    if fs.restricted_picklist and fs.picklist is not None and str(value) not in fs.picklist:
        raise _FieldFailureError(f"'{value}' is not an allowed value of the restricted picklist {fs.name}", value)
    if fs.length is not None and isinstance(value, str) and len(value) > fs.length:
        raise _FieldFailureError(f"value is {len(value)} characters, {fs.name} holds {fs.length}", value)


def _in_sync(field: FieldMapping, customer: MappingABC[str, Any], hub_value: Any, crm_value: Any, crm_in: Any) -> bool:
    if same(hub_value, crm_value):
        return True
    return field.pulls and field.source is not None and same(customer.get(field.source), crm_in)


def _decisions(outcomes: list[Outcome], direction: str) -> list[Decision]:
    """Decisions relevant to one direction: every push decision for a push, pull for a pull, and the
    'no change' ones to whichever direction the field can flow."""
    out = []
    for o in outcomes:
        d = o.decision
        if d is None:
            continue
        if d.action == direction or (d.action == "none" and (o.field.pushes if direction == "push" else o.field.pulls)):
            out.append(d)
    return out
