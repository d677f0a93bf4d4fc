"""Field and object access for the integration user: fields made through the Tooling API are invisible to every
profile until granted, so setup puts them in a `Rapport_Integration` permission set assigned to the user it runs
as. Every step looks first and creates only what is missing."""

from __future__ import annotations

from typing import Any

from adapters.salesforce.client import Client
from adapters.salesforce.setup import Need

PERMISSION_SET = "Rapport_Integration"


def _rows(client: Client, soql: str) -> list[dict[str, Any]]:
    result = client.query(soql)
    rows = list(result["records"])
    while not result["done"]:
        result = client.query_more(result["nextRecordsUrl"])
        rows += result["records"]
    return rows


def _create(client: Client, sobject: str, body: dict[str, Any]) -> str:
    return str(client.rest("POST", f"sobjects/{sobject}", json=body, idempotent=False)["id"])


def _permission_set(client: Client, lines: list[str]) -> str:
    found = _rows(client, f"SELECT Id FROM PermissionSet WHERE Name = '{PERMISSION_SET}'")
    if found:
        return str(found[0]["Id"])
    lines.append(f"created permission set {PERMISSION_SET}")
    description = "Access to the fields Rapport syncs."
    return _create(
        client, "PermissionSet", {"Name": PERMISSION_SET, "Label": "Rapport Integration", "Description": description}
    )


def _object_access(client: Client, ps: str, custom_objects: list[str], lines: list[str]) -> None:
    soql = f"SELECT SobjectType FROM ObjectPermissions WHERE ParentId = '{ps}'"
    have = {r["SobjectType"] for r in _rows(client, soql)}
    flags = {f"Permissions{p}": True for p in ("Read", "Create", "Edit", "Delete")}
    for sobject in custom_objects:
        if sobject not in have:
            _create(client, "ObjectPermissions", {"ParentId": ps, "SobjectType": sobject, **flags})
            lines.append(f"granted read, create, edit and delete on {sobject} to {PERMISSION_SET}")


def _field_access(client: Client, ps: str, needs: dict[str, list[Need]], lines: list[str]) -> None:
    granted = {r["Field"] for r in _rows(client, f"SELECT Field FROM FieldPermissions WHERE ParentId = '{ps}'")}
    wanted = [(sobject, f"{sobject}.{need.name}") for sobject, fields in needs.items() for need in fields]
    flags = {"PermissionsRead": True, "PermissionsEdit": True}
    missing = [(sobject, name) for sobject, name in wanted if name not in granted]
    for sobject, name in missing:
        _create(client, "FieldPermissions", {"ParentId": ps, "SobjectType": sobject, "Field": name, **flags})
    if missing:
        lines.append(f"granted read and edit on {len(missing)} fields to {PERMISSION_SET}")


def _assign(client: Client, ps: str, lines: list[str]) -> None:
    info = client.call(lambda sf: sf.oauth2("userinfo"), idempotent=True)
    user = str((info or {})["user_id"])
    soql = f"SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = '{ps}' AND AssigneeId = '{user}'"
    if not _rows(client, soql):
        _create(client, "PermissionSetAssignment", {"PermissionSetId": ps, "AssigneeId": user})
        lines.append(f"assigned {PERMISSION_SET} to the integration user")


def grant(client: Client, needs: dict[str, list[Need]], custom_objects: list[str]) -> list[str]:
    """Grant read/edit on every needed field (and full access to Rapport's objects); lines for what changed.
    Object access comes first: Salesforce refuses field access on an object the set cannot read."""
    lines: list[str] = []
    ps = _permission_set(client, lines)
    _object_access(client, ps, custom_objects, lines)
    _field_access(client, ps, needs, lines)
    _assign(client, ps, lines)
    return lines
