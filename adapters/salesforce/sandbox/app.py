"""The sandbox's HTTP application: authentication, API usage and limits, fault injection, error bodies.

Every `/services/data` request needs a valid session (`Authorization: Bearer`), counts one call against
`DailyApiRequests`, and is answered with `Sforce-Limit-Info: api-usage=USED/MAX`. Handlers run on the event
loop one at a time, so the state needs no locks.
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.salesforce.sandbox.backdoor import router as backdoor_routes
from adapters.salesforce.sandbox.bulk import router as bulk_routes
from adapters.salesforce.sandbox.errors import ApiFault
from adapters.salesforce.sandbox.login import router as login_routes
from adapters.salesforce.sandbox.rest import router as rest_routes
from adapters.salesforce.sandbox.state import Sandbox
from adapters.salesforce.sandbox.tooling import router as tooling_routes
from adapters.salesforce.sandbox.web import fault_response

DATA_PREFIX = "/services/data/"
SUPPORTED = [f"{v}.0" for v in range(31, 63)]


def _version_ok(path: str) -> bool:
    rest_of = path[len(DATA_PREFIX) :]
    if not rest_of or not rest_of.startswith("v"):
        return True
    return rest_of[1:].split("/", 1)[0] in SUPPORTED


async def _guard(sandbox: Sandbox, request: Request) -> Response | None:
    """Authentication, daily limit and injected faults for one API call; a response when refused."""
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if token not in sandbox.sessions:
        return fault_response(ApiFault(401, "INVALID_SESSION_ID", "Session expired or invalid"))
    if sandbox.used >= sandbox.daily_max:
        return fault_response(ApiFault(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
    sandbox.used += 1
    fault = sandbox.next_fault()
    if fault is None:
        return None
    if fault.kind == "slow":
        await asyncio.sleep(fault.seconds)
        return None
    if fault.kind == "rate_limit":
        return fault_response(ApiFault(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
    return fault_response(ApiFault(503, "SERVER_UNAVAILABLE", "Server is unavailable, please try again later"))


class SalesforceMiddleware:
    """Guards `/services/data` calls and stamps `Sforce-Limit-Info` on their answers. A plain ASGI middleware:
    (Starlette's BaseHTTPMiddleware would wrap every answer in a stream)."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(DATA_PREFIX):
            await self.app(scope, receive, send)
            return
        sandbox = self.sandbox
        status = 500

        async def stamped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(
                    "Sforce-Limit-Info", f"api-usage={sandbox.used}/{sandbox.daily_max}"
                )
            await send(message)

        if not _version_ok(scope["path"]):
            await fault_response(ApiFault(404, "NOT_FOUND", "The requested resource does not exist"))(
                scope, receive, stamped
            )
            return
        refused = await _guard(sandbox, Request(scope))
        await (refused or self.app)(scope, receive, stamped)
        if scope["method"] in {"POST", "PATCH", "PUT", "DELETE"} and status < 400:
            sandbox.save()


def create_app(sandbox: Sandbox) -> FastAPI:
    """The FastAPI application serving `sandbox`."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sandbox = sandbox
    app.add_middleware(SalesforceMiddleware, sandbox=sandbox)

    @app.exception_handler(ApiFault)
    async def api_fault(request: Request, exc: ApiFault) -> JSONResponse:
        return fault_response(exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        message = "An unexpected error occurred. Please include this ErrorId if you contact support: sandbox"
        return fault_response(ApiFault(500, "UNKNOWN_EXCEPTION", message))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 405:
            message = f"HTTP Method '{request.method}' not allowed."
            return fault_response(ApiFault(405, "METHOD_NOT_ALLOWED", message))
        return fault_response(ApiFault(404, "NOT_FOUND", "The requested resource does not exist"))

    for router in (rest_routes, bulk_routes, tooling_routes, login_routes, backdoor_routes):
        app.include_router(router)
    return app
