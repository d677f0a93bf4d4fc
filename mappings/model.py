"""The mapping model: what an admin configures for one CRM object."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal, get_args

from mappings.filters import Filter
from mappings.flow import Flow
from mappings.transforms.base import Step

Direction = Literal["push", "pull", "both"]
Policy = Literal["hub_wins", "crm_wins", "most_recent", "fill_empty"]
DIRECTIONS: tuple[str, ...] = get_args(Direction)
POLICIES: tuple[str, ...] = get_args(Policy)


@dataclass(frozen=True)
class FieldMapping:
    """One CRM field: where its value comes from, which way it flows, and who wins a conflict."""

    target: str
    source: str | None
    direction: Direction
    steps: tuple[Step, ...]
    conflict: Policy
    flow: Flow
    line: int = 1

    @property
    def pushes(self) -> bool:
        """True when the hub writes this field to the CRM."""
        return self.direction in ("push", "both")

    @property
    def pulls(self) -> bool:
        """True when CRM changes of this field flow into the hub."""
        return self.direction in ("pull", "both")

    @property
    def reads(self) -> tuple[str, ...]:
        """Every customer attribute this field's value depends on."""
        names = [self.source] if self.source else []
        for step in self.steps:
            names.extend(step.reads)
        return tuple(dict.fromkeys(names))

    def to_dict(self) -> dict[str, Any]:
        """The canonical, JSON-able form of this field (every default written out)."""
        out: dict[str, Any] = {"target": self.target}
        if self.source is not None:
            out["source"] = self.source
        out["direction"] = self.direction
        out["transforms"] = [step.spec for step in self.steps]
        out["conflict"] = self.conflict
        return out


@dataclass(frozen=True)
class Mapping:
    """A validated-for-shape mapping of customers to one CRM object (see CONTRACT.md, "Mapping files").

    ``file`` is where it was read from, so later problems (schema validation) can point at lines.
    """

    object: str
    fields: tuple[FieldMapping, ...]
    create: bool = False
    filter: Filter | None = None
    file: str = "<mapping>"
    line: int = 1

    @property
    def targets(self) -> tuple[str, ...]:
        """Every CRM field this mapping reads or writes (what a pull must fetch, e.g. in a SOQL query)."""
        return tuple(f.target for f in self.fields)

    def field(self, target: str) -> FieldMapping | None:
        """The field mapping for CRM field ``target``, or None."""
        return next((f for f in self.fields if f.target == target), None)

    def to_dict(self) -> dict[str, Any]:
        """The canonical, JSON-able form to store; ``load_dict`` reads it back to an equal mapping."""
        out: dict[str, Any] = {"object": self.object, "create": self.create}
        if self.filter is not None:
            out["filter"] = self.filter.text
        out["fields"] = [f.to_dict() for f in self.fields]
        return out

    def content_hash(self) -> str:
        """A stable SHA-256 of the canonical form: equal mappings hash equal, whatever the file's layout."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
