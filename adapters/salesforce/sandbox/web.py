"""Helpers shared by the sandbox's route modules."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from adapters.salesforce.sandbox.errors import ApiFault
from adapters.salesforce.sandbox.state import Sandbox


def fault_response(fault: ApiFault) -> JSONResponse:
    """Salesforce's error array with its status."""
    return JSONResponse(fault.body(), status_code=fault.status)


async def json_body(request: Request) -> Any:
    """The request's JSON body, or 400 JSON_PARSER_ERROR."""
    raw = await request.body()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise ApiFault(400, "JSON_PARSER_ERROR", "Unexpected character in the request body") from None


def state(request: Request) -> Sandbox:
    """The sandbox serving this request."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def origin(request: Request, version: str) -> str:
    """The change origin of a write, with the client named in `Sforce-Call-Options` (e.g. client=rapport)."""
    options = request.headers.get("sforce-call-options", "")
    client = next((p.split("=", 1)[1].strip() for p in options.split(",") if p.strip().startswith("client=")), "")
    base = f"com/salesforce/api/rest/{version}"
    return f"{base};client={client}" if client else base
