"""The opaque cursor of an internal connection's change listing, and at-least-once de-duplication.

The cursor is compact JSON with up to four keys:

- ``since`` / ``seen``: the change time this listing started from (sent as ``since_param``, in the service's
  own format) and the ids already delivered at exactly that time;
- ``next``: the service's continuation (token or link) when a listing stopped between pages;
- ``max`` / ``at_max``: the newest change time delivered so far in this listing and the ids delivered at it.

When a listing ends, ``max``/``at_max`` become the next run's ``since``/``seen``. Items are kept when their
change time is ``>=`` ``since`` (so a service comparing with ``>`` or ``>=``, or ignoring ``since_param``
altogether, loses nothing), minus those whose (id, change time) was already delivered. A `since` that is not
JSON is taken as a raw change time to start from (e.g. ``2024-01-01T00:00:00Z``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from adapters.base import ConfigError


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string or epoch seconds/milliseconds as an aware datetime (UTC when no offset); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class Cursor:
    """Listing state (see the module docstring)."""

    since: Any = None
    seen: set[str] = field(default_factory=set)
    next: str | None = None
    max: Any = None
    at_max: set[str] = field(default_factory=set)

    @classmethod
    def decode(cls, text: str | None) -> Cursor:
        """The state saved in ``text`` (None: list everything)."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if parse_time(text) is None:
                raise ConfigError(f"cannot resume from cursor {text[:40]!r}: not a cursor of this adapter nor a time")
            return cls(since=text, max=text)
        seen = {str(i) for i in data.get("seen") or ()}
        at_max = {str(i) for i in data.get("at_max") or ()}
        since = data.get("since")
        maximum = data.get("max", since)
        return cls(since, seen, data.get("next"), maximum, at_max if "max" in data else set(seen))

    def encode(self) -> str:
        """The compact JSON form; mid-listing keeps ``next`` and progress, at the end progress becomes ``since``."""
        if self.next is None:
            return json.dumps({"since": self.max, "seen": sorted(self.at_max)}, separators=(",", ":"))
        data = {"since": self.since, "seen": sorted(self.seen), "next": self.next, "max": self.max}
        data["at_max"] = sorted(self.at_max)
        return json.dumps(data, separators=(",", ":"))

    def keep(self, record_id: str, changed: Any) -> bool:
        """Whether an item changed at ``changed`` is new to this cursor; records it as delivered if so."""
        when = parse_time(changed)
        start = parse_time(self.since)
        if when is not None and start is not None and (when < start or (when == start and record_id in self.seen)):
            return False
        newest = parse_time(self.max)
        if when is not None and (newest is None or when > newest):
            self.max, self.at_max = changed, {record_id}
        elif when is not None and when == newest:
            self.at_max.add(record_id)
        return True

    def finish(self) -> None:
        """The listing reached its end: the next run starts from the newest change seen."""
        self.next = None
        self.since, self.seen = self.max, set(self.at_max)
