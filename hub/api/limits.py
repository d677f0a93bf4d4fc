"""A cap on request body size, checked before the body is parsed: a declared `Content-Length` over the cap
is refused at once, and a body streamed without one is cut off when it passes the cap (both 413).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.api.problems import problem_response
from hub.settings import Settings

BYTES_PER_RECORD = 32 * 1024  # generous average per record; one record alone may still use max_line_bytes


def max_body_bytes(settings: Settings) -> int:
    """The largest request body accepted: room for a full batch of records."""
    return max(settings.max_line_bytes, settings.api_max_records * BYTES_PER_RECORD)


class BodyLimitMiddleware:
    """Refuses request bodies larger than `max_bytes` with 413 problem+json."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = problem_response(Request(scope), 413, self._detail(), slug="body-too-large")
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self._detail())  # rendered as a problem by the app's handler
            return message

        await self.app(scope, limited_receive, send)

    def _detail(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes; send fewer records per request"
