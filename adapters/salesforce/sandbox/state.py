"""Everything the sandbox remembers: the org, sessions, users, connected apps, API usage, injected faults,
open query cursors and Bulk API jobs; optionally saved to a JSON file after every change."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.salesforce.sandbox.org import Org
from adapters.salesforce.sandbox.query import Locators
from adapters.salesforce.sandbox.values import parse_datetime

ORG_ID = "00D5g000004SBOXEAW"
DAILY_MAX = 100_000
USERNAME = "admin@rapport.sandbox"
PASSWORD = "sandbox-password"  # noqa: S105 - a local emulator's published demo login
SECURITY_TOKEN = "SANDBOXTOKEN"  # noqa: S105


def new_session() -> str:
    """A session id shaped like Salesforce's (org id, '!', opaque token)."""
    return f"{ORG_ID[:15]}!AR{secrets.token_urlsafe(24)}"


@dataclass
class Fault:
    """An injected failure: rate_limit (403 REQUEST_LIMIT_EXCEEDED), outage (503), slow (delay, then
    answer), or partial (the next batch write stops after `records` records and answers 503)."""

    kind: str
    seconds: float = 0.0
    records: int = 0


@dataclass
class Sandbox:
    """The sandbox's whole state."""

    org: Org
    blank: bool = False
    sessions: set[str] = field(default_factory=set)
    users: dict[str, tuple[str, str]] = field(default_factory=lambda: {USERNAME: (PASSWORD, SECURITY_TOKEN)})
    apps: dict[str, dict[str, str]] = field(default_factory=dict)  # consumer key -> {secret, public_key}
    daily_max: int = DAILY_MAX
    used: int = 0
    faults: list[Fault] = field(default_factory=list)
    locators: Locators = field(default_factory=Locators)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    state_file: Path | None = None
    instance_url: str = ""
    primary_session: str = ""

    @classmethod
    def create(cls, *, blank: bool = False, state_file: str | None = None) -> Sandbox:
        """A new sandbox with one valid session; loads `state_file` when it exists."""
        sandbox = cls(Org.fresh(blank), blank=blank, state_file=Path(state_file) if state_file else None)
        sandbox.primary_session = new_session()
        sandbox.sessions.add(sandbox.primary_session)
        if sandbox.state_file is not None and sandbox.state_file.exists():
            sandbox.load()
        return sandbox

    @property
    def session_id(self) -> str:
        """The session printed at start."""
        return self.primary_session

    def reset(self) -> None:
        """Back to a fresh org (same sessions), no faults, no usage."""
        self.org = Org.fresh(self.blank)
        self.faults.clear()
        self.used = 0
        self.locators = Locators()
        self.jobs.clear()
        self.save()

    def next_fault(self, *, partial: bool = False) -> Fault | None:
        """The next queued fault of the request kind (partial faults are taken only by batch writes)."""
        for index, fault in enumerate(self.faults):
            if (fault.kind == "partial") == partial:
                return self.faults.pop(index)
        return None

    def save(self) -> None:
        """Write the org's schema and records to the state file, when there is one."""
        if self.state_file is None:
            return
        data = {
            "objects": self.org.objects,
            "records": self.org.records,
            "used": self.used,
            "sessions": sorted(self.sessions),
            "primary": self.primary_session,
            "last": self.org.stamp(),
        }
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self.state_file)

    def load(self) -> None:
        """Read the state file written by `save`."""
        assert self.state_file is not None
        data = json.loads(self.state_file.read_text(encoding="utf-8"))
        self.org = Org(data["objects"], data["records"])
        self.used = int(data.get("used", 0))
        self.sessions.update(data.get("sessions", []))
        self.primary_session = str(data.get("primary") or self.primary_session)
        self.sessions.add(self.primary_session)
        count = sum(len(r) for r in self.org.records.values())
        self.org.resume_after(count, parse_datetime(data["last"]))
