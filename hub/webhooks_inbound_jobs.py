"""`inbound.process`: handle a stored inbound event (placeholder until the providers land)."""

from __future__ import annotations

from typing import Any

from hub.db.database import Database
from hub.settings import Settings

INBOUND_JOB = "inbound.process"


class InboundProcessor:
    """Processes one stored inbound event per job."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    def __call__(self, payload: dict[str, Any]) -> None:
        """Process the event named by `payload["event_id"]`."""
