"""REST resources: versions, limits, describe, sObject rows (by id and by external id) and SOQL queries."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from adapters.salesforce.sandbox import query
from adapters.salesforce.sandbox.collections import router as collections_router
from adapters.salesforce.sandbox.errors import ApiFault, not_found
from adapters.salesforce.sandbox.web import json_body, origin, state

router = APIRouter()
router.include_router(collections_router)
V = "/services/data/v{version}"


@router.get("/services/data")
@router.get("/services/data/")
async def versions(request: Request) -> list[dict[str, str]]:
    """The API versions the sandbox answers."""
    from adapters.salesforce.sandbox.app import SUPPORTED

    return [{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v} for v in SUPPORTED]


@router.get(V)
@router.get(V + "/")
async def resources(request: Request, version: str) -> dict[str, str]:
    """The resources of one API version."""
    base = f"/services/data/v{version}"
    names = ("sobjects", "query", "queryAll", "limits", "composite", "tooling", "jobs")
    return {name: f"{base}/{name}" for name in names}


@router.get(V + "/limits")
@router.get(V + "/limits/")
async def limits(request: Request, version: str) -> dict[str, Any]:
    """Org limits; DailyApiRequests counts every call."""
    sandbox = state(request)
    return {
        "DailyApiRequests": {"Max": sandbox.daily_max, "Remaining": max(0, sandbox.daily_max - sandbox.used)},
        "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
        "DataStorageMB": {"Max": 1024, "Remaining": 1024},
    }


@router.get(V + "/sobjects")
@router.get(V + "/sobjects/")
async def describe_global(request: Request, version: str) -> dict[str, Any]:
    """The org's objects."""
    objects = state(request).org.objects.values()
    keys = ("name", "label", "custom", "keyPrefix", "createable", "updateable", "deletable", "queryable")
    return {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [{k: o.get(k) for k in keys} for o in objects]}


@router.get(V + "/sobjects/{obj}/describe")
@router.get(V + "/sobjects/{obj}/describe/")
async def describe(request: Request, version: str, obj: str) -> dict[str, Any]:
    """An object's full describe."""
    org = state(request).org
    return org.objects[org.require_object(obj)]


@router.get(V + "/sobjects/{obj}")
@router.get(V + "/sobjects/{obj}/")
async def basic_info(request: Request, version: str, obj: str) -> dict[str, Any]:
    """An object's basic information."""
    org = state(request).org
    described = org.objects[org.require_object(obj)]
    return {"objectDescribe": {k: v for k, v in described.items() if k != "fields"}, "recentItems": []}


