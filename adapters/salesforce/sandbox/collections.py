"""sObject Collections: create, update, upsert by external id, delete and retrieve, up to 200 records a call
(2,000 ids to retrieve), with per-record results in order and allOrNone rollback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from adapters.salesforce.sandbox.errors import ApiFault, Outcome, RecordError
from adapters.salesforce.sandbox.org import Org
from adapters.salesforce.sandbox.state import Sandbox
from adapters.salesforce.sandbox.web import fault_response, json_body, origin, state

router = APIRouter()
C = "/services/data/v{version}/composite/sobjects"
LIMIT = 200
ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)


async def _records(request: Request) -> tuple[list[dict[str, Any]], bool]:
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise ApiFault(400, "JSON_PARSER_ERROR", "The request body must be an object with a records list")
    records = body["records"]
    if len(records) > LIMIT:
        message = f"record limit reached. cannot submit more than {LIMIT} records into this call"
        raise ApiFault(400, "EXCEEDED_ID_LIMIT", message)
    if not all(isinstance(r, dict) for r in records):
        raise ApiFault(400, "JSON_PARSER_ERROR", "Each record must be a JSON object")
    return records, bool(body.get("allOrNone", False))


def _type(org: Org, record: dict[str, Any], expected: str | None) -> str:
    declared = (record.get("attributes") or {}).get("type")
    if not declared:
        raise ApiFault(400, "INVALID_TYPE", "Must send a concrete entity type.")
    name = org.object_name(str(declared))
    if name is None or (expected is not None and name != expected):
        raise ApiFault(400, "INVALID_TYPE", f"sObject type '{declared}' is not supported here.")
    return name


def _run(
    sandbox: Sandbox, records: list[dict[str, Any]], all_or_none: bool, write: Callable[[dict[str, Any]], Outcome]
) -> list[Outcome] | JSONResponse:
    """Apply `write` in order; a partial fault stops after N records with a 503 (what was done stays done);
    allOrNone restores the org when any record fails."""
    snapshot = sandbox.org.snapshot() if all_or_none else None
    fault = sandbox.next_fault(partial=True)
    outcomes: list[Outcome] = []
    for index, record in enumerate(records):
        if fault is not None and index >= fault.records:
            sandbox.save()
            return fault_response(ApiFault(503, "SERVER_UNAVAILABLE", "Server is unavailable, please try again later"))
        outcomes.append(write(record))
    if snapshot is not None and not all(o.ok for o in outcomes):
        sandbox.org.restore(snapshot)
        outcomes = [Outcome(errors=o.errors or [ROLLED_BACK]) for o in outcomes]
    return outcomes


def _respond(result: list[Outcome] | JSONResponse, *, upsert: bool = False) -> JSONResponse:
    if isinstance(result, JSONResponse):
        return result
    return JSONResponse([o.as_json(upsert=upsert) for o in result])


@router.post(C)
@router.post(C + "/")
async def create_many(request: Request, version: str) -> JSONResponse:
    """Create up to 200 records (each names its type)."""
    sandbox, org = state(request), state(request).org
    records, all_or_none = await _records(request)
    parsed = [(_type(org, r, None), r) for r in records]
    values = [(obj, org.parse(obj, r)) for obj, r in parsed]
    who = origin(request, version)

    def write(pair: Any) -> Outcome:
        obj, fields = pair
        if "Id" in fields:
            return Outcome(errors=[RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])])
        return org.create(obj, fields, who)

    return _respond(_run(sandbox, values, all_or_none, write))  # type: ignore[arg-type]


@router.patch(C)
@router.patch(C + "/")
async def update_many(request: Request, version: str) -> JSONResponse:
    """Update up to 200 records by their Id."""
    sandbox, org = state(request), state(request).org
    records, all_or_none = await _records(request)
    values = [(obj, org.parse(obj, r)) for obj, r in ((_type(org, r, None), r) for r in records)]
    who = origin(request, version)

    def write(pair: Any) -> Outcome:
        obj, fields = pair
        record_id = fields.pop("Id", None)
        if not record_id:
            return Outcome(errors=[RecordError("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])])
        return org.update(obj, record_id, fields, who)

    return _respond(_run(sandbox, values, all_or_none, write))  # type: ignore[arg-type]


@router.patch(C + "/{obj}/{ext_field}")
async def upsert_many(request: Request, version: str, obj: str, ext_field: str) -> JSONResponse:
    """Upsert up to 200 records of one type by an external id field."""
    sandbox, org = state(request), state(request).org
    name = org.require_object(obj)
    spec = org.field_spec(name, ext_field)
    if spec is None or not spec.get("externalId"):
        message = f"Field {ext_field} is not an External ID or indexed field for {name}"
        raise ApiFault(400, "INVALID_FIELD", message)
    records, all_or_none = await _records(request)
    values = [org.parse(name, r) for r in records if _type(org, r, name)]
    who = origin(request, version)

    keys = [org.fold(name, spec["name"], v[spec["name"]]) for v in values if v.get(spec["name"]) not in (None, "")]
    repeated = {k for k in keys if keys.count(k) > 1}

    def write(fields: dict[str, Any]) -> Outcome:
        value = fields.get(spec["name"])
        if value not in (None, "") and org.fold(name, spec["name"], value) in repeated:
            message = f"Duplicate external id specified: {value}"
            return Outcome(errors=[RecordError("DUPLICATE_EXTERNAL_ID", message, [spec["name"]])])
        if "Id" in fields:
            message = "Id is not allowed in an upsert by external id"
            return Outcome(errors=[RecordError("INVALID_FIELD", message, ["Id"])])
        return org.upsert(name, spec["name"], fields, who)

    return _respond(_run(sandbox, values, all_or_none, write), upsert=True)


@router.delete(C)
@router.delete(C + "/")
async def delete_many(request: Request, version: str) -> JSONResponse:
    """Delete up to 200 records: `?ids=a,b&allOrNone=false`."""
    sandbox, org = state(request), state(request).org
    ids = [i for i in request.query_params.get("ids", "").split(",") if i]
    if not ids:
        raise ApiFault(400, "MISSING_ARGUMENT", "ids parameter is required")
    if len(ids) > LIMIT:
        raise ApiFault(400, "EXCEEDED_ID_LIMIT", f"Number of ids in a delete request is limited to {LIMIT}")
    all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"
    who = origin(request, version)

    def write(record_id: Any) -> Outcome:
        for obj in org.objects:
            if org.get(obj, record_id, deleted=True) is not None:
                return org.delete(obj, record_id, who)
        return Outcome(errors=[RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")])

    return _respond(_run(sandbox, ids, all_or_none, write))  # type: ignore[arg-type]


@router.get(C + "/{obj}")
@router.get(C + "/{obj}/")
async def retrieve_many(request: Request, version: str, obj: str) -> list[dict[str, Any] | None]:
    """Up to 2,000 records by id: `?ids=...&fields=...`; null for ids not found."""
    org = state(request).org
    name = org.require_object(obj)
    ids = [i for i in request.query_params.get("ids", "").split(",") if i]
    fields = [f for f in request.query_params.get("fields", "").split(",") if f]
    if not ids or not fields:
        raise ApiFault(400, "MISSING_ARGUMENT", "ids and fields parameters are required")
    if len(ids) > 2000:
        raise ApiFault(400, "EXCEEDED_ID_LIMIT", "Number of ids is limited to 2000")
    specs = [org.field_spec(name, f) for f in fields]
    if any(s is None for s in specs):
        raise ApiFault(400, "INVALID_FIELD", f"No such column on entity '{name}'")
    out: list[dict[str, Any] | None] = []
    for record_id in ids:
        record = org.get(name, record_id)
        if record is None:
            out.append(None)
            continue
        row = {"attributes": {"type": name, "url": f"/services/data/v{version}/sobjects/{name}/{record['Id']}"}}
        out.append(row | {s["name"]: record.get(s["name"]) for s in specs if s})
    return out
