"""The sandbox org's data: objects, records, unique and external-id indexes, and record writes.

Deleted records stay in the recycle bin (`IsDeleted` true) so queryAll can report them; every write moves
`SystemModstamp` and `LastModifiedDate` forward, strictly increasing, as integrations rely on.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.salesforce.sandbox import catalog
from adapters.salesforce.sandbox.errors import ApiFault, Outcome, RecordError, not_found
from adapters.salesforce.sandbox.ids import make_id, to18
from adapters.salesforce.sandbox.security import permission_errors
from adapters.salesforce.sandbox.values import coerce, format_datetime, required_missing, value_errors

USER_ID = make_id("005", 1)
SYSTEM_FIELDS = {"Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp"}


@dataclass
class Org:
    """Objects (describe bodies by name) and their records (by 18-character id)."""

    objects: dict[str, dict[str, Any]]
    records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # record id -> change origin of its last write
    _index: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _last: datetime = field(default_factory=lambda: datetime(2000, 1, 1, tzinfo=UTC))

    @classmethod
    def fresh(cls, blank: bool) -> Org:
        """A new org with the standard objects (and Rapport's fields unless `blank`)."""
        return cls(catalog.standard_objects(blank))

    # -- schema -----------------------------------------------------------------------------------------
    def object_name(self, name: str) -> str | None:
        """The canonical name of an object (names are case-insensitive), or None."""
        return next((o for o in self.objects if o.lower() == name.lower()), None)

    def require_object(self, name: str) -> str:
        """The canonical object name, or 404 NOT_FOUND."""
        found = self.object_name(name)
        if found is None:
            raise not_found()
        return found

    def fields(self, obj: str) -> dict[str, dict[str, Any]]:
        """Describe fields of `obj` by name."""
        return {f["name"]: f for f in self.objects[obj]["fields"]}

    def field_spec(self, obj: str, name: str) -> dict[str, Any] | None:
        """A field by case-insensitive name."""
        return next((f for f in self.objects[obj]["fields"] if f["name"].lower() == name.lower()), None)

    def add_field(self, obj: str, spec: dict[str, Any]) -> None:
        """Add a field (Tooling API); existing records get null."""
        self.objects[obj]["fields"].append(spec)
        for record in self.records.get(obj, {}).values():
            record.setdefault(spec["name"], None)
        self._index.pop((obj, spec["name"]), None)

    # -- reads ------------------------------------------------------------------------------------------
    def live(self, obj: str) -> Iterator[dict[str, Any]]:
        """Records not in the recycle bin."""
        return (r for r in self.records.get(obj, {}).values() if not r["IsDeleted"])

    def get(self, obj: str, record_id: str, *, deleted: bool = False) -> dict[str, Any] | None:
        """A record by 15- or 18-character id (deleted ones only when asked)."""
        full = to18(record_id)
        record = self.records.get(obj, {}).get(full or "")
        if record is None or (record["IsDeleted"] and not deleted):
            return None
        return record

    def find_by(self, obj: str, name: str, value: Any) -> list[str]:
        """Ids of live records whose (external id or unique) field equals `value`."""
        return sorted(self._lookup(obj, name).get(self.fold(obj, name, value), set()))

    def fold(self, obj: str, name: str, value: Any) -> str:
        """The index key of a value (case-insensitive unless the field is case-sensitive)."""
        spec = self.fields(obj)[name]
        text = str(value)
        return text if spec.get("caseSensitive") else text.lower()

    def _lookup(self, obj: str, name: str) -> dict[str, set[str]]:
        key = (obj, name)
        if key not in self._index:
            index: dict[str, set[str]] = {}
            for record in self.live(obj):
                if record.get(name) not in (None, ""):
                    index.setdefault(self.fold(obj, name, record[name]), set()).add(record["Id"])
            self._index[key] = index
        return self._index[key]

    def _reindex(self, obj: str, record: Mapping[str, Any], old: Mapping[str, Any] | None) -> None:
        for (o, name), index in self._index.items():
            if o != obj:
                continue
            if old is not None and old.get(name) not in (None, ""):
                index.get(self.fold(obj, name, old[name]), set()).discard(record["Id"])
            if not record["IsDeleted"] and record.get(name) not in (None, ""):
                index.setdefault(self.fold(obj, name, record[name]), set()).add(record["Id"])

    def snapshot(self) -> tuple[Any, Any]:
        """A copy of the records, to restore when an allOrNone request fails."""
        return copy.deepcopy((self.records, self.origins))

    def restore(self, snapshot: tuple[Any, Any]) -> None:
        """Put back the records of `snapshot`."""
        self.records, self.origins = snapshot
        self._index.clear()

    def resume_after(self, count: int, last: datetime) -> None:
        """Continue ids and stamps after `count` loaded records whose newest stamp is `last`."""
        self._numbers = itertools.count(count + 1)
        self._last = max(self._last, last)

    # -- writes -----------------------------------------------------------------------------------------
    def stamp(self) -> str:
        """A SystemModstamp later than every earlier one (millisecond precision)."""
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        self._last = max(now, self._last + timedelta(milliseconds=1))
        return format_datetime(self._last)

    def parse(self, obj: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Body field values coerced to their stored form; unknown fields refuse the whole request."""
        out: dict[str, Any] = {}
        for name, value in body.items():
            if name == "attributes":
                continue
            spec = self.field_spec(obj, name)
            if spec is None:
                raise ApiFault(400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj}")
            out[spec["name"]] = coerce(spec, value)
        return out

    def create(self, obj: str, values: Mapping[str, Any], origin: str) -> Outcome:
        """Insert one record, or its errors."""
        record: dict[str, Any] = {spec["name"]: None for spec in self.objects[obj]["fields"]}
        record.update(self._defaults(obj))
        errors = self._errors(obj, values, None, creating=True)
        record.update(values)
        missing = required_missing(self.fields(obj), record)
        if missing:
            errors.append(missing)
        if errors:
            return Outcome(errors=errors)
        number = next(self._numbers)
        record["Id"] = make_id(self.objects[obj].get("keyPrefix") or "a00", number)
        self._name(obj, record, number)
        record["CreatedDate"] = record["LastModifiedDate"] = record["SystemModstamp"] = self.stamp()
        self.records.setdefault(obj, {})[record["Id"]] = record
        self.origins[record["Id"]] = origin
        self._reindex(obj, record, None)
        return Outcome(id=record["Id"], created=True)

    def update(self, obj: str, record_id: str, values: Mapping[str, Any], origin: str) -> Outcome:
        """Update one record by id, or its errors (ENTITY_IS_DELETED, MALFORMED_ID, field errors)."""
        full = to18(record_id)
        if full is None:
            return Outcome(errors=[RecordError("MALFORMED_ID", f"malformed id {record_id}")])
        record = self.records.get(obj, {}).get(full)
        if record is None:
            return Outcome(errors=[RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")])
        if record["IsDeleted"]:
            return Outcome(errors=[RecordError("ENTITY_IS_DELETED", "entity is deleted")])
        errors = self._errors(obj, values, full, creating=False)
        missing = required_missing(self.fields(obj), {**record, **values})
        if missing:
            errors.append(missing)
        if errors:
            return Outcome(id=full, errors=errors)
        old = dict(record)
        record.update(values)
        self._name(obj, record, None)
        record["LastModifiedDate"] = record["SystemModstamp"] = self.stamp()
        self.origins[full] = origin
        self._reindex(obj, record, old)
        return Outcome(id=full)

    def delete(self, obj: str, record_id: str, origin: str) -> Outcome:
        """Move a record to the recycle bin."""
        record = self.get(obj, record_id, deleted=True)
        if record is None:
            return Outcome(errors=[RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")])
        if record["IsDeleted"]:
            return Outcome(id=record["Id"], errors=[RecordError("ENTITY_IS_DELETED", "entity is deleted")])
        old = dict(record)
        record["IsDeleted"] = True
        record["LastModifiedDate"] = record["SystemModstamp"] = self.stamp()
        self.origins[record["Id"]] = origin
        self._reindex(obj, record, old)
        return Outcome(id=record["Id"])

    def upsert(self, obj: str, ext_field: str, values: Mapping[str, Any], origin: str) -> Outcome:
        """Create or update by an external id field whose value is in `values`."""
        value = values.get(ext_field)
        if value in (None, ""):
            message = f"Field {ext_field} must have a value to upsert"
            return Outcome(errors=[RecordError("MISSING_ARGUMENT", message, [ext_field])])
        matches = self.find_by(obj, ext_field, value)
        if len(matches) > 1:
            message = f"{ext_field}: more than one record found for external id field: {matches}"
            return Outcome(errors=[RecordError("DUPLICATE_EXTERNAL_ID", message, [ext_field])], matches=matches)
        if matches:
            return self.update(obj, matches[0], values, origin)
        return self.create(obj, values, origin)

    def _defaults(self, obj: str) -> dict[str, Any]:
        out: dict[str, Any] = {"IsDeleted": False}
        for spec in self.objects[obj]["fields"]:
            if spec["name"] == "OwnerId":
                out["OwnerId"] = USER_ID
            elif spec["type"] == "boolean" and spec["name"] not in SYSTEM_FIELDS:
                out[spec["name"]] = False
            elif spec["type"] == "picklist" and spec.get("defaultedOnCreate") and spec.get("picklistValues"):
                out[spec["name"]] = spec["picklistValues"][0]["value"]
        return out

    def _name(self, obj: str, record: dict[str, Any], number: int | None) -> None:
        spec = self.fields(obj).get("Name")
        if spec is None or spec.get("createable"):
            return
        if spec.get("autoNumber"):
            if number is not None:
                record["Name"] = f"{obj[:3].upper()}-{number:06d}"
        else:
            record["Name"] = " ".join(p for p in (record.get("FirstName"), record.get("LastName")) if p)

    def _errors(self, obj: str, values: Mapping[str, Any], own: str | None, *, creating: bool) -> list[RecordError]:
        errors: list[RecordError] = []
        fields = self.fields(obj)
        locked = [n for n in values if not fields[n].get("createable" if creating else "updateable")]
        if locked:
            verb = "create" if creating else "update"
            message = (
                f"Unable to {verb} fields: {', '.join(locked)}. Please check the security settings of this field "
                "and verify that it is read/write for your profile or permission set."
            )
            errors.append(RecordError("INVALID_FIELD_FOR_INSERT_UPDATE", message, locked))
        for name, value in values.items():
            spec = fields[name]
            errors += value_errors(spec, value)
            if spec.get("unique") and value not in (None, ""):
                holders = [i for i in self.find_by(obj, name, value) if i != own]
                if holders:
                    message = f"duplicate value found: {name} duplicates value on record with id: {holders[0]}"
                    errors.append(RecordError("DUPLICATE_VALUE", message, [name]))
            if spec["type"] == "reference" and value not in (None, ""):
                errors += self._reference_errors(spec, value)
        if creating:
            errors += permission_errors(self.objects, obj, values)
        return errors

    def _reference_errors(self, spec: Mapping[str, Any], value: str) -> list[RecordError]:
        targets = spec.get("referenceTo") or []
        if to18(value) is None:
            return [
                RecordError("MALFORMED_ID", f"{spec['label']}: id value of incorrect type: {value}", [spec["name"]])
            ]
        if targets == ["User"]:
            ok = to18(value) == USER_ID
            return [] if ok else [RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])]
        for target in targets:
            record = self.get(target, value, deleted=True) if target in self.objects else None
            if record is not None:
                return (
                    [RecordError("ENTITY_IS_DELETED", "entity is deleted", [spec["name"]])]
                    if record["IsDeleted"]
                    else []
                )
        message = f"{spec['label']}: id value of incorrect type: {value}"
        return [RecordError("FIELD_INTEGRITY_EXCEPTION", message, [spec["name"]])]