@router.post(V + "/sobjects/{obj}")
@router.post(V + "/sobjects/{obj}/")
async def create(request: Request, version: str, obj: str) -> JSONResponse:
    """Create one record: 201 with its id, or 400 with the first error."""
    sandbox = state(request)
    name = sandbox.org.require_object(obj)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiFault(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
    if "Id" in body or "id" in body:
        raise ApiFault(400, "INVALID_FIELD", "Id is not allowed when creating a record")
    outcome = sandbox.org.create(name, sandbox.org.parse(name, body), origin(request, version))
    if not outcome.ok:
        raise outcome.errors[0].as_fault()
    return JSONResponse(outcome.as_json(), status_code=201)


def _record_json(obj: str, record: dict[str, Any], version: str, fields: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "attributes": {"type": obj, "url": f"/services/data/v{version}/sobjects/{obj}/{record['Id']}"}
    }
    names = [f.strip() for f in fields.split(",")] if fields else list(record)
    for name in names:
        if name not in record:
            raise ApiFault(400, "INVALID_FIELD", f"No such column '{name}' on entity '{obj}'")
        out[name] = record[name]
    return out


@router.get(V + "/sobjects/{obj}/{record_id}")
async def get_record(request: Request, version: str, obj: str, record_id: str) -> dict[str, Any]:
    """One live record by id (`?fields=` to choose fields)."""
    org = state(request).org
    name = org.require_object(obj)
    record = org.get(name, record_id)
    if record is None:
        raise not_found()
    return _record_json(name, record, version, request.query_params.get("fields"))


@router.patch(V + "/sobjects/{obj}/{record_id}")
async def update_record(request: Request, version: str, obj: str, record_id: str) -> Response:
    """Update one record by id: 204, 404 when unknown or deleted, 400 with the first error."""
    sandbox = state(request)
    name = sandbox.org.require_object(obj)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiFault(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
    outcome = sandbox.org.update(name, record_id, sandbox.org.parse(name, body), origin(request, version))
    if not outcome.ok:
        error = outcome.errors[0]
        status = 404 if error.code in {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "MALFORMED_ID"} else 400
        raise error.as_fault(status)
    return Response(status_code=204)


@router.delete(V + "/sobjects/{obj}/{record_id}")
async def delete_record(request: Request, version: str, obj: str, record_id: str) -> Response:
    """Delete one record: 204, or 404 when it is unknown or already deleted."""
    sandbox = state(request)
    name = sandbox.org.require_object(obj)
    outcome = sandbox.org.delete(name, record_id, origin(request, version))
    if not outcome.ok:
        raise outcome.errors[0].as_fault(404)
    return Response(status_code=204)


def _external_field(request: Request, obj: str, field: str) -> str:
    spec = state(request).org.field_spec(obj, field)
    if spec is None:
        raise not_found()
    if not spec.get("externalId") and spec["name"] != "Id":
        message = f"Field {spec['name']} is not an External ID or indexed field for {obj}"
        raise ApiFault(400, "INVALID_FIELD", message)
    return str(spec["name"])


@router.get(V + "/sobjects/{obj}/{field}/{value:path}")
async def get_by_external(request: Request, version: str, obj: str, field: str, value: str) -> Any:
    """A record by external id: 200, 300 with the matches' URLs, or 404."""
    org = state(request).org
    name = org.require_object(obj)
    ext = _external_field(request, name, field)
    matches = org.find_by(name, ext, unquote(value))
    if not matches:
        raise not_found()
    if len(matches) > 1:
        return JSONResponse([f"/services/data/v{version}/sobjects/{name}/{m}" for m in matches], status_code=300)
    record = org.get(name, matches[0])
    assert record is not None
    return _record_json(name, record, version, request.query_params.get("fields"))


@router.patch(V + "/sobjects/{obj}/{field}/{value:path}")
async def upsert(request: Request, version: str, obj: str, field: str, value: str) -> JSONResponse:
    """Upsert by external id: 201 created, 200 updated, 300 when several records match, 400 refused."""
    sandbox = state(request)
    name = sandbox.org.require_object(obj)
    ext = _external_field(request, name, field)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiFault(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
    values = sandbox.org.parse(name, body)
    if ext in values or "Id" in values:
        raise ApiFault(400, "INVALID_FIELD", f"{ext} is specified in the URL and must not be in the body")
    values[ext] = unquote(value)
    outcome = sandbox.org.upsert(name, ext, values, origin(request, version))
    if outcome.matches:
        urls = [f"/services/data/v{version}/sobjects/{name}/{m}" for m in outcome.matches]
        return JSONResponse(urls, status_code=300)
    if not outcome.ok:
        raise outcome.errors[0].as_fault()
    return JSONResponse(outcome.as_json(upsert=True), status_code=201 if outcome.created else 200)


async def _query(request: Request, version: str, all_rows: bool) -> dict[str, Any]:
    text = request.query_params.get("q")
    if not text:
        raise ApiFault(400, "MALFORMED_QUERY", "A query string has to be specified")
    sandbox = state(request)
    size = query.batch_size(request.headers.get("sforce-query-options"))
    return query.run(sandbox.org, sandbox.locators, text, all_rows=all_rows, size=size, version=version)


@router.get(V + "/query")
@router.get(V + "/query/")
async def run_query(request: Request, version: str) -> dict[str, Any]:
    """SOQL over live records."""
    return await _query(request, version, all_rows=False)


@router.get(V + "/queryAll")
@router.get(V + "/queryAll/")
async def run_query_all(request: Request, version: str) -> dict[str, Any]:
    """SOQL including deleted records (IsDeleted)."""
    return await _query(request, version, all_rows=True)


@router.get(V + "/query/{locator}")
@router.get(V + "/queryAll/{locator}")
async def query_more(request: Request, version: str, locator: str) -> dict[str, Any]:
    """The next page of an open query."""
    return query.more(state(request).locators, locator, version)
