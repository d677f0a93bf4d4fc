"""Salesforce's errors mapped to the typed adapter errors (one table, one place).

A whole call that fails arrives as an HTTP status and a JSON array `[{"errorCode", "message", "fields"}]`;
one record that fails inside a batch arrives as `{"statusCode", "message", "fields"}`. Messages never carry
a credential: only Salesforce's own error code and message are quoted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import requests
from simple_salesforce.exceptions import SalesforceError, SalesforceOperationError

from adapters.base import AdapterError, AuthError, ConfigError, RecordRejected, RetriableError
from adapters.salesforce.limits import Budget

# What a CRM admin should read first for the record-level errors that need their attention.
HINTS = {
    "DUPLICATE_VALUE": "another Salesforce record already has this value in a unique field",
    "DUPLICATE_EXTERNAL_ID": "several Salesforce records carry this Rapport id; merge or clear the duplicates",
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": "the value is not one of the field's allowed picklist values",
    "STRING_TOO_LONG": "the value is longer than the Salesforce field allows",
    "ENTITY_IS_DELETED": "the record was deleted in Salesforce",
    "REQUIRED_FIELD_MISSING": "a field Salesforce requires is empty",
    "INVALID_EMAIL_ADDRESS": "the email address is not valid for Salesforce",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": "an org validation rule refused the record",
    "INVALID_FIELD_FOR_INSERT_UPDATE": "the integration user may not write this field (field-level security)",
    "INVALID_CROSS_REFERENCE_KEY": "the record does not exist in Salesforce",
    "UNABLE_TO_LOCK_ROW": "the record was locked by another update; it is retried on the next run",
}
CONFIG_CODES = {
    "INVALID_FIELD", "INVALID_TYPE", "NOT_FOUND", "INSUFFICIENT_ACCESS", "API_DISABLED_FOR_ORG", "MALFORMED_QUERY",
    "INVALID_OPERATION_WITH_EXPIRED_PASSWORD", "INVALIDJOB", "FUNCTIONALITY_NOT_ENABLED",
}  # fmt: skip


class SessionExpired(AuthError):
    """INVALID_SESSION_ID: the session must be renewed (the client logs in again when it can)."""


def _first(content: Any) -> tuple[str, str, list[str]]:
    if isinstance(content, list) and content and isinstance(content[0], Mapping):
        item = content[0]
        code = str(item.get("errorCode") or item.get("statusCode") or "UNKNOWN_EXCEPTION")
        return code, str(item.get("message", "")), [str(f) for f in item.get("fields") or []]
    return "UNKNOWN_EXCEPTION", str(content)[:300], []


def record_error(errors: Sequence[Mapping[str, Any]]) -> RecordRejected:
    """One record's errors (from a batch result) as a RecordRejected an admin can act on."""
    if not errors:
        return RecordRejected("UNKNOWN_EXCEPTION", "Salesforce refused the record without saying why")
    code = str(errors[0].get("statusCode") or errors[0].get("errorCode") or "UNKNOWN_EXCEPTION")
    messages = "; ".join(str(e.get("message", "")) for e in errors)
    fields = sorted({str(f) for e in errors for f in e.get("fields") or []})
    hint = HINTS.get(code)
    return RecordRejected(code, f"{hint} ({messages})" if hint else messages, fields)


def from_response(status: int, content: Any, budget: Budget) -> AdapterError:
    """The adapter error for a failed call, by status and Salesforce error code."""
    code, message, fields = _first(content)
    if status == 401 or code == "INVALID_SESSION_ID":
        return SessionExpired(f"Salesforce session is invalid or expired ({code})")
    if code == "REQUEST_LIMIT_EXCEEDED":
        return budget.exceeded(message)
    if status >= 500 or code in {"SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"}:
        return RetriableError(f"Salesforce is unavailable (HTTP {status} {code}): {message}")
    if code in CONFIG_CODES or status in {403, 404}:
        return ConfigError(f"Salesforce refused the call (HTTP {status} {code}): {message}")
    if code in HINTS:
        return RecordRejected(code, f"{HINTS[code]} ({message})", fields)
    return ConfigError(f"Salesforce refused the call (HTTP {status} {code}): {message}")


def translate(exc: Exception, budget: Budget) -> AdapterError:
    """Any exception raised by simple-salesforce or requests, as an adapter error."""
    if isinstance(exc, AdapterError):
        return exc
    if isinstance(exc, SalesforceError):
        return from_response(int(exc.status), exc.content, budget)
    if isinstance(exc, SalesforceOperationError):  # a Bulk API job that failed or timed out
        text = str(exc)[:300]
        invalid = "InvalidBatch" in text or "InvalidJob" in text
        return ConfigError(f"Salesforce refused the bulk job: {text}") if invalid else RetriableError(text)
    if isinstance(exc, requests.Timeout):
        return RetriableError("Salesforce did not answer in time")
    if isinstance(exc, requests.exceptions.SSLError):
        return ConfigError("TLS to Salesforce failed; check instance_url and ca_file")
    if isinstance(exc, requests.ConnectionError):
        return RetriableError("could not reach Salesforce (connection failed)")
    return RetriableError(f"unexpected failure talking to Salesforce: {type(exc).__name__}")
