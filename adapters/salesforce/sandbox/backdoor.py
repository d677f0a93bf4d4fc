"""`/__sandbox__/...`: what tests and demos do to the org from outside the API, as a rep would in the UI
(edits bump SystemModstamp but use no API calls), plus fault injection, limits, sessions and connected apps."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from adapters.salesforce.sandbox.errors import ApiFault, not_found
from adapters.salesforce.sandbox.state import Fault
from adapters.salesforce.sandbox.web import json_body, state

router = APIRouter(prefix="/__sandbox__")
UI = "com/salesforce/ui"


@router.post("/reset")
async def reset(request: Request) -> Response:
    """A fresh org (sessions kept), no faults, no usage."""
    state(request).reset()
    return Response(status_code=204)


@router.post("/faults")
async def add_faults(request: Request) -> Response:
    """Queue faults: {"kind": rate_limit|outage|slow|partial, "count": n, "seconds": s, "records": n}."""
    body = await json_body(request) or {}
    kind = body.get("kind")
    if kind not in {"rate_limit", "outage", "slow", "partial"}:
        raise ApiFault(400, "INVALID_FAULT", "kind is rate_limit, outage, slow or partial")
    fault = Fault(kind, float(body.get("seconds", 0)), int(body.get("records", 0)))
    state(request).faults.extend([fault] * int(body.get("count", 1)))
    return Response(status_code=204)


@router.delete("/faults")
async def clear_faults(request: Request) -> Response:
    """Drop every queued fault."""
    state(request).faults.clear()
    return Response(status_code=204)


@router.post("/limits")
async def set_limits(request: Request) -> dict[str, int]:
    """Set {"daily_max": n, "used": n} of DailyApiRequests."""
    sandbox = state(request)
    body = await json_body(request) or {}
    sandbox.daily_max = int(body.get("daily_max", sandbox.daily_max))
    sandbox.used = int(body.get("used", sandbox.used))
    return {"daily_max": sandbox.daily_max, "used": sandbox.used}


@router.post("/sessions/expire")
async def expire_sessions(request: Request) -> Response:
    """Invalidate sessions (clients must log in again); the printed one survives unless {"all": true}."""
    sandbox = state(request)
    body = await json_body(request) or {}
    sandbox.sessions.clear()
    if not body.get("all"):
        sandbox.sessions.add(sandbox.primary_session)
    return Response(status_code=204)


@router.post("/apps")
async def register_app(request: Request) -> Response:
    """Register a connected app: {"consumer_key", "consumer_secret"?, "public_key"? (PEM, for JWT bearer)}."""
    body = await json_body(request) or {}
    key = str(body.get("consumer_key", ""))
    if not key:
        raise ApiFault(400, "REQUIRED_FIELD_MISSING", "consumer_key is required")
    state(request).apps[key] = {
        "secret": str(body.get("consumer_secret", "")),
        "public_key": str(body.get("public_key", "")),
    }
    return Response(status_code=204)


@router.post("/records/{obj}")
async def seed(request: Request, obj: str) -> JSONResponse:
    """Create records as a rep would: {"records": [{fields}...]} -> {"ids": [...]}, or 400 with errors."""
    org = state(request).org
    name = org.require_object(obj)
    body = await json_body(request) or {}
    ids: list[str] = []
    for fields in body.get("records", []):
        outcome = org.create(name, org.parse(name, fields), UI)
        if not outcome.ok:
            return JSONResponse([e.as_json() for e in outcome.errors], status_code=400)
        ids.append(str(outcome.id))
    state(request).save()
    return JSONResponse({"ids": ids}, status_code=201)


@router.get("/records/{obj}")
async def count(request: Request, obj: str) -> dict[str, Any]:
    """How many live records an object has, and their ids."""
    org = state(request).org
    ids = [r["Id"] for r in org.live(org.require_object(obj))]
    return {"count": len(ids), "ids": ids}


@router.get("/records/{obj}/{record_id}")
async def read(request: Request, obj: str, record_id: str) -> dict[str, Any]:
    """A record (deleted ones too) and the change origin of its last write."""
    org = state(request).org
    record = org.get(org.require_object(obj), record_id, deleted=True)
    if record is None:
        raise not_found()
    return {"record": record, "origin": org.origins.get(record["Id"], "")}


@router.patch("/records/{obj}/{record_id}")
async def edit(request: Request, obj: str, record_id: str) -> Response:
    """Edit a record as a rep would."""
    org = state(request).org
    name = org.require_object(obj)
    outcome = org.update(name, record_id, org.parse(name, await json_body(request) or {}), UI)
    if not outcome.ok:
        return JSONResponse([e.as_json() for e in outcome.errors], status_code=400)
    state(request).save()
    return Response(status_code=204)


@router.delete("/records/{obj}/{record_id}")
async def delete(request: Request, obj: str, record_id: str) -> Response:
    """Delete a record as a rep would (to the recycle bin)."""
    org = state(request).org
    outcome = org.delete(org.require_object(obj), record_id, UI)
    if not outcome.ok:
        return JSONResponse([e.as_json() for e in outcome.errors], status_code=400)
    state(request).save()
    return Response(status_code=204)


@router.post("/objects/{obj}/fields/{field}/drop")
async def drop_field(request: Request, obj: str, field: str) -> Response:
    """Remove a field from the schema (to test what check() reports)."""
    org = state(request).org
    name = org.require_object(obj)
    org.objects[name]["fields"] = [f for f in org.objects[name]["fields"] if f["name"] != field]
    return Response(status_code=204)
