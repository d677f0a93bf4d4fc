"""The sandbox's FastAPI application: bearer-token check, rate limits and faults, HubSpot error bodies, routes,
and a back door under ``/__sandbox__`` for tests (act as a person in HubSpot would, inject faults, read counters).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from adapters.hubspot.sandbox import batch, objects
from adapters.hubspot.sandbox.errors import SandboxError, not_found, outage, unauthorized
from adapters.hubspot.sandbox.limits import Limits
from adapters.hubspot.sandbox.meta import Tokens, associations_router, misc_router, properties_router
from adapters.hubspot.sandbox.objects import read_body
from adapters.hubspot.sandbox.store import Portal

BACK_DOOR = "/__sandbox__"


@dataclass
class Sandbox:
    """One emulated portal: its data, limits and credentials."""

    portal: Portal = field(default_factory=Portal)
    limits: Limits = field(default_factory=Limits)
    tokens: Tokens = field(default_factory=Tokens)


def _error_response(error: SandboxError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=dict(error.headers))


def create_app(sandbox: Sandbox) -> FastAPI:
    """The ASGI app serving one sandbox portal."""
    app = FastAPI(title="Rapport HubSpot sandbox", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(SandboxError)
    async def on_error(_: Request, error: SandboxError) -> JSONResponse:
        return _error_response(error)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        if path.startswith((BACK_DOOR, "/oauth/")):
            return await call_next(request)
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not sandbox.tokens.valid(auth[7:]):
            return _error_response(unauthorized())
        try:
            headers = sandbox.limits.admit(search=path.endswith("/search"))
        except SandboxError as error:
            return _error_response(error)
        response = await call_next(request)
        fault = headers.pop("x-sandbox-fault", None)
        if fault == "lost_response":
            return _error_response(outage())  # the write was applied, its answer is lost
        if fault == "stall":
            await asyncio.sleep(sandbox.limits.stall_seconds)  # applied; the answer comes late (kill tests)
        if not path.endswith("/search"):  # HubSpot sends no rate-limit headers on search responses
            response.headers.update(headers)
        return response

    app.include_router(objects.router(sandbox.portal))
    app.include_router(properties_router(sandbox.portal))
    app.include_router(associations_router(sandbox.portal))
    app.include_router(misc_router(sandbox.tokens, sandbox.limits))
    app.include_router(back_door(sandbox))
    return app


def back_door(sandbox: Sandbox) -> APIRouter:
    """Test routes: records as a person edits them, faults, limits configuration, counters."""
    api = APIRouter(prefix=BACK_DOOR)
    portal, limits = sandbox.portal, sandbox.limits

    @api.post("/records/{object_type}", status_code=201)
    async def seed(object_type: str, request: Request) -> dict[str, Any]:
        body = await read_body(request)
        return batch.create_many(portal, object_type, [body])[0].public(None)

    @api.get("/records/{object_type}")
    async def every(object_type: str) -> dict[str, Any]:
        return {"results": [o.public(None) for o in portal.table(object_type).values()]}

    @api.get("/records/{object_type}/{object_id}")
    async def one(object_type: str, object_id: str) -> dict[str, Any]:
        obj = portal.table(object_type).get(object_id)
        if obj is None:
            raise not_found()
        return obj.public(None)

    @api.patch("/records/{object_type}/{object_id}")
    async def edit(object_type: str, object_id: str, request: Request) -> dict[str, Any]:
        body = await read_body(request)
        updated, errors = batch.update_many(
            portal, object_type, [{"properties": body.get("properties") or {}, "id": object_id}]
        )
        if errors:
            raise not_found()
        if body.get("modifiedAt"):  # tests may pin the modification time (e.g. many records at one instant)
            portal.stamp(object_type, updated[0], str(body["modifiedAt"]))
        return updated[0].public(None)

    @api.delete("/records/{object_type}/{object_id}", status_code=204)
    async def archive(object_type: str, object_id: str) -> Response:
        portal.archive(object_type, object_id)
        return Response(status_code=204)

    @api.get("/associations")
    async def associations() -> dict[str, Any]:
        return {"results": [list(a) for a in sorted(portal.associations)]}

    @api.post("/faults")
    async def faults(request: Request) -> dict[str, Any]:
        body = await read_body(request)
        limits.inject(str(body.get("fault")), int(body.get("count", 1)), int(body.get("after", 0)))
        return limits.stats()

    @api.post("/config")
    async def configure(request: Request) -> dict[str, Any]:
        body = await read_body(request)
        for key in ("window", "tier", "enforce", "fault_retry_after", "daily_limit", "stall_seconds"):
            if key in body:
                setattr(limits, key, body[key])
        return limits.stats()

    @api.post("/revoke-oauth")
    async def revoke() -> dict[str, Any]:
        sandbox.tokens.revoke_oauth()
        return {"revoked": True}

    @api.get("/stats")
    async def stats() -> dict[str, Any]:
        counts = {t: sum(1 for o in objs.values() if not o.archived) for t, objs in portal.objects.items()}
        return {**limits.stats(), "objects": counts, "deepest_search": portal.deepest_search}

    return api
