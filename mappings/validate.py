"""Validate a mapping against the CRM's own schema (``Adapter.describe()``) before it is saved.

Refused: a field the CRM lacks, a push into a read-only field, a value a restricted picklist does not
allow, a value that can overflow the field's length, incompatible types, and (with ``create: true``)
a required field left unmapped. Every problem carries the file, line and field.
"""

from __future__ import annotations

from adapters.schema import TEXT_TYPES, FieldSchema, ObjectSchema
from mappings.errors import MappingError, Problem
from mappings.flow import KIND_WORDS
from mappings.loader import load_mapping, suggest
from mappings.model import FieldMapping, Mapping

# Which field types accept each kind of pushed value (text-like fields take ISO dates as text).
ACCEPTS: dict[str, frozenset[str]] = {
    "text": TEXT_TYPES,
    "number": frozenset({"number"}),
    "date": TEXT_TYPES | {"date"},
    "datetime": TEXT_TYPES | {"datetime"},
    "boolean": frozenset({"boolean"}),
    "list": frozenset(),
    "map": frozenset(),
}

HINTS: dict[tuple[str, str], str] = {
    (
        "datetime",
        "date",
    ): "a date-time into a date-only field shifts across time zones; add {date: <time zone>}",
    ("text", "date"): "add {date: <time zone>} to turn the text into a date",
    ("text", "datetime"): "add {datetime: <time zone>} to turn the text into a date-time",
    ("number", "text"): 'add {template: "{value}"} to send the number as text',
    ("list", "text"): "add {coalesce: [...]} to send the first item",
    ("map", "text"): "add social_handles to send the handles as text",
}


def validate(mapping: Mapping, schema: ObjectSchema) -> list[Problem]:
    """Every problem of ``mapping`` against ``schema``; an empty list means it may be saved."""
    problems: list[Problem] = []
    for field in mapping.fields:
        problems.extend(_field_problems(mapping, field, schema))
    problems.extend(_required_problems(mapping, schema))
    return problems


def load_validated(text: str, filename: str, schema: ObjectSchema) -> Mapping:
    """Parse and validate in one step (``rapport apply``, ``PUT .../mappings``): the mapping, or MappingError
    listing every problem of the file (shape first; schema problems once the shape is right)."""
    mapping = load_mapping(text, filename)
    problems = validate(mapping, schema)
    if problems:
        raise MappingError(problems)
    return mapping


def _field_problems(mapping: Mapping, field: FieldMapping, schema: ObjectSchema) -> list[Problem]:
    fs = schema.get(field.target)
    if fs is None:
        hint = suggest(field.target, schema.fields)
        return [_problem(mapping, field, f"the CRM object {schema.object} has no field '{field.target}'{hint}")]
    messages: list[str] = []
    if field.pushes:
        messages += _push_messages(mapping, field, fs)
    if field.pulls and fs.type not in TEXT_TYPES:
        messages.append(f"cannot pull a {fs.type} field into '{field.source}', which holds text")
    return [_problem(mapping, field, m) for m in messages]


def _push_messages(mapping: Mapping, field: FieldMapping, fs: FieldSchema) -> list[str]:
    if not fs.updateable and not (mapping.create and fs.createable):
        return [f"{fs.name} is read-only in the CRM; it cannot be written (use direction: pull)"]
    type_message = _type_message(field, fs)
    if type_message:
        return [type_message]  # picklist and length checks would only repeat the mismatch
    return [m for m in (_picklist_message(field, fs), _length_message(field, fs)) if m]


def _type_message(field: FieldMapping, fs: FieldSchema) -> str | None:
    kind = field.flow.kind
    if kind is None or fs.type in ACCEPTS[kind]:
        return None
    target_kind = "text" if fs.type in TEXT_TYPES else fs.type
    hint = HINTS.get((kind, target_kind))
    message = f"sends {KIND_WORDS[kind]} to a {fs.type} field"
    return f"{message}; {hint}" if hint else message


def _picklist_message(field: FieldMapping, fs: FieldSchema) -> str | None:
    if not fs.restricted_picklist or fs.picklist is None:
        return None
    allowed = ", ".join(repr(v) for v in fs.picklist)
    outputs = field.flow.outputs
    if outputs is None:
        origin = f"'{field.source}'" if field.source else "the transforms"
        return (
            f"{fs.name} is a restricted picklist and values from {origin} are not limited to its values; "
            f"add a map transform with a default (allowed: {allowed})"
        )
    refused = sorted(outputs - set(fs.picklist))
    if refused:
        values = ", ".join(repr(v) for v in refused)
        return f"can send {values}, which the restricted picklist {fs.name} refuses (allowed: {allowed})"
    return None


def _length_message(field: FieldMapping, fs: FieldSchema) -> str | None:
    if fs.length is None or fs.type not in TEXT_TYPES or fs.type in {"picklist", "multipicklist"}:
        return None
    bound = field.flow.bound
    if bound == "field":
        return None
    if bound is None:
        return (
            f"can overflow: {fs.name} holds {fs.length} characters and nothing bounds the value; "
            f"add {{truncate: {fs.length}}} (or {{max_length: {fs.length}}} to refuse longer values)"
        )
    if bound > fs.length:
        return f"can send up to {bound} characters, but {fs.name} holds {fs.length}"
    return None


def _required_problems(mapping: Mapping, schema: ObjectSchema) -> list[Problem]:
    if not mapping.create:
        return []
    pushed = {f.target for f in mapping.fields if f.pushes}
    return [
        Problem(
            mapping.file,
            mapping.line,
            fs.name,
            f"create is true, but the required field {fs.name} is not pushed; records could not be created",
        )
        for fs in schema.fields.values()
        if fs.required and fs.name not in pushed
    ]


def _problem(mapping: Mapping, field: FieldMapping, message: str) -> Problem:
    return Problem(mapping.file, field.line, field.target, message)
