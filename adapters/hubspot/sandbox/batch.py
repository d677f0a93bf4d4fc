"""Batch and single-object operations on the portal (no HTTP here): HubSpot's rules for each endpoint.

Whole-batch refusals (400 for invalid values, 409 for an email or unique value that belongs to another record)
apply nothing; per-input failures that HubSpot reports in a 207 (ids not found) leave the other inputs applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.hubspot.sandbox.errors import SandboxError, bad_request
from adapters.hubspot.sandbox.properties import now_iso
from adapters.hubspot.sandbox.store import Obj, Portal

MAX_INPUTS = 100
TYPE_IDS = {"contacts": "0-1", "notes": "0-46"}
ASSOCIATION_TYPES = {("notes", "contacts"): 202, ("contacts", "notes"): 201}


def inputs_of(body: Any, limit: int = MAX_INPUTS) -> list[dict[str, Any]]:
    """The ``inputs`` of a batch body, refusing an empty or oversized batch."""
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise bad_request("Invalid input JSON: inputs must be a list of objects")
    if len(inputs) > limit:
        raise bad_request(f"Batch input size {len(inputs)} exceeds the limit of {limit}", "TOO_MANY_INPUTS")
    return inputs


def batch_response(results: list[dict[str, Any]], errors: list[dict[str, Any]], started: str) -> dict[str, Any]:
    """HubSpot's BatchResponse(WithErrors) body."""
    body: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": now_iso()}
    if errors:
        body.update({"numErrors": len(errors), "errors": errors})
    return body


def not_found_error(object_type: str, ids: Sequence[str]) -> dict[str, Any]:
    """The per-input error HubSpot puts in a 207 for ids that do not exist (or are archived)."""
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": f"Could not get some {object_type.upper()[:-1]} objects, they may be deleted or not exist.",
        "context": {"ids": list(ids)},
        "errors": [],
    }


def _no_duplicates(values: list[str], what: str) -> None:
    folded = [v.casefold() for v in values if v]
    if len(folded) != len(set(folded)):
        raise bad_request(f"Duplicate {what} found in batch input", "DUPLICATE_INPUT")


def _props(item: Mapping[str, Any]) -> dict[str, Any]:
    props = item.get("properties")
    if not isinstance(props, dict):
        raise bad_request("Invalid input JSON: properties must be an object")
    return props


def create_many(portal: Portal, object_type: str, inputs: list[dict[str, Any]]) -> list[Obj]:
    """Create every input or none (400/409)."""
    cleaned = []
    _no_duplicates([str(_props(i).get("email") or "") for i in inputs], "emails")
    for index, item in enumerate(inputs):
        clean = portal.validate(object_type, _props(item), None, index)
        if object_type == "notes" and not clean.get("hs_timestamp"):
            raise SandboxError(400, "VALIDATION_ERROR", "hs_timestamp is required to create a note")
        _check_associations(portal, object_type, item.get("associations") or [])
        cleaned.append((clean, item.get("associations") or []))
    created = []
    for clean, assocs in cleaned:
        obj = portal.create(object_type, clean)
        for assoc in assocs:
            to_type = "contacts" if object_type == "notes" else "notes"
            portal.associations.add((object_type, obj.id, to_type, str(assoc["to"]["id"]),
                                     int(assoc["types"][0]["associationTypeId"])))  # fmt: skip
        created.append(obj)
    return created


def _check_associations(portal: Portal, object_type: str, assocs: list[Any]) -> None:
    to_type = "contacts" if object_type == "notes" else "notes"
    for assoc in assocs:
        try:
            to_id, type_id = str(assoc["to"]["id"]), int(assoc["types"][0]["associationTypeId"])
        except (KeyError, IndexError, TypeError, ValueError):
            raise bad_request("Invalid association input") from None
        if type_id != ASSOCIATION_TYPES.get((object_type, to_type)) or portal.find(to_type, "id", to_id) is None:
            raise bad_request(f"Invalid association to {to_type} {to_id} with type {type_id}", "INVALID_ASSOCIATION")


def update_many(
    portal: Portal, object_type: str, inputs: list[dict[str, Any]]
) -> tuple[list[Obj], list[dict[str, Any]]]:
    """Update by id (or ``idProperty``); ids not found become 207 errors, invalid values refuse the batch."""
    _no_duplicates([str(i.get("id") or "") for i in inputs], "IDs")
    plan: list[tuple[Obj, dict[str, str]]] = []
    missing: list[str] = []
    for index, item in enumerate(inputs):
        key = str(item.get("id") or "")
        obj = portal.find(object_type, str(item.get("idProperty") or "id"), key)
        if obj is None:
            missing.append(key)
            continue
        plan.append((obj, portal.validate(object_type, _props(item), obj, index)))
    updated = [portal.update(object_type, obj, clean) for obj, clean in plan]
    return updated, [not_found_error(object_type, missing)] if missing else []


