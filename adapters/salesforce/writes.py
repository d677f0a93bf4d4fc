"""Writes through sObject Collections: upsert by the External ID `Rapport_Id__c` (200 records a call,
allOrNone=false, one result per record), update and delete by Salesforce id, and social history rows
upserted by `External_Id__c`. Upserts, updates and deletes are idempotent, so a retried or rerun batch never
duplicates a record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

from adapters.base import InteractionItem, RecordRejected, RecordResult, UpsertItem
from adapters.salesforce.client import Client
from adapters.salesforce.errors import record_error
from adapters.salesforce.reads import ID

LINK_FIELD = "Rapport_Id__c"
INTERACTION_OBJECT = "Rapport_Social_Interaction__c"
INTERACTION_KEY = "External_Id__c"
BATCH = 200
GONE = {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "MALFORMED_ID"}
PARENT_FIELDS = {"contact": "Contact__c", "lead": "Lead__c"}


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


def _result(ref: str, raw: Mapping[str, Any], *, upsert: bool) -> RecordResult:
    if raw.get("success"):
        return RecordResult(ref, raw.get("id"), created=bool(raw.get("created")) if upsert else False)
    return RecordResult(ref, raw.get("id"), error=record_error(raw.get("errors") or []))


def upsert_by_external_id(
    client: Client, sobject: str, field: str, rows: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[RecordResult]:
    """Upsert (ref, fields) rows by `field` in calls of 200; results in input order."""
    results: list[RecordResult] = []
    for chunk in _chunks(rows):
        body = {
            "allOrNone": False,
            "records": [{"attributes": {"type": sobject}, **fields, field: ref} for ref, fields in chunk],
        }
        path = f"composite/sobjects/{sobject}/{field}"
        raw = client.rest("PATCH", path, json=body, idempotent=True)
        results += [_result(ref, r, upsert=True) for (ref, _), r in zip(chunk, raw, strict=True)]
    return results


def upsert(client: Client, sobject: str, items: Sequence[UpsertItem]) -> list[RecordResult]:
    """Create or update contacts/leads by link id."""
    return upsert_by_external_id(client, sobject, LINK_FIELD, [(i.link_id, i.fields) for i in items])


def update(client: Client, sobject: str, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> list[RecordResult]:
    """Update by Salesforce id (records pulled before they carried a link id)."""
    results: list[RecordResult] = []
    for chunk in _chunks(updates):
        body = {
            "allOrNone": False,
            "records": [{"attributes": {"type": sobject}, **fields, "Id": rid} for rid, fields in chunk],
        }
        raw = client.rest("PATCH", "composite/sobjects", json=body, idempotent=True)
        results += [_result(rid, r, upsert=False) for (rid, _), r in zip(chunk, raw, strict=True)]
    return results


def delete(client: Client, ids: Sequence[str]) -> list[RecordResult]:
    """Delete by id; an id that is already gone (or never was) counts as deleted."""
    results: dict[str, RecordResult] = {i: RecordResult(i, i) for i in ids if not ID.match(i)}
    valid = [i for i in ids if ID.match(i)]
    for chunk in _chunks(valid):
        params = {"ids": ",".join(chunk), "allOrNone": "false"}
        raw = client.rest("DELETE", "composite/sobjects", params=params, idempotent=True)
        for rid, r in zip(chunk, raw, strict=True):
            result = _result(rid, r, upsert=False)
            if result.error is not None and result.error.code in GONE:
                result = RecordResult(rid, rid)
            results[rid] = result
    return [results[i] for i in ids]


def _interaction_row(item: InteractionItem) -> dict[str, Any]:
    row: dict[str, Any] = {
        PARENT_FIELDS[item.parent_object.lower().removesuffix("s")]: item.parent_id,
        "Network__c": item.network[:40],
        "Kind__c": item.kind,
        "Direction__c": item.direction,
        "Text__c": item.text[:32768] if item.text else None,
        "Url__c": item.url if item.url and len(item.url) <= 255 else None,  # a cut URL would be a wrong link
    }
    if item.occurred_at is not None:
        row["Occurred_At__c"] = item.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return row


def interactions(client: Client, items: Sequence[InteractionItem]) -> list[RecordResult]:
    """Social history rows upserted by `network:id`, attached to their contact or lead."""
    results: dict[int, RecordResult] = {}
    rows: list[tuple[int, str, dict[str, Any]]] = []
    for index, item in enumerate(items):
        if item.parent_object.lower().removesuffix("s") not in PARENT_FIELDS:
            error = RecordRejected(
                "INVALID_PARENT", f"social history attaches to a contact or lead, not {item.parent_object}"
            )
            results[index] = RecordResult(item.key, error=error)
        else:
            rows.append((index, item.key, _interaction_row(item)))
    written = upsert_by_external_id(client, INTERACTION_OBJECT, INTERACTION_KEY, [(k, r) for _, k, r in rows])
    for (index, _, _), result in zip(rows, written, strict=True):
        results[index] = result
    return [results[i] for i in range(len(items))]
