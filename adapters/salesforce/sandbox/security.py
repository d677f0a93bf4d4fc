"""The permission objects `rapport setup` writes: PermissionSet, ObjectPermissions, FieldPermissions and
PermissionSetAssignment. The sandbox stores and validates them; it does not enforce field-level security."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.salesforce.sandbox.catalog import field, object_describe
from adapters.salesforce.sandbox.errors import RecordError


def _system() -> list[dict[str, Any]]:
    out = [field("Id", "id", length=18, createable=False, updateable=False, nillable=False, defaultedOnCreate=True)]
    for name, kind in (("IsDeleted", "boolean"), ("CreatedDate", "datetime"), ("SystemModstamp", "datetime"),
                       ("LastModifiedDate", "datetime")):  # fmt: skip
        out.append(field(name, kind, createable=False, updateable=False))
    return out


def _flags(*names: str) -> list[dict[str, Any]]:
    return [field(n, "boolean", nillable=False, defaultedOnCreate=True) for n in names]


def security_objects() -> dict[str, dict[str, Any]]:
    """Describes of the four permission objects."""
    parent: dict[str, Any] = {
        "length": 18,
        "nillable": False,
        "referenceTo": ["PermissionSet"],
        "relationshipName": "Parent",
    }
    return {
        "PermissionSet": object_describe("PermissionSet", "Permission Set", "0PS", [*_system(),
            field("Name", "string", length=80, nillable=False), field("Label", "string", length=80, nillable=False),
            field("Description", "textarea", length=255)]),
        "ObjectPermissions": object_describe("ObjectPermissions", "Object Permissions", "110", [*_system(),
            field("ParentId", "reference", **parent), field("SobjectType", "string", length=40, nillable=False),
            *_flags("PermissionsRead", "PermissionsCreate", "PermissionsEdit", "PermissionsDelete")]),
        "FieldPermissions": object_describe("FieldPermissions", "Field Permissions", "01k", [*_system(),
            field("ParentId", "reference", **parent), field("SobjectType", "string", length=40, nillable=False),
            field("Field", "string", length=255, nillable=False), *_flags("PermissionsRead", "PermissionsEdit")]),
        "PermissionSetAssignment": object_describe("PermissionSetAssignment", "Permission Set Assignment", "0Pa", [
            *_system(), field("PermissionSetId", "reference", length=18, nillable=False, referenceTo=["PermissionSet"]),
            field("AssigneeId", "reference", length=18, nillable=False, referenceTo=["User"])]),
    }  # fmt: skip


def permission_errors(
    objects: Mapping[str, Mapping[str, Any]], obj: str, values: Mapping[str, Any]
) -> list[RecordError]:
    """FieldPermissions and ObjectPermissions must name an existing object (and field), as Salesforce's
    restricted picklists on SobjectType and Field require."""
    if obj not in {"FieldPermissions", "ObjectPermissions"}:
        return []
    sobject = str(values.get("SobjectType") or "")
    if sobject not in objects:
        message = f"Sobject Type Name: bad value for restricted picklist field: {sobject}"
        return [RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", message, ["SobjectType"])]
    if obj == "FieldPermissions":
        target = str(values.get("Field") or "")
        prefix, _, name = target.partition(".")
        if prefix != sobject or name not in {f["name"] for f in objects[sobject]["fields"]}:
            message = f"Field Name: bad value for restricted picklist field: {target}"
            return [RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", message, ["Field"])]
    return []
