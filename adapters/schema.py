"""Field schemas: what an adapter's ``describe(object)`` returns, in one vendor-neutral shape.

Pure module (no I/O). The Salesforce and HubSpot adapters fetch the vendor's own description
(``GET /services/data/vXX.X/sobjects/{Object}/describe`` and ``GET /crm/v3/properties/{objectType}``)
and convert it here, so mappings are validated against one shape whatever the CRM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

FieldType = Literal[
    "string",
    "textarea",
    "email",
    "phone",
    "url",
    "picklist",
    "multipicklist",
    "number",
    "boolean",
    "date",
    "datetime",
    "reference",
    "id",
    "other",
]

TEXT_TYPES: frozenset[str] = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "reference", "id"}
)


@dataclass(frozen=True)
class FieldSchema:
    """One CRM field as the mapping validator sees it.

    ``length`` is the maximum number of characters for text fields (None: no documented limit).
    ``required`` means a create fails without a value. ``picklist`` lists the allowed values (active
    ones only) and ``restricted_picklist`` says whether the CRM refuses anything else.
    """

    name: str
    type: FieldType
    label: str = ""
    length: int | None = None
    createable: bool = True
    updateable: bool = True
    required: bool = False
    nillable: bool = True
    picklist: tuple[str, ...] | None = None
    restricted_picklist: bool = False
    unique: bool = False
    external_id: bool = False
    vendor_type: str = ""

    @property
    def writable(self) -> bool:
        """True when the API accepts a value for this field on create or update."""
        return self.createable or self.updateable


@dataclass(frozen=True)
class ObjectSchema:
    """The fields of one CRM object, by API name."""

    object: str
    fields: Mapping[str, FieldSchema] = field(default_factory=dict)

    def get(self, name: str) -> FieldSchema | None:
        """The field called ``name``, or None."""
        return self.fields.get(name)


_SF_TYPES: dict[str, FieldType] = {
    "string": "string",
    "textarea": "textarea",
    "email": "email",
    "phone": "phone",
    "url": "url",
    "picklist": "picklist",
    "multipicklist": "multipicklist",
    "combobox": "string",
    "double": "number",
    "currency": "number",
    "percent": "number",
    "int": "number",
    "long": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "reference": "reference",
    "id": "id",
}


def from_salesforce_describe(describe: Mapping[str, Any]) -> ObjectSchema:
    """Convert a Salesforce ``sobjects/{Object}/describe`` response into an ObjectSchema.

    Required follows Salesforce's own rule: createable, not nillable and not defaulted on create.
    Only active picklist values are allowed values.
    """
    fields: dict[str, FieldSchema] = {}
    for raw in describe.get("fields") or []:
        fields[raw["name"]] = _salesforce_field(raw)
    return ObjectSchema(object=str(describe.get("name", "")), fields=fields)


def _salesforce_field(raw: Mapping[str, Any]) -> FieldSchema:
    vendor_type = str(raw.get("type", ""))
    ftype = _SF_TYPES.get(vendor_type, "other")
    createable = bool(raw.get("createable", False))
    nillable = bool(raw.get("nillable", True))
    values = raw.get("picklistValues") or []
    picklist = tuple(str(v["value"]) for v in values if v.get("active", True))
    length = int(raw.get("length") or 0)
    return FieldSchema(
        name=str(raw["name"]),
        type=ftype,
        label=str(raw.get("label", "")),
        length=length if length > 0 and ftype in TEXT_TYPES else None,
        createable=createable,
        updateable=bool(raw.get("updateable", False)),
        required=createable and not nillable and not raw.get("defaultedOnCreate", False),
        nillable=nillable,
        picklist=picklist if ftype in {"picklist", "multipicklist"} else None,
        restricted_picklist=bool(raw.get("restrictedPicklist", False)),
        unique=bool(raw.get("unique", False)),
        external_id=bool(raw.get("externalId", False)),
        vendor_type=vendor_type,
    )


_HS_TYPES: dict[str, FieldType] = {
    "string": "string",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
    "enumeration": "picklist",
    "bool": "boolean",
    "phone_number": "phone",
}

# HubSpot keeps the data type in ``type`` and the form widget in ``fieldType``; a few widgets refine it.
_HS_FIELD_TYPES: dict[str, FieldType] = {
    "textarea": "textarea",
    "phonenumber": "phone",
    "checkbox": "multipicklist",
}


def from_hubspot_properties(properties: Mapping[str, Any], object: str = "contacts") -> ObjectSchema:
    """Convert a HubSpot ``GET /crm/v3/properties/{objectType}`` response into an ObjectSchema.

    Enumeration properties are restricted picklists (HubSpot refuses values outside ``options``).
    A property is writable unless ``modificationMetadata.readOnlyValue`` or ``calculated`` says otherwise.
    """
    fields: dict[str, FieldSchema] = {}
    for raw in properties.get("results") or []:
        fields[raw["name"]] = _hubspot_field(raw)
    return ObjectSchema(object=object, fields=fields)


def _hubspot_field(raw: Mapping[str, Any]) -> FieldSchema:
    vendor_type = str(raw.get("type", ""))
    ftype = _HS_TYPES.get(vendor_type, "other")
    refined = _HS_FIELD_TYPES.get(str(raw.get("fieldType", "")))
    if refined is not None and (ftype in {"string", "picklist"} or refined == "phone"):
        ftype = refined
    if raw.get("name") == "email":
        ftype = "email"
    meta = raw.get("modificationMetadata") or {}
    writable = not meta.get("readOnlyValue", False) and not raw.get("calculated", False)
    options = raw.get("options") or []
    picklist = tuple(str(o["value"]) for o in options if not o.get("hidden", False))
    unique = bool(raw.get("hasUniqueValue", False))
    return FieldSchema(
        name=str(raw["name"]),
        type=ftype,
        label=str(raw.get("label", "")),
        # The property list gives no length per property; HubSpot's platform cap (65,536 characters)
        # surfaces as a record-level rejection, so no length is claimed here.
        length=None,
        createable=writable,
        updateable=writable,
        required=False,
        nillable=True,
        picklist=picklist if ftype in {"picklist", "multipicklist"} else None,
        restricted_picklist=ftype in {"picklist", "multipicklist"},
        unique=unique,
        external_id=unique,
        vendor_type=vendor_type,
    )
