"""Reading a service's responses: JSON bodies, records at a path, and record-level refusals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.base import ConfigError, RecordRejected
from adapters.internal.jsonpath import MISSING, JsonPath
from adapters.internal.transport import status_phrase

_MESSAGE_KEYS = ("message", "detail", "error_description", "error", "title", "msg")


def json_body(response: httpx.Response, where: str) -> Any:
    """The decoded JSON body; `ConfigError` when the service answered something else."""
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "no content type")
        raise ConfigError(
            f"{where}: expected JSON but got HTTP {response.status_code} with {kind}; check base_url and the path"
        ) from None


def at_path(document: Any, path: JsonPath, key: str, where: str) -> Any:
    """The value at ``path``; `ConfigError` naming the configuration ``key`` when there is none."""
    value = path.find(document)
    if value is MISSING:
        found = ", ".join(sorted(map(str, document))[:10]) if isinstance(document, Mapping) else type(document).__name__
        raise ConfigError(f"{where}: {key} {path.text!r} matched nothing in the response (it has: {found})")
    return value


def record_at(document: Any, path: JsonPath, key: str, where: str) -> Mapping[str, Any]:
    """The JSON object at ``path``; `ConfigError` when it is missing or not an object."""
    value = at_path(document, path, key, where)
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: {key} {path.text!r} is a {type(value).__name__}, not a JSON object")
    return value


def describe_call(response: httpx.Response, name: str) -> str:
    """``name: METHOD /path`` for messages (never the query string or headers)."""
    return f"{name}: {response.request.method} {urlsplit(str(response.request.url)).path}"


def rejection(response: httpx.Response, redact: Callable[[str], str]) -> RecordRejected:
    """A `RecordRejected` from a 4xx answer: the service's own code, message and fields when it gives them.

    Understood shapes: ``{"code", "message", "fields"}``, ``{"error": {...}}``, RFC 9457 problem+json
    (``title``/``detail``), and FastAPI/pydantic ``{"detail": [{"loc": [...], "msg": ...}]}``. Otherwise the
    body's text (first 300 characters) is the message. The code defaults to the HTTP status (``HTTP_409``).
    """
    code = f"HTTP_{response.status_code}"
    fields: list[str] = []
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        body = body["error"]
    if isinstance(body, Mapping):
        if isinstance(body.get("code"), str | int):
            code = str(body["code"])
        fields = _fields(body)
        message = _message(body)
    else:
        message = response.text[:300]
    message = message or status_phrase(response.status_code) or "refused"
    return RecordRejected(code, redact(message), fields)


def _message(body: Mapping[str, Any]) -> str:
    detail = body.get("detail")
    if isinstance(detail, list) and detail and isinstance(detail[0], Mapping):
        return "; ".join(str(d.get("msg", d)) for d in detail)
    for key in _MESSAGE_KEYS:
        if isinstance(body.get(key), str) and body[key]:
            return str(body[key])
    return ""


def _fields(body: Mapping[str, Any]) -> list[str]:
    if isinstance(body.get("fields"), list):
        return [str(f) for f in body["fields"]]
    if isinstance(body.get("field"), str):
        return [body["field"]]
    detail = body.get("detail")
    if isinstance(detail, list):
        return [str(d["loc"][-1]) for d in detail if isinstance(d, Mapping) and d.get("loc")]
    return []
