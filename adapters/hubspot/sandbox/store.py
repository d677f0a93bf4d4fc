"""The sandbox portal's state: objects (contacts, notes), unique values, associations, property definitions.

Plain in-memory data behind one lock; no database. HubSpot's rules kept here: one contact per email (case
folded), unique-value properties, ``lastmodifieddate``/``hs_lastmodifieddate`` bumped on every write,
archive instead of delete, and ids as decimal strings.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from adapters.hubspot.sandbox.errors import Invalid, SandboxError, conflict, validation_error
from adapters.hubspot.sandbox.properties import (
    check_values,
    default_groups,
    iso_from_millis,
    load_definitions,
    now_iso,
    to_millis,
)

MODIFIED = {"contacts": "lastmodifieddate", "notes": "hs_lastmodifieddate"}
CREATED = {"contacts": "createdate", "notes": "hs_createdate"}


@dataclass
class Obj:
    """One CRM object as the portal keeps it."""

    id: str
    properties: dict[str, str]
    created_at: str
    updated_at: str
    archived: bool = False
    archived_at: str | None = None

    def public(self, names: list[str] | None) -> dict[str, Any]:
        """HubSpot's SimplePublicObject JSON, with only the properties asked for (None: every one)."""
        props = self.properties if names is None else {n: self.properties.get(n) for n in names}
        body: dict[str, Any] = {
            "id": self.id,
            "properties": dict(props),
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "archived": self.archived,
        }
        if self.archived_at:
            body["archivedAt"] = self.archived_at
        return body


