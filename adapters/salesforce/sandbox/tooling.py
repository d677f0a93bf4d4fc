"""The Tooling API's CustomField and CustomObject create calls (what `rapport setup` uses)."""

from __future__ import annotations

import itertools
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from adapters.salesforce.sandbox import catalog
from adapters.salesforce.sandbox.errors import ApiFault
from adapters.salesforce.sandbox.ids import make_id
from adapters.salesforce.sandbox.web import json_body, state

router = APIRouter()
T = "/services/data/v{version}/tooling/sobjects"
_numbers = itertools.count(1)


def _created(prefix: str) -> JSONResponse:
    body = {"id": make_id(prefix, next(_numbers)), "success": True, "errors": [], "warnings": [], "infos": []}
    return JSONResponse(body, status_code=201)


async def _payload(request: Request) -> tuple[str, dict[str, Any]]:
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("FullName"), str):
        raise ApiFault(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [FullName]", ["FullName"])
    metadata = body.get("Metadata")
    if not isinstance(metadata, dict):
        raise ApiFault(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Metadata]", ["Metadata"])
    return body["FullName"], metadata


@router.post(T + "/CustomField")
@router.post(T + "/CustomField/")
async def create_field(request: Request, version: str) -> JSONResponse:
    """Create a custom field `Object.Name__c` from its metadata."""
    org = state(request).org
    full_name, metadata = await _payload(request)
    obj_name, _, field_name = full_name.partition(".")
    obj = org.object_name(obj_name)
    if obj is None or not field_name.endswith("__c"):
        raise ApiFault(400, "FIELD_INTEGRITY_EXCEPTION", f"Invalid FullName {full_name!r}", ["FullName"])
    if org.field_spec(obj, field_name) is not None:
        message = f"There is already a field named {field_name.removesuffix('__c')} on {obj}."
        raise ApiFault(400, "DUPLICATE_DEVELOPER_NAME", message, [])
    if metadata.get("type") == "Lookup" and org.object_name(str(metadata.get("referenceTo"))) is None:
        raise ApiFault(400, "FIELD_INTEGRITY_EXCEPTION", "referenceTo: invalid object", ["referenceTo"])
    try:
        spec = catalog.field_from_metadata(field_name, metadata)
    except ValueError as exc:
        raise ApiFault(400, "FIELD_INTEGRITY_EXCEPTION", str(exc), []) from None
    org.add_field(obj, spec)
    return _created("00N")


@router.post(T + "/CustomObject")
@router.post(T + "/CustomObject/")
async def create_object(request: Request, version: str) -> JSONResponse:
    """Create a custom object `Name__c` (standard fields only; add fields with CustomField)."""
    org = state(request).org
    full_name, metadata = await _payload(request)
    if not full_name.endswith("__c") or "." in full_name:
        raise ApiFault(400, "FIELD_INTEGRITY_EXCEPTION", f"Invalid FullName {full_name!r}", ["FullName"])
    if org.object_name(full_name) is not None:
        raise ApiFault(400, "DUPLICATE_DEVELOPER_NAME", f"There is already an object named {full_name}.", [])
    for key in ("label", "pluralLabel", "nameField", "deploymentStatus", "sharingModel"):
        if not metadata.get(key):
            raise ApiFault(400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{key}]", [key])
    prefix = catalog.INTERACTION_PREFIX if full_name == catalog.INTERACTION_OBJECT else f"a{len(org.objects):02d}"
    org.objects[full_name] = catalog.object_from_metadata(full_name, metadata, prefix)
    return _created("01I")
