"""The opaque `list_changes` cursor: where a pull stands, saved after every page.

States (JSON, base64url, prefixed ``hs1.``):

- ``{"full": {"after", "t0", "seen"}, ...}``: a first full pull through the list API, at paging token `after`;
  `t0` (server time when it began) is where the incremental pull takes over.
- ``{"gte": ms, "seen": {...}}``: next, search ``lastmodifieddate >= ms`` sorted ascending. `seen` maps ids already
  delivered at their modification time (ms >= `gte`), so records at the boundary are not delivered twice while a
  record modified again is.
- ``{"eq": ms, "id": last, "seen": {...}}``: more than one page of records share the time `ms`; walk them by id.
- ``"arch": {"gte": ms, "seen": [...]}``: archived contacts already reported.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from adapters.base import ConfigError

PREFIX = "hs1."


@dataclass
class Cursor:
    """A decoded cursor (see the module docstring)."""

    gte: int = 0
    eq: int | None = None
    eq_id: str = "0"
    seen: dict[str, int] = field(default_factory=dict)
    full_after: str | None = None
    full: bool = False
    t0: int = 0
    arch_gte: int = 0
    arch_seen: list[str] = field(default_factory=list)

    def prune(self) -> None:
        """Forget ids the next query cannot return again."""
        floor = self.eq if self.eq is not None else self.gte
        self.seen = {i: t for i, t in self.seen.items() if t >= floor}

    def encode(self) -> str:
        """The opaque text form."""
        data: dict[str, Any] = {"arch": {"gte": self.arch_gte, "seen": self.arch_seen}, "seen": self.seen}
        if self.full:
            data["full"] = {"after": self.full_after, "t0": self.t0}
        elif self.eq is not None:
            data.update({"eq": self.eq, "id": self.eq_id})
        else:
            data["gte"] = self.gte
        raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Parse a cursor made by `encode`; ConfigError for anything else."""
        if not text.startswith(PREFIX):
            raise ConfigError("this cursor was not made by the HubSpot adapter; pull again from the start")
        body = text[len(PREFIX) :]
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            arch = data.get("arch") or {}
            cursor = cls(
                seen={str(k): int(v) for k, v in (data.get("seen") or {}).items()},
                arch_gte=int(arch.get("gte", 0)),
                arch_seen=[str(i) for i in arch.get("seen") or []],
            )
            if "full" in data:
                cursor.full, cursor.full_after, cursor.t0 = True, data["full"]["after"], int(data["full"]["t0"])
            elif "eq" in data:
                cursor.eq, cursor.eq_id = int(data["eq"]), str(data["id"])
            else:
                cursor.gte = int(data["gte"])
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigError(
                f"the HubSpot cursor is damaged ({type(error).__name__}); pull again from the start"
            ) from None
        return cursor