@dataclass
class Portal:
    """Everything one sandbox portal holds (see the module docstring)."""

    blank: bool = False
    properties: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    groups: dict[str, dict[str, dict[str, Any]]] = field(default_factory=default_groups)
    objects: dict[str, dict[str, Obj]] = field(default_factory=lambda: {"contacts": {}, "notes": {}})
    associations: set[tuple[str, str, str, str, int]] = field(default_factory=set)
    lock: threading.RLock = field(default_factory=threading.RLock)
    deepest_search: int = 0  # the furthest result any search has paged to (tests: no deep paging)
    _indexes: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1001))

    def __post_init__(self) -> None:
        if not self.properties:
            self.properties = load_definitions(self.blank)
        if not self.blank:
            for object_type in self.groups:
                self.groups[object_type]["rapport"] = {"name": "rapport", "label": "Rapport", "displayOrder": -1,
                                                       "archived": False}  # fmt: skip

    # -- reading ---------------------------------------------------------------------------------------------

    def table(self, object_type: str) -> dict[str, Obj]:
        """The objects of one type (404 for a type the sandbox does not emulate)."""
        table = self.objects.get(object_type)
        if table is None:
            raise SandboxError(404, "OBJECT_NOT_FOUND", f"Unable to infer object type from: {object_type}")
        return table

    def find(self, object_type: str, name: str, value: str, archived: bool = False) -> Obj | None:
        """The object whose property `name` equals `value` (emails and unique values compare case-folded)."""
        if name in ("hs_object_id", "id"):
            obj = self.table(object_type).get(value)
            return obj if obj is not None and obj.archived == archived else None
        folded = value.casefold()
        if not archived and name in self._indexed(object_type):
            found = self._index(object_type, name).get(folded)
            return self.table(object_type)[found] if found else None
        for obj in self.table(object_type).values():
            current = obj.properties.get(name)
            if obj.archived == archived and current and current.casefold() == folded:
                return obj
        return None

    def _indexed(self, object_type: str) -> set[str]:
        defs = self.properties[object_type]
        names = {n for n, d in defs.items() if d.get("hasUniqueValue") and n != "hs_object_id"}
        return names | {"email"} if object_type == "contacts" else names

    def _index(self, object_type: str, name: str) -> dict[str, str]:
        """Live objects by the case-folded value of a unique property (built on first use, then maintained)."""
        index = self._indexes.get((object_type, name))
        if index is None:
            live = (o for o in self.table(object_type).values() if not o.archived and o.properties.get(name))
            index = self._indexes[(object_type, name)] = {o.properties[name].casefold(): o.id for o in live}
        return index

    def _unindex(self, object_type: str, obj: Obj) -> None:
        for (kind, name), index in self._indexes.items():
            value = obj.properties.get(name)
            if kind == object_type and value and index.get(value.casefold()) == obj.id:
                del index[value.casefold()]

    def _reindex(self, object_type: str, obj: Obj) -> None:
        for (kind, name), index in self._indexes.items():
            value = obj.properties.get(name)
            if kind == object_type and value and not obj.archived:
                index[value.casefold()] = obj.id

    # -- writing ---------------------------------------------------------------------------------------------

    def validate(
        self, object_type: str, values: Mapping[str, Any], own: Obj | None, index: int | None
    ) -> dict[str, str]:
        """Normalised values or a 400/409 error: invalid values, unique-value and email clashes."""
        definitions = self.properties[object_type]
        clean, problems = check_values(definitions, dict(values))
        if problems:
            raise validation_error(problems, index)
        for name, value in clean.items():
            spec = definitions[name]
            if not value or not (spec.get("hasUniqueValue") or (object_type == "contacts" and name == "email")):
                continue
            holder = self.find(object_type, name, value)
            if holder is not None and holder is not own:
                if name == "email":
                    raise conflict(f"Contact already exists. Existing ID: {holder.id}", holder.id)
                problem = Invalid(name, "DUPLICATE_VALUE", f"{value} already has that value on {holder.id}")
                raise SandboxError(
                    409, "CONFLICT", f"A record with {name}={value} already exists. Existing ID: {holder.id}",
                    [{"message": problem.message, "code": problem.code, "context": {"propertyName": [name]}}],
                    {"existingId": [holder.id]},
                )  # fmt: skip
        return clean

    def create(self, object_type: str, clean: Mapping[str, str]) -> Obj:
        """Create an object from validated values."""
        object_id = str(next(self._ids))
        stamp = now_iso()
        props = {k: v for k, v in clean.items() if v != ""}
        props.update({"hs_object_id": object_id, CREATED[object_type]: stamp, MODIFIED[object_type]: stamp})
        obj = Obj(object_id, props, stamp, stamp)
        self.table(object_type)[object_id] = obj
        self._reindex(object_type, obj)
        return obj

    def update(self, object_type: str, obj: Obj, clean: Mapping[str, str]) -> Obj:
        """Apply validated values (an empty string clears a property) and bump the modified date."""
        self._unindex(object_type, obj)
        for name, value in clean.items():
            if value == "":
                obj.properties.pop(name, None)
            else:
                obj.properties[name] = value
        self._reindex(object_type, obj)
        self.touch(object_type, obj)
        return obj

    def touch(self, object_type: str, obj: Obj) -> None:
        """Bump the modified date, strictly later than the previous one (ms resolution)."""
        stamp = now_iso()
        if stamp <= obj.updated_at:
            stamp = iso_from_millis((to_millis(obj.updated_at) or 0) + 1)
        obj.updated_at = stamp
        obj.properties[MODIFIED[object_type]] = stamp

    def merge(self, object_type: str, primary_id: str, other_id: str) -> Obj:
        """Merge `other` into `primary`: blanks filled from `other`, its id listed in ``hs_merged_object_ids``,
        and `other` gone (HubSpot keeps no archived copy of a merged-away record)."""
        primary, other = self.find(object_type, "id", primary_id), self.find(object_type, "id", other_id)
        if primary is None or other is None:
            raise SandboxError(
                404, "OBJECT_NOT_FOUND", f"Object not found: {primary_id if primary is None else other_id}"
            )
        self._unindex(object_type, other)
        del self.table(object_type)[other.id]
        merged = [i for i in (primary.properties.get("hs_merged_object_ids") or "").split(";") if i]
        merged += [other.id, *[i for i in (other.properties.get("hs_merged_object_ids") or "").split(";") if i]]
        self._unindex(object_type, primary)
        for name, value in other.properties.items():
            primary.properties.setdefault(name, value)
        primary.properties.update({"hs_object_id": primary.id, "hs_merged_object_ids": ";".join(merged)})
        self._reindex(object_type, primary)
        self.touch(object_type, primary)
        self.associations = {
            (a, primary.id if i == other.id else i, b, primary.id if j == other.id else j, t)
            for a, i, b, j, t in self.associations
        }
        return primary

    def stamp(self, object_type: str, obj: Obj, moment: str) -> None:
        """Set the modified date to `moment` (epoch ms or ISO 8601): a back-door helper for tests."""
        stamp = iso_from_millis(to_millis(moment) or 0)
        obj.updated_at = stamp
        obj.properties[MODIFIED[object_type]] = stamp

    def archive(self, object_type: str, object_id: str) -> bool:
        """Archive (HubSpot's delete); False when there is no live object with that id."""
        obj = self.table(object_type).get(object_id)
        if obj is None or obj.archived:
            return False
        self._unindex(object_type, obj)
        obj.archived, obj.archived_at = True, now_iso()
        self.associations = {a for a in self.associations if object_id not in (a[1], a[3])}
        return True

    # -- persistence (--state-file) --------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the portal to a JSON file."""
        with self.lock:
            data = {
                "blank": self.blank,
                "properties": self.properties,
                "groups": self.groups,
                "objects": {t: [asdict(o) for o in objs.values()] for t, objs in self.objects.items()},
                "associations": sorted(self.associations),
            }
        path.write_text(json.dumps(data))

    @classmethod
    def load(cls, path: Path) -> Portal:
        """A portal from a file written by `save`."""
        data = json.loads(path.read_text())
        portal = cls(blank=data["blank"], properties=data["properties"], groups=data["groups"])
        portal.objects = {t: {o["id"]: Obj(**o) for o in objs} for t, objs in data["objects"].items()}
        portal.associations = {tuple(a) for a in data["associations"]}
        top = max((int(i) for objs in portal.objects.values() for i in objs), default=1000)
        portal._ids = itertools.count(top + 1)
        return portal
