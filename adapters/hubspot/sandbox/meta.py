"""Properties API, property groups, associations v4, OAuth token refresh and the daily-usage endpoint."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from adapters.hubspot.sandbox import batch
from adapters.hubspot.sandbox.errors import SandboxError, bad_request, not_found
from adapters.hubspot.sandbox.limits import Limits
from adapters.hubspot.sandbox.objects import read_body
from adapters.hubspot.sandbox.properties import copy_definitions, new_definition, now_iso
from adapters.hubspot.sandbox.store import Portal


class Tokens:
    """The portal's credentials: the private-app token, and OAuth client + refresh token minting access tokens."""

    def __init__(self) -> None:
        self.private_app = "pat-na1-" + secrets.token_hex(16)
        self.client_id = "sandbox-client-" + secrets.token_hex(4)
        self.client_secret = secrets.token_hex(16)
        self.refresh_token = "na1-" + secrets.token_hex(16)
        self.oauth_access: set[str] = set()

    def valid(self, token: str) -> bool:
        """Whether a bearer token is accepted."""
        return token == self.private_app or token in self.oauth_access

    def revoke_oauth(self) -> None:
        """Expire every OAuth access token (the next call gets a 401 and must refresh)."""
        self.oauth_access.clear()


def properties_router(portal: Portal) -> APIRouter:
    """``/crm/v3/properties/{objectType}`` (+ ``/{name}``, ``/batch/create``, ``/groups``)."""
    api = APIRouter(prefix="/crm/v3/properties/{object_type}")

    def defs(object_type: str) -> dict[str, dict[str, Any]]:
        portal.table(object_type)
        return portal.properties[object_type]

    @api.get("")
    async def list_properties(object_type: str, request: Request) -> dict[str, Any]:
        archived = request.query_params.get("archived", "false").lower() == "true"
        return {"results": [] if archived else copy_definitions(defs(object_type))}

    @api.get("/groups")
    async def list_groups(object_type: str) -> dict[str, Any]:
        defs(object_type)
        return {"results": list(portal.groups[object_type].values())}

    @api.post("/groups", status_code=201)
    async def create_group(object_type: str, request: Request) -> dict[str, Any]:
        body = await read_body(request)
        defs(object_type)
        name, label = body.get("name"), body.get("label")
        if not name or not label:
            raise bad_request("name and label are required")
        if name in portal.groups[object_type]:
            raise SandboxError(409, "OBJECT_ALREADY_EXISTS", f"Property group {name} already exists.")
        group = {"name": name, "label": label, "displayOrder": body.get("displayOrder", -1), "archived": False}
        portal.groups[object_type][name] = group
        return group

    @api.get("/{name}")
    async def get_property(object_type: str, name: str) -> dict[str, Any]:
        found = defs(object_type).get(name)
        if found is None:
            raise not_found(f"Unable to find property {name} on {object_type}")
        return found

    def create(object_type: str, body: Any) -> dict[str, Any]:
        definition = new_definition(body, object_type, portal.groups[object_type])
        if definition["name"] in defs(object_type):
            raise SandboxError(409, "OBJECT_ALREADY_EXISTS", f"Property named '{definition['name']}' already exists.")
        defs(object_type)[definition["name"]] = definition
        return definition

    @api.post("", status_code=201)
    async def create_property(object_type: str, request: Request) -> dict[str, Any]:
        return create(object_type, await read_body(request))

    @api.post("/batch/create")
    async def create_properties(object_type: str, request: Request) -> Response:
        started = now_iso()
        inputs = batch.inputs_of(await read_body(request))
        results = [create(object_type, item) for item in inputs]
        return JSONResponse(batch.batch_response(results, [], started), status_code=201)

    return api


def associations_router(portal: Portal) -> APIRouter:
    """Associations v4 batch create and read."""
    api = APIRouter(prefix="/crm/v4/associations/{from_type}/{to_type}/batch")

    @api.post("/create")
    async def create(from_type: str, to_type: str, request: Request) -> Response:
        started = now_iso()
        portal.table(from_type), portal.table(to_type)
        results, errors = batch.associate_many(
            portal, from_type, to_type, batch.inputs_of(await read_body(request), 2000)
        )
        return JSONResponse(batch.batch_response(results, errors, started), status_code=207 if errors else 201)

    @api.post("/read")
    async def read(from_type: str, to_type: str, request: Request) -> Response:
        started = now_iso()
        portal.table(from_type), portal.table(to_type)
        results = []
        for item in batch.inputs_of(await read_body(request), 1000):
            object_id = str(item.get("id") or "")
            to = batch.associations_of(portal, from_type, to_type, object_id)
            if to:
                results.append({"from": {"id": object_id}, "to": to})
        return JSONResponse(batch.batch_response(results, [], started))

    return api


def misc_router(tokens: Tokens, limits: Limits) -> APIRouter:
    """OAuth token refresh and the private-app daily usage endpoint."""
    api = APIRouter()

    @api.post("/oauth/v1/token")
    async def token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        ok = (
            form.get("grant_type") == "refresh_token"
            and form.get("client_id") == tokens.client_id
            and form.get("client_secret") == tokens.client_secret
            and form.get("refresh_token") == tokens.refresh_token
        )
        if not ok:
            body = {"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token",
                    "correlationId": secrets.token_hex(8), "category": "VALIDATION_ERROR"}  # fmt: skip
            return JSONResponse(body, status_code=400)
        access = "oat-" + secrets.token_hex(16)
        tokens.oauth_access.add(access)
        return JSONResponse(
            {"access_token": access, "refresh_token": tokens.refresh_token, "expires_in": 1800, "token_type": "bearer"}
        )

    @api.get("/account-info/v3/api-usage/daily/private-apps")
    async def daily_usage() -> dict[str, Any]:
        stats = limits.stats()
        return {
            "results": [
                {"name": "private-apps-api-calls-daily", "usageLimit": limits.daily_limit,
                 "currentUsage": stats["used_today"], "collectedAt": now_iso(), "fetchStatus": "SUCCESS",
                 "resetsAt": now_iso()[:10] + "T00:00:00Z"}
            ]
        }  # fmt: skip

    return api
