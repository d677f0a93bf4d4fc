"""`inbound.process`: turn stored inbound events into ingest records (resolved inline) or `crm_change` jobs
for the sync engine; events that carry neither are kept as received (`stored`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update

from hub.db.database import Database, utcnow
from hub.db.webhook_tables import inbound_events
from hub.ingest.service import IngestReport, IngestService, validated
from hub.jobs.queue import enqueue
from hub.jobs.worker import PermanentJobError
from hub.settings import Settings
from hub.webhooks_inbound import CRM_CHANGE_JOB, INBOUND_JOB
from webhooks.inbound.base import Interpretation
from webhooks.inbound.registry import provider

log = logging.getLogger("rapport.webhooks.inbound")
__all__ = ["INBOUND_JOB", "InboundProcessor"]


class InboundProcessor:
    """Processes the stored events named by a job; idempotent (ingest upserts, notices are harmless twice)."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self._ingest: IngestService | None = None

    def ingest_service(self) -> IngestService:
        """The ingest service, built on first use (building the resolver is not free)."""
        if self._ingest is None:
            from hub.resolution import HubResolver
            from identity import default_resolver

            self._ingest = IngestService(
                self.database, HubResolver(default_resolver()), self.settings.ingest_batch_size
            )
        return self._ingest

    def __call__(self, payload: dict[str, Any]) -> None:
        """Process every still-unprocessed event of `payload["ids"]`."""
        ids = payload.get("ids")
        if not isinstance(ids, list):
            raise PermanentJobError("inbound.process needs a list of event ids")
        with self.database.transaction() as conn:
            rows = conn.execute(
                select(inbound_events).where(inbound_events.c.id.in_(ids), inbound_events.c.status == "received")
            ).all()
        for row in rows:
            self._process(row)

    def _process(self, row: Any) -> None:
        try:
            meaning = provider(row.kind).interpret(row.raw_body)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            self._finish(row.id, "failed", f"cannot interpret the event: {type(exc).__name__}")
            return
        error = self._ingest_records(meaning) if meaning.records else None
        self._finish(row.id, "processed" if meaning.records or meaning.changes else "stored", error, meaning, row)

    def _ingest_records(self, meaning: Interpretation) -> str | None:
        report = IngestReport()
        self.ingest_service().ingest(validated(enumerate(meaning.records), report), report, inline=True)
        return "; ".join(f"record {i}: {reason}" for i, reason in report.errors[:5]) or None

    def _finish(
        self, event_id: int, status: str, error: str | None, meaning: Interpretation | None = None, row: Any = None
    ) -> None:
        now = utcnow()
        with self.database.transaction() as conn:
            for object_type, object_ids in _changes(meaning):
                enqueue(conn, CRM_CHANGE_JOB, {"source": row.source, "object": object_type, "ids": object_ids}, now=now)
            conn.execute(
                update(inbound_events)
                .where(inbound_events.c.id == event_id)
                .values(status=status, error=error, processed_at=now)
            )
        if error:
            log.warning("inbound event partly processed", extra={"event_row": event_id, "error": error})


def _changes(meaning: Interpretation | None) -> Sequence[tuple[str, list[str]]]:
    return meaning.changes if meaning else ()
