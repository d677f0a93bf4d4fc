"""The sandbox org's objects and fields, in Salesforce's own describe format.

Contact and Lead come from recorded describe responses (data/*.json); the Rapport fields and the social
history object follow CONTRACT.md. A blank org lacks both, as a real org does before `rapport setup`.
Fields and objects created through the Tooling API are converted from their metadata here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

INTERACTION_OBJECT = "Rapport_Social_Interaction__c"
INTERACTION_PREFIX = "a0R"
RAPPORT_PREFIX = "Rapport_"

_FIELD_DEFAULTS: dict[str, Any] = {
    "soapType": "xsd:string", "length": 0, "byteLength": 0, "precision": 0, "scale": 0, "digits": 0,
    "createable": True, "updateable": True, "nillable": True, "defaultedOnCreate": False,
    "calculated": False, "custom": False, "externalId": False, "unique": False, "idLookup": False,
    "filterable": True, "sortable": True, "caseSensitive": False, "autoNumber": False, "picklistValues": [],
    "restrictedPicklist": False, "dependentPicklist": False, "referenceTo": [], "relationshipName": None,
    "htmlFormatted": False,
}  # fmt: skip


def field(name: str, type: str, label: str = "", **extra: Any) -> dict[str, Any]:
    """A describe field entry with Salesforce's defaults filled in."""
    out: dict[str, Any] = {"name": name, "label": label or name.removesuffix("__c").replace("_", " "), "type": type}
    out.update(copy.deepcopy(_FIELD_DEFAULTS))
    out.update(extra)
    out["custom"] = name.endswith("__c")
    return out


def _system(read_only: dict[str, str]) -> list[dict[str, Any]]:
    return [field(n, t, createable=False, updateable=False, nillable=n != "Id") for n, t in read_only.items()]


def _picklist(values: list[str]) -> list[dict[str, Any]]:
    return [{"value": v, "label": v, "active": True, "defaultValue": False, "validFor": None} for v in values]


def interaction_describe() -> dict[str, Any]:
    """The social history object of CONTRACT.md ("What lands in the CRM")."""
    fields = _system({"Id": "id", "Name": "string", "IsDeleted": "boolean", "CreatedDate": "datetime",
                      "LastModifiedDate": "datetime", "SystemModstamp": "datetime"})  # fmt: skip
    fields[0].update(length=18, idLookup=True, defaultedOnCreate=True)
    fields[1].update(length=80, autoNumber=True, label="Interaction Number", nillable=False)
    fields += [
        field("OwnerId", "reference", length=18, nillable=False, defaultedOnCreate=True, referenceTo=["User"]),
        field("External_Id__c", "string", length=255, externalId=True, unique=True, idLookup=True),
        field("Contact__c", "reference", length=18, referenceTo=["Contact"], relationshipName="Contact__r"),
        field("Lead__c", "reference", length=18, referenceTo=["Lead"], relationshipName="Lead__r"),
        field("Network__c", "string", length=40),
        field("Kind__c", "picklist", length=255,
              picklistValues=_picklist(["post", "comment", "reply", "mention", "dm", "review"])),
        field("Direction__c", "picklist", length=255, picklistValues=_picklist(["inbound", "outbound"])),
        field("Text__c", "textarea", length=32768),
        field("Url__c", "url", length=255),
        field("Occurred_At__c", "datetime"),
    ]  # fmt: skip
    return object_describe(INTERACTION_OBJECT, "Rapport Social Interaction", INTERACTION_PREFIX, fields)


def object_describe(name: str, label: str, prefix: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
    """An sObject describe body."""
    flags = {"createable": True, "updateable": True, "deletable": True, "queryable": True}
    return {
        "name": name,
        "label": label,
        "custom": name.endswith("__c"),
        **flags,
        "keyPrefix": prefix,
        "fields": fields,
    }


def standard_objects(blank: bool) -> dict[str, dict[str, Any]]:
    """Contact and Lead (and the social history object), without Rapport's fields when `blank`."""
    objects: dict[str, dict[str, Any]] = {}
    for file in ("contact.json", "lead.json"):
        text = resources.files(__package__).joinpath("data", file).read_text(encoding="utf-8")
        describe = json.loads(text)
        describe.setdefault("deletable", True)
        describe.setdefault("queryable", True)
        if blank:
            describe["fields"] = [f for f in describe["fields"] if not f["name"].startswith(RAPPORT_PREFIX)]
        objects[describe["name"]] = describe
    if not blank:
        objects[INTERACTION_OBJECT] = interaction_describe()
    from adapters.salesforce.sandbox.security import security_objects  # imports this module's helpers

    objects.update(security_objects())
    return objects


_METADATA_TYPES = {"Text": "string", "LongTextArea": "textarea", "TextArea": "textarea", "DateTime": "datetime",
                   "Date": "date", "Number": "double", "Checkbox": "boolean", "Url": "url", "Email": "email",
                   "Phone": "phone", "Lookup": "reference", "Picklist": "picklist"}  # fmt: skip


def field_from_metadata(name: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    """A describe field from Tooling API CustomField metadata; ValueError names what is wrong."""
    kind = meta.get("type")
    if kind not in _METADATA_TYPES:
        raise ValueError(f"Unsupported field type: {kind}")
    sf_type = _METADATA_TYPES[kind]
    extra: dict[str, Any] = {"externalId": bool(meta.get("externalId")), "unique": bool(meta.get("unique"))}
    if sf_type in {"string", "textarea"}:
        length = meta.get("length")
        limit = 255 if kind == "Text" else 131072
        if not isinstance(length, int) or not 0 < length <= limit:
            raise ValueError(f"Length must be between 1 and {limit}")
        extra["length"] = length
    elif sf_type in {"url", "email", "phone"}:
        extra["length"] = {"url": 255, "email": 80, "phone": 40}[sf_type]
    elif sf_type == "reference":
        extra.update(length=18, referenceTo=[meta.get("referenceTo")],
                     relationshipName=meta.get("relationshipName"))  # fmt: skip
    elif sf_type == "double":
        extra.update(precision=int(meta.get("precision", 18)), scale=int(meta.get("scale", 0)))
    elif sf_type == "picklist":
        value_set = meta.get("valueSet") or {}
        values = [v["fullName"] for v in (value_set.get("valueSetDefinition") or {}).get("value", [])]
        extra.update(length=255, picklistValues=_picklist(values), restrictedPicklist=bool(value_set.get("restricted")))
    extra["idLookup"] = extra["externalId"] or extra["unique"]
    if sf_type == "boolean":
        extra.update(nillable=False, defaultedOnCreate=True)
    return field(name, sf_type, str(meta.get("label") or ""), **extra)


def object_from_metadata(name: str, meta: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """A new custom object's describe (standard fields only) from Tooling API CustomObject metadata."""
    fields = _system({"Id": "id", "Name": "string", "IsDeleted": "boolean", "CreatedDate": "datetime",
                      "LastModifiedDate": "datetime", "SystemModstamp": "datetime"})  # fmt: skip
    fields[0].update(length=18, idLookup=True, defaultedOnCreate=True)
    name_field = meta.get("nameField") or {}
    auto = name_field.get("type") == "AutoNumber"
    fields[1].update(length=80, autoNumber=auto, createable=not auto, updateable=not auto, nillable=auto,
                     label=str(name_field.get("label") or "Name"))  # fmt: skip
    fields.append(
        field("OwnerId", "reference", length=18, nillable=False, defaultedOnCreate=True, referenceTo=["User"])
    )
    return object_describe(name, str(meta.get("label") or name), prefix, fields)
