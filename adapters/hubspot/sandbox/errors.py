"""HubSpot's error bodies, as the sandbox answers them.

HubSpot's CRM v3 error shape: ``{"status": "error", "message", "correlationId", "category", "errors": [{"message",
"code", "context": {...}}], "context": {...}}``; rate limits add ``errorType``/``policyName``. The same shape is used
inside multi-status (207) batch responses, per failed input.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Invalid:
    """One property value HubSpot refuses: the property, HubSpot's error code and a message."""

    name: str
    code: str
    message: str


@dataclass
class SandboxError(Exception):
    """An error response: HTTP status, HubSpot category and message, optional details."""

    status: int
    category: str
    message: str
    errors: Sequence[Mapping[str, Any]] = ()
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """The JSON body HubSpot sends with this error."""
        body: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": str(uuid.uuid4()),
            "category": self.category,
        }
        if self.errors:
            body["errors"] = list(self.errors)
        if self.context:
            body["context"] = {k: list(v) for k, v in self.context.items()}
        body.update(self.extra)
        return body


def validation_error(problems: Sequence[Invalid], index: int | None = None) -> SandboxError:
    """400 VALIDATION_ERROR listing every invalid property value (HubSpot's "Property values were not valid")."""
    listed = ", ".join(f'{{"name":"{p.name}","error":"{p.code}","message":"{p.message}"}}' for p in problems)
    errors = [{"message": p.message, "code": p.code, "context": {"propertyName": [p.name]}} for p in problems]
    context = {"inputIndex": [str(index)]} if index is not None else {}
    return SandboxError(400, "VALIDATION_ERROR", f"Property values were not valid: [{listed}]", errors, context)


def bad_request(message: str, code: str = "INVALID_INPUT") -> SandboxError:
    """400 VALIDATION_ERROR about the request's shape."""
    return SandboxError(400, "VALIDATION_ERROR", message, [{"message": message, "code": code}])


def not_found(message: str = "resource not found") -> SandboxError:
    """404 OBJECT_NOT_FOUND."""
    return SandboxError(404, "OBJECT_NOT_FOUND", message)


def conflict(message: str, existing_id: str | None = None) -> SandboxError:
    """409 CONFLICT, e.g. a contact with this email already exists."""
    context = {"existingId": [existing_id]} if existing_id else {}
    return SandboxError(409, "CONFLICT", message, context=context)


def unauthorized() -> SandboxError:
    """401 INVALID_AUTHENTICATION, HubSpot's wording."""
    return SandboxError(
        401,
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more "
        "details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
    )


def rate_limited(policy: str, retry_after: float, headers: Mapping[str, str]) -> SandboxError:
    """429 RATE_LIMITS with the policy reached (TEN_SECONDLY_ROLLING, SECONDLY, DAILY)."""
    return SandboxError(
        429,
        "RATE_LIMITS",
        f"You have reached your {policy.lower()} limit.",
        headers={**headers, "Retry-After": _seconds(retry_after)},
        extra={"errorType": "RATE_LIMIT", "policyName": policy},
    )


def outage() -> SandboxError:
    """502 from HubSpot's edge (an injected outage)."""
    return SandboxError(502, "INTERNAL_ERROR", "The server encountered a temporary error (sandbox fault).")


def _seconds(value: float) -> str:
    whole = int(value)
    return str(whole) if whole == value else f"{value:.3f}"
