"""HubSpot's error bodies (category, message, errors[], correlationId) mapped to typed adapter errors.

One table decides what the caller should do for each status; the admin-facing message is HubSpot's own message
plus its correlation id (for HubSpot support), never a credential or a raw HTTP dump.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.base import AdapterError, AuthError, ConfigError, RateLimited, RecordRejected, RetriableError

_NAMES = re.compile(r'"name"\s*:\s*"([^"]+)"')
_EXISTING = re.compile(r"Existing ID:\s*(\d+)")


class Refused(RecordRejected):
    """HubSpot refused a whole request (400/409); a batch writer narrows it down to the records at fault."""

    def __init__(self, status: int, code: str, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(code, message, fields)
        self.status = status

    @property
    def existing_id(self) -> str | None:
        """For a 409 on an email or unique value: the id of the contact that already holds it."""
        found = _EXISTING.search(self.message)
        return found.group(1) if found else None


def parse_body(raw: Any) -> dict[str, Any]:
    """HubSpot's JSON error body, or an empty dict when the body is not JSON."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        body = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _message(body: Mapping[str, Any], status: int) -> str:
    text = str(body.get("message") or f"HTTP {status}")[:500]
    correlation = body.get("correlationId")
    return f"{text} (correlationId {correlation})" if correlation else text


def fields_of(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The property names an error is about: errors[].context.propertyName, else names in the message."""
    names: list[str] = []
    for detail in body.get("errors") or []:
        context = detail.get("context") or {} if isinstance(detail, Mapping) else {}
        names.extend(str(n) for n in context.get("propertyName") or [])
    if not names:
        names = _NAMES.findall(str(body.get("message") or ""))
    if not names and body.get("category") == "CONFLICT" and "Contact already exists" in str(body.get("message")):
        names = ["email"]
    return tuple(dict.fromkeys(names))


def code_of(body: Mapping[str, Any], status: int) -> str:
    """The most specific code: the first errors[].code, else the category, else the status."""
    for detail in body.get("errors") or []:
        if isinstance(detail, Mapping) and detail.get("code"):
            return str(detail["code"])
    return str(body.get("category") or body.get("status") or f"HTTP_{status}")


def record_error(entry: Mapping[str, Any]) -> RecordRejected:
    """One failed input of a multi-status (207) batch response."""
    return RecordRejected(code_of(entry, 207), _message(entry, 207), fields_of(entry))


def retry_after(headers: Mapping[str, str] | None, body: Mapping[str, Any]) -> float:
    """Seconds to wait after a 429: Retry-After, else the daily reset (DAILY policy), else the interval."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if body.get("policyName") == "DAILY":
        now = datetime.now(UTC)
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return max((midnight - now).total_seconds(), 1.0)
    for key in ("retry-after",):
        try:
            return max(float(headers[key]), 0.001)
        except (KeyError, ValueError):
            pass
    try:
        return max(float(headers["x-hubspot-ratelimit-interval-milliseconds"]) / 1000, 0.001)
    except (KeyError, ValueError):
        return 10.0


def from_response(status: int, raw_body: Any, headers: Mapping[str, str] | None) -> AdapterError:
    """The typed error for a non-2xx HubSpot response."""
    body = parse_body(raw_body)
    message = _message(body, status)
    if status == 401:
        return AuthError(f"HubSpot refused the credentials: {message}")
    if status == 403:
        return ConfigError(f"HubSpot denied access (missing scopes or a locked portal?): {message}")
    if status == 404:
        return ConfigError(f"HubSpot has no such resource (check base_url and object): {message}")
    if status == 429:
        return RateLimited(f"HubSpot rate limit reached: {message}", retry_after(headers, body))
    if status in (400, 409, 413, 414, 422):
        return Refused(status, code_of(body, status), message, fields_of(body))
    return RetriableError(f"HubSpot answered {status}: {message}")