def upsert_many(portal: Portal, object_type: str, inputs: list[dict[str, Any]]) -> list[tuple[Obj, bool]]:
    """Create or update by a unique ``idProperty`` (never email-matching by accident); all or nothing."""
    keys = []
    for item in inputs:
        name = str(item.get("idProperty") or "")
        spec = portal.properties[object_type].get(name)
        if spec is None or not (spec.get("hasUniqueValue") or (object_type == "contacts" and name == "email")):
            raise bad_request(f"idProperty {name!r} is not a unique property of {object_type}", "INVALID_ID_PROPERTY")
        keys.append(str(item.get("id") or ""))
    if not all(keys):
        raise bad_request("Every upsert input needs an id (the idProperty value)")
    _no_duplicates(keys, "IDs")
    _no_duplicates([str(_props(i).get("email") or "") for i in inputs], "emails")
    plan = []
    for index, (item, key) in enumerate(zip(inputs, keys, strict=True)):
        name = str(item["idProperty"])
        obj = portal.find(object_type, name, key)
        clean = portal.validate(object_type, {**_props(item), name: key}, obj, index)
        if obj is None and object_type == "notes" and not clean.get("hs_timestamp"):
            raise SandboxError(400, "VALIDATION_ERROR", "hs_timestamp is required to create a note")
        plan.append((obj, clean))
    return [
        (portal.update(object_type, obj, clean), False) if obj else (portal.create(object_type, clean), True)
        for obj, clean in plan
    ]


def read_many(
    portal: Portal, object_type: str, inputs: list[dict[str, Any]], id_property: str | None, archived: bool
) -> tuple[list[Obj], list[dict[str, Any]]]:
    """Read by id (or a unique property); missing ids become a 207 error."""
    found, missing = [], []
    for item in inputs:
        key = str(item.get("id") or "")
        obj = portal.find(object_type, id_property or "id", key, archived=archived)
        if obj is None:
            missing.append(key)
        else:
            found.append(obj)
    return found, [not_found_error(object_type, missing)] if missing else []


def associate_many(
    portal: Portal, from_type: str, to_type: str, inputs: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Associations v4 batch create: labelled pairs, and 207 errors for objects that do not exist."""
    results, errors = [], []
    for item in inputs:
        try:
            from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
            type_ids = [int(t["associationTypeId"]) for t in item["types"]]
        except (KeyError, TypeError, ValueError):
            raise bad_request("Invalid association input: from.id, to.id and types are required") from None
        if any(t != ASSOCIATION_TYPES.get((from_type, to_type)) for t in type_ids) or not type_ids:
            raise bad_request(f"Invalid association type {type_ids} from {from_type} to {to_type}")
        if portal.find(from_type, "id", from_id) is None or portal.find(to_type, "id", to_id) is None:
            errors.append({"status": "error", "category": "VALIDATION_ERROR", "errors": [],
                           "message": f"Object {from_type} {from_id} or {to_type} {to_id} does not exist",
                           "context": {"fromObjectId": [from_id], "toObjectId": [to_id]}})  # fmt: skip
            continue
        for type_id in type_ids:
            portal.associations.add((from_type, from_id, to_type, to_id, type_id))
        results.append({"fromObjectTypeId": TYPE_IDS[from_type], "fromObjectId": from_id,
                        "toObjectTypeId": TYPE_IDS[to_type], "toObjectId": to_id, "labels": []})  # fmt: skip
    return results, errors


def associations_of(portal: Portal, from_type: str, to_type: str, from_id: str) -> list[dict[str, Any]]:
    """Associations v4 read for one object: each associated id with its types."""
    found: dict[str, list[int]] = {}
    for a_from, a_id, a_to, to_id, type_id in sorted(portal.associations):
        if (a_from, a_id, a_to) == (from_type, from_id, to_type):
            found.setdefault(to_id, []).append(type_id)
        elif (a_to, to_id, a_from) == (from_type, from_id, to_type):
            found.setdefault(a_id, []).append(ASSOCIATION_TYPES[(from_type, to_type)])
    return [
        {"toObjectId": to, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": t, "label": None}
                                                for t in sorted(set(types))]}
        for to, types in found.items()
    ]  # fmt: skip
