"""Field values as Salesforce checks them: JSON types, lengths, emails, restricted picklists, required fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from adapters.salesforce.sandbox.errors import ApiFault, RecordError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEXT_TYPES = {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox"}
NUMBER_TYPES = {"double", "currency", "percent", "int"}


def format_datetime(value: datetime) -> str:
    """Salesforce's datetime format: 2024-05-01T12:00:00.000+0000 (UTC, milliseconds)."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 date-time with a zone (Z, +00:00 or +0000); ValueError otherwise."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    value = datetime.fromisoformat(text)
    if value.tzinfo is None or "T" not in text:
        raise ValueError("a date-time needs a time and a zone")
    return value.astimezone(UTC)


def coerce(spec: Mapping[str, Any], value: Any) -> Any:
    """The stored form of a JSON value for a field, or ApiFault(JSON_PARSER_ERROR) as Salesforce's
    deserializer refuses a whole request with a wrongly typed value."""
    if value is None:
        return None
    kind = spec["type"]
    try:
        if kind in TEXT_TYPES or kind in {"reference", "id"}:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise ValueError
            return str(value)
        if kind in NUMBER_TYPES:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError
            return int(value) if kind == "int" else float(value)
        if kind == "boolean":
            if not isinstance(value, bool):
                raise ValueError
            return value
        if kind == "datetime":
            return format_datetime(parse_datetime(str(value)))
        if kind == "date":
            return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ApiFault(
            400,
            "JSON_PARSER_ERROR",
            f"Cannot deserialize instance of {kind} from value {str(value)[:40]!r} for field {spec['name']}",
        ) from None
    return value


def value_errors(spec: Mapping[str, Any], value: Any) -> list[RecordError]:
    """What Salesforce refuses about one stored value (length, email format, restricted picklist)."""
    if value is None or value == "":
        return []
    name, kind, label = spec["name"], spec["type"], spec.get("label") or spec["name"]
    if isinstance(value, str) and kind in TEXT_TYPES and spec.get("length") and len(value) > spec["length"]:
        message = f"{label}: data value too large: {value[:40]} (max length={spec['length']})"
        return [RecordError("STRING_TOO_LONG", message, [name])]
    if kind == "email" and not EMAIL.match(str(value)):
        return [RecordError("INVALID_EMAIL_ADDRESS", f"{label}: invalid email address: {value}", [name])]
    if kind == "picklist" and spec.get("restrictedPicklist"):
        allowed = {p["value"] for p in spec.get("picklistValues") or [] if p.get("active", True)}
        if value not in allowed:
            message = f"{label}: bad value for restricted picklist field: {value}"
            return [RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", message, [name])]
    return []


def required_missing(fields: Mapping[str, Mapping[str, Any]], record: Mapping[str, Any]) -> RecordError | None:
    """REQUIRED_FIELD_MISSING when a required field (createable, not nillable, not defaulted) is blank."""
    missing = [
        spec["name"]
        for spec in fields.values()
        if spec.get("createable") and not spec.get("nillable", True) and not spec.get("defaultedOnCreate")
        and record.get(spec["name"]) in (None, "")
    ]  # fmt: skip
    if not missing:
        return None
    return RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing)
