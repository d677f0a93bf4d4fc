"""Property definitions and value validation, as HubSpot's properties API and its write validation behave.

Definitions start from the JSON files beside this module (HubSpot's documented ``GET /crm/v3/properties/{type}``
shape); a ``--blank`` portal lacks the ``rapport_*`` ones until ``rapport setup`` creates them. Values are stored
as HubSpot stores them: strings (numbers as decimal text, datetimes as ISO 8601 UTC, enumerations by value).
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from adapters.hubspot.sandbox.errors import Invalid, SandboxError, bad_request

OBJECT_TYPES = ("contacts", "notes")
MAX_STRING = 65536
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TYPES = {"string", "number", "date", "datetime", "enumeration", "bool"}
FIELD_TYPES = {"textarea", "text", "date", "file", "number", "select", "radio", "checkbox", "booleancheckbox", "html"}


def load_definitions(blank: bool) -> dict[str, dict[str, dict[str, Any]]]:
    """Property definitions per object type; without Rapport's own when `blank`."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for object_type in OBJECT_TYPES:
        text = resources.files(__package__).joinpath(f"{object_type}_properties.json").read_text()
        props = json.loads(text)["results"]
        out[object_type] = {p["name"]: p for p in props if not (blank and p["name"].startswith("rapport_"))}
    return out


def default_groups() -> dict[str, dict[str, dict[str, Any]]]:
    """Property groups per object type (HubSpot's defaults, plus ``rapport`` as setup would have made)."""
    groups = {"contacts": ["contactinformation", "sales_properties"], "notes": ["notes"]}
    return {
        t: {g: {"name": g, "label": g.replace("_", " ").title(), "displayOrder": -1, "archived": False} for g in names}
        for t, names in groups.items()
    }


def now_iso() -> str:
    """Now, as HubSpot writes timestamps (ISO 8601 UTC, milliseconds)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_millis(value: str) -> int | None:
    """A datetime value (epoch milliseconds or ISO 8601) as epoch milliseconds, or None when unparseable."""
    text = value.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def iso_from_millis(ms: int) -> str:
    """Epoch milliseconds as HubSpot's ISO 8601 text."""
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def normalise(spec: dict[str, Any], raw: Any) -> tuple[str | None, Invalid | None]:
    """The stored text for `raw` under property `spec`, or why HubSpot refuses it. Empty text clears."""
    name = spec["name"]
    if raw is None or raw == "":
        return "", None
    text = str(raw).lower() if isinstance(raw, bool) else str(raw)
    kind = spec["type"]
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return None, Invalid(name, "INVALID_INTEGER", f"{text!r} is not a valid number for {name}")
        return (str(int(number)) if number.is_integer() else repr(number)), None
    if kind in ("datetime", "date"):
        ms = to_millis(text)
        if ms is None:
            return None, Invalid(name, "INVALID_DATE", f"{text!r} is not a valid date for {name}")
        if kind == "date" and ms % 86_400_000:
            return None, Invalid(name, "INVALID_DATE", f"{name} must be midnight UTC")
        return (iso_from_millis(ms) if kind == "datetime" else iso_from_millis(ms)[:10]), None
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            return None, Invalid(name, "INVALID_BOOLEAN", f"{text!r} is not true or false for {name}")
        return text.lower(), None
    if kind == "enumeration":
        allowed = {o["value"] for o in spec.get("options") or []}
        values = text.split(";") if spec.get("fieldType") == "checkbox" else [text]
        bad = [v for v in values if v not in allowed]
        if bad:
            return None, Invalid(name, "INVALID_OPTION", f"{bad[0]!r} was not one of the allowed options for {name}")
        return text, None
    if len(text) > MAX_STRING:
        return None, Invalid(name, "INVALID_STRING_LENGTH", f"{name} is longer than {MAX_STRING} characters")
    if name == "email" and not EMAIL.match(text):
        return None, Invalid(name, "INVALID_EMAIL", f"Email address {text} is invalid")
    return text, None


def check_values(
    definitions: dict[str, dict[str, Any]], values: dict[str, Any]
) -> tuple[dict[str, str], list[Invalid]]:
    """Validate a properties object: the normalised values and every problem (unknown, read-only, invalid)."""
    out: dict[str, str] = {}
    problems: list[Invalid] = []
    for name, raw in values.items():
        spec = definitions.get(name)
        if spec is None:
            problems.append(Invalid(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
            continue
        if (spec.get("modificationMetadata") or {}).get("readOnlyValue") or spec.get("calculated"):
            problems.append(
                Invalid(name, "READ_ONLY_VALUE", f"{name} is a read only property; its value cannot be set")
            )
            continue
        value, problem = normalise(spec, raw)
        if problem is not None:
            problems.append(problem)
        elif value is not None:
            out[name] = value
    return out, problems


def new_definition(body: Any, object_type: str, groups: dict[str, Any]) -> dict[str, Any]:
    """A property definition from a ``POST /crm/v3/properties/{type}`` body, or a 400 with what is wrong."""
    if not isinstance(body, dict):
        raise bad_request("Invalid input JSON: expected an object")
    missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not body.get(k)]
    if missing:
        raise bad_request(f"Missing required fields: {', '.join(missing)}")
    if body["type"] not in TYPES or body["fieldType"] not in FIELD_TYPES:
        raise bad_request(f"Invalid type/fieldType {body['type']}/{body['fieldType']}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", body["name"]):
        raise bad_request(f"Property name {body['name']!r} must be lower case letters, digits and underscores")
    if body["groupName"] not in groups:
        raise SandboxError(400, "VALIDATION_ERROR", f"property group {body['groupName']} does not exist")
    options = [
        {"label": o.get("label", o.get("value")), "value": o["value"], "hidden": bool(o.get("hidden", False)),
         "displayOrder": o.get("displayOrder", i), "description": o.get("description", "")}
        for i, o in enumerate(body.get("options") or [])
    ]  # fmt: skip
    stamp = now_iso()
    return {
        "name": body["name"], "label": body["label"], "type": body["type"], "fieldType": body["fieldType"],
        "description": body.get("description", ""), "groupName": body["groupName"], "options": options,
        "displayOrder": body.get("displayOrder", -1), "calculated": False, "externalOptions": False,
        "hasUniqueValue": bool(body.get("hasUniqueValue", False)), "hidden": bool(body.get("hidden", False)),
        "hubspotDefined": False, "formField": bool(body.get("formField", False)), "archived": False,
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": False, "readOnlyValue": False},
        "createdAt": stamp, "updatedAt": stamp,
    }  # fmt: skip


def copy_definitions(defs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Definitions as a response list (copies, so callers cannot alter the store)."""
    return [copy.deepcopy(d) for d in defs.values()]
