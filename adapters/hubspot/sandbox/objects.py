"""CRM v3 object routes: list, get, create, update, archive, batch create/read/update/upsert/archive, search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from adapters.hubspot.sandbox import batch, search
from adapters.hubspot.sandbox.errors import bad_request, not_found
from adapters.hubspot.sandbox.properties import now_iso
from adapters.hubspot.sandbox.store import Obj, Portal

DEFAULT_PROPERTIES = {
    "contacts": ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
    "notes": ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
}
MAX_PAGE = 100


def _names(request: Request, object_type: str, body: dict[str, Any] | None = None) -> list[str]:
    raw = (body or {}).get("properties") if body is not None else request.query_params.getlist("properties")
    names = [n for part in raw or [] for n in str(part).split(",") if n]
    return names or DEFAULT_PROPERTIES[object_type]


async def read_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("Invalid input JSON: the body is not JSON") from None
    if not isinstance(body, dict):
        raise bad_request("Invalid input JSON: expected an object")
    return body


def _archived(request: Request) -> bool:
    return request.query_params.get("archived", "false").lower() == "true"


def router(portal: Portal) -> APIRouter:
    """The object routes bound to one portal."""
    api = APIRouter(prefix="/crm/v3/objects/{object_type}")

    @api.get("")
    async def list_page(object_type: str, request: Request) -> dict[str, Any]:
        limit = int(request.query_params.get("limit", "10"))
        if not 0 < limit <= MAX_PAGE:
            raise bad_request(f"limit must be between 1 and {MAX_PAGE}")
        after = int(request.query_params.get("after") or 0)
        archived = _archived(request)
        rows = sorted(
            (o for o in portal.table(object_type).values() if o.archived == archived), key=lambda o: int(o.id)
        )
        rows = [o for o in rows if int(o.id) > after]
        names = _names(request, object_type)
        body: dict[str, Any] = {"results": [o.public(names) for o in rows[:limit]]}
        if len(rows) > limit:
            body["paging"] = {"next": {"after": rows[limit - 1].id, "link": f"?after={rows[limit - 1].id}"}}
        return body

    @api.get("/{object_id}")
    async def get_one(object_type: str, object_id: str, request: Request) -> dict[str, Any]:
        id_property = request.query_params.get("idProperty") or "id"
        obj = portal.find(object_type, id_property, object_id, archived=_archived(request))
        if obj is None:
            raise not_found(f"Object not found. objectId are usually numeric. ({object_id})")
        return obj.public(_names(request, object_type))

    @api.post("", status_code=201)
    async def create_one(object_type: str, request: Request) -> dict[str, Any]:
        created = batch.create_many(portal, object_type, [await read_body(request)])
        return created[0].public(None)

    @api.patch("/{object_id}")
    async def update_one(object_type: str, object_id: str, request: Request) -> dict[str, Any]:
        body = await read_body(request)
        id_property = request.query_params.get("idProperty")
        updated, errors = batch.update_many(portal, object_type, [{**body, "id": object_id, "idProperty": id_property}])
        if errors:
            raise not_found(f"Object not found. objectId are usually numeric. ({object_id})")
        return updated[0].public(None)

    @api.delete("/{object_id}", status_code=204)
    async def archive_one(object_type: str, object_id: str) -> Response:
        portal.archive(object_type, object_id)
        return Response(status_code=204)

    @api.post("/batch/{operation}")
    async def batch_op(object_type: str, operation: str, request: Request) -> Response:
        started = now_iso()
        body = await read_body(request)
        inputs = batch.inputs_of(body, limit=100)
        portal.table(object_type)
        if operation == "archive":
            for item in inputs:
                portal.archive(object_type, str(item.get("id") or ""))
            return Response(status_code=204)
        names = _names(request, object_type, body) if operation == "read" else None
        errors: list[dict[str, Any]] = []
        if operation == "create":
            results = [o.public(None) for o in batch.create_many(portal, object_type, inputs)]
            return JSONResponse(batch.batch_response(results, [], started), status_code=201)
        if operation == "read":
            found, errors = batch.read_many(portal, object_type, inputs, body.get("idProperty"), _archived(request))
            results = [o.public(names) for o in found]
        elif operation == "update":
            updated, errors = batch.update_many(portal, object_type, inputs)
            results = [o.public(None) for o in updated]
        elif operation == "upsert":
            results = [{**o.public(None), "new": new} for o, new in batch.upsert_many(portal, object_type, inputs)]
        else:
            raise not_found(f"Unknown batch operation {operation}")
        return JSONResponse(batch.batch_response(results, errors, started), status_code=207 if errors else 200)

    @api.post("/merge")
    async def merge(object_type: str, request: Request) -> dict[str, Any]:
        body = await read_body(request)
        primary, other = str(body.get("primaryObjectId") or ""), str(body.get("objectIdToMerge") or "")
        if not primary or not other or primary == other:
            raise bad_request("primaryObjectId and a different objectIdToMerge are required")
        return portal.merge(object_type, primary, other).public(None)

    @api.post("/search")
    async def run_search(object_type: str, request: Request) -> dict[str, Any]:
        body = await read_body(request)
        filters, sorts, limit, after = search.parse_request(body)
        defs = portal.properties[object_type]
        for name in {f["propertyName"] for g in filters for f in g} | {s for s, _ in sorts}:
            if name not in defs:
                raise bad_request(f"Property {name!r} does not exist on {object_type}", "PROPERTY_DOESNT_EXIST")
        hits: list[Obj] = search.run(
            list(portal.table(object_type).values()), filters, sorts, lambda n: str(defs[n]["type"])
        )
        page = hits[after : after + limit]
        portal.deepest_search = max(portal.deepest_search, after + len(page))
        out: dict[str, Any] = {
            "total": len(hits),
            "results": [o.public(_names(request, object_type, body)) for o in page],
        }
        if after + limit < len(hits):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return out

    return api
