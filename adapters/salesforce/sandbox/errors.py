"""Salesforce's error bodies: a whole request refused, or one record's errors inside a batch result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


class ApiFault(Exception):
    """A whole request refused: HTTP `status` with the body `[{"message", "errorCode", "fields"?}]`."""

    def __init__(self, status: int, code: str, message: str, fields: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields) if fields is not None else None

    def body(self) -> list[dict[str, Any]]:
        """The JSON error array Salesforce sends."""
        item: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            item["fields"] = self.fields
        return [item]


@dataclass(frozen=True)
class RecordError:
    """One record's error, as `{"statusCode", "message", "fields"}` in batch results."""

    code: str
    message: str
    fields: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The per-record error object of sObject Collections and composite results."""
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}

    def as_fault(self, status: int = 400) -> ApiFault:
        """The same error for a single-record request (its own HTTP status, errorCode key)."""
        return ApiFault(status, self.code, self.message, self.fields)


@dataclass
class Outcome:
    """The result of one record write: its id, whether it was created, or its errors."""

    id: str | None = None
    created: bool = False
    errors: list[RecordError] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)  # ids when an external id matched several records

    @property
    def ok(self) -> bool:
        """True when the write happened."""
        return not self.errors

    def as_json(self, *, upsert: bool = False) -> dict[str, Any]:
        """The SaveResult/UpsertResult JSON."""
        out: dict[str, Any] = {"id": self.id, "success": self.ok, "errors": [e.as_json() for e in self.errors]}
        if upsert:
            out["created"] = self.created
        return out


def not_found() -> ApiFault:
    """The 404 body for an unknown resource or record."""
    return ApiFault(404, "NOT_FOUND", "The requested resource does not exist")
