"""RFC 9457 problem details: every error the API returns, its own or the framework's, has this shape.

`type` is `about:blank` when the status code says it all (the title is then the status phrase), otherwise a
`urn:rapport:problem:<slug>` naming the problem; `instance` is the request path. Extension members (such
as `errors` on a refused batch) sit beside the standard ones.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("rapport.api")


class Problem(BaseModel):
    """The problem+json body (OpenAPI schema of every error response)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class ProblemError(Exception):
    """Raise from a route or dependency to answer with a problem+json response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title
        self.headers = headers or {}
        self.extensions = extensions or {}


def problem_response(
    request: Request,
    status: int,
    detail: str | None,
    *,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    """A problem+json response for `request`."""
    body: dict[str, Any] = {
        "type": f"urn:rapport:problem:{slug}" if slug else "about:blank",
        "title": title or _phrase(status),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update(extensions or {})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting these error statuses as problem+json."""
    return {
        status: {"model": Problem, "description": _phrase(status), "content": {PROBLEM_JSON: {}}} for status in statuses
    }


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error (ours, HTTP errors, validation errors, unexpected exceptions) to problem+json."""
    app.add_exception_handler(ProblemError, _on_problem)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)


async def _on_problem(request: Request, exc: ProblemError) -> JSONResponse:
    return problem_response(
        request,
        exc.status,
        exc.detail,
        slug=exc.slug,
        title=exc.title,
        headers=exc.headers,
        extensions=exc.extensions,
    )


async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail in (None, "Not Found"):
        detail = f"no route {request.url.path}; see /docs for the API"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    return problem_response(request, exc.status_code, detail, headers=dict(exc.headers or {}))


async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        reason = next(str(e.get("ctx", {}).get("error", "")) for e in errors if e.get("type") == "json_invalid")
        detail = f"the request body is not valid JSON ({reason}); send Content-Type: application/json"
        return problem_response(request, 400, detail, slug="invalid-json")
    described = [_describe(e) for e in errors[:10]]
    return problem_response(
        request,
        422,
        "; ".join(described),
        slug="invalid-request",
        title="Invalid request",
        extensions={"errors": [{"location": _location(e), "reason": e.get("msg", "")} for e in errors[:50]]},
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The traceback stays in the server's log; the client only learns that it was not its fault.
    log.error(
        "unhandled error on %s %s",
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return problem_response(request, 500, "an internal error occurred; it has been logged", slug="internal")


class CatchAllMiddleware:
    """Answers an unhandled exception with a 500 problem (logged once, here) instead of re-raising it.

    Starlette's own last-resort handler sends the same response but then re-raises, so the server logs the
    traceback a second time; this middleware sits inside it and ends the matter.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            response = await _on_unexpected(Request(scope), exc)
            await response(scope, receive, send)


def _location(error: Any) -> str:
    parts = [str(part) for part in error.get("loc", ())]
    if len(parts) > 1 and parts[0] == "body":
        parts = parts[1:]  # "records", not "body.records": what the client wrote
    return ".".join(parts) or "request"


def _describe(error: Any) -> str:
    location, kind = _location(error), error.get("type")
    if location == "body" and kind in ("missing", "model_attributes_type", "dict_type"):
        return 'the body must be a JSON object {"records": [...]} sent with Content-Type: application/json'
    if kind == "missing":
        return f"missing '{location}'"
    if kind == "list_type":
        return f"'{location}' must be a list"
    return f"{location}: {error.get('msg', 'invalid')}"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
