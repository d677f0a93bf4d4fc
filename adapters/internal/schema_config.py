"""The optional ``schema`` block of an internal connection: the fields a mapping may use.

An arbitrary REST service has no describe endpoint, so the administrator lists the fields::

    schema:
      first_name: {type: string, length: 100}
      email: {type: email, length: 254, unique: true}
      status: {type: picklist, picklist: [active, closed], restricted_picklist: true}
      id: {type: id, writable: false}
      rapport_id: {type: string, length: 64, unique: true}
      notes: textarea            # short form: just the type

Keys per field: ``type`` (a `adapters.schema.FieldType`, default string), ``length``, ``required``, ``unique``,
``writable`` (sets both ``createable`` and ``updateable``), ``createable``, ``updateable``, ``picklist``,
``restricted_picklist``, ``label``. The link field is always unique and an external id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, get_args

from adapters.schema import FieldSchema, FieldType, ObjectSchema

TYPES: frozenset[str] = frozenset(get_args(FieldType))
_FLAGS = ("required", "unique", "createable", "updateable", "restricted_picklist")


def parse_schema(
    block: Mapping[str, Any], object: str, link_field: str, problem: Callable[[str, str], None]
) -> ObjectSchema:
    """The declared fields as an ObjectSchema; problems are reported through ``problem(key, message)``."""
    fields: dict[str, FieldSchema] = {}
    for name, spec in block.items():
        parsed = _field(str(name), {"type": spec} if isinstance(spec, str) else spec, problem)
        if parsed is not None:
            fields[parsed.name] = parsed
    link = fields.get(link_field)
    if link is None:
        problem("schema", f"must list the link field {link_field!r} (where Rapport's link id is stored)")
    else:
        fields[link_field] = FieldSchema(
            link.name, link.type, link.label, link.length, link.createable, link.updateable, unique=True,
            external_id=True, vendor_type=link.vendor_type,
        )  # fmt: skip
    return ObjectSchema(object, fields)


def _field(name: str, spec: Any, problem: Callable[[str, str], None]) -> FieldSchema | None:
    key = f"schema.{name}"
    if not isinstance(spec, Mapping):
        problem(key, "must be a type name or a mapping like {type: string, length: 100}")
        return None
    ftype = spec.get("type", "string")
    if ftype not in TYPES:
        problem(f"{key}.type", f"unknown type {ftype!r} (one of {', '.join(sorted(TYPES))})")
        return None
    length = spec.get("length")
    if length is not None and (not isinstance(length, int) or isinstance(length, bool) or length < 1):
        problem(f"{key}.length", "must be a positive integer")
        length = None
    picklist = spec.get("picklist")
    if picklist is not None and not isinstance(picklist, list):
        problem(f"{key}.picklist", "must be a list of allowed values")
        picklist = None
    writable = spec.get("writable", True)
    flags = {flag: bool(spec.get(flag, writable if flag in ("createable", "updateable") else False)) for flag in _FLAGS}
    return FieldSchema(
        name=name,
        type=ftype,
        label=str(spec.get("label", "")),
        length=length,
        picklist=tuple(str(v) for v in picklist) if picklist is not None else None,
        nillable=not flags["required"],
        vendor_type=str(ftype),
        **flags,
    )
