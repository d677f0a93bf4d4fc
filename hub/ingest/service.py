"""Ingest service: validated records → one transaction per batch → resolution (inline) or a queued job.

The CLI resolves inline, so that when `rapport ingest` returns its records are resolved; the API stores the
batch and queues a `resolve` job in the same transaction (transactional outbox), so nothing is lost if the
process dies between the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from hub.db.database import Database, utcnow
from hub.events import interaction_events
from hub.ingest.records import IngestRecord, RecordError, parse_record
from hub.jobs.queue import enqueue
from hub.records import store_batch
from hub.resolution import HubResolver, ResolveOutcome
from hub.webhooks_store import emit_events

RESOLVE_JOB = "resolve"


@dataclass(slots=True)
class IngestReport:
    """Counts of one ingest, plus each rejected item as `(position, reason)`."""

    accepted: int = 0
    records: int = 0
    interactions: int = 0
    customers_created: int = 0
    merges: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """How many items were refused."""
        return len(self.errors)


def validated(
    items: Iterable[tuple[int, Any]], report: IngestReport, on_error: Callable[[int, str], None] | None = None
) -> Iterator[IngestRecord]:
    """Valid records from `(position, decoded item or RecordError)`; errors are reported and skipped."""
    for position, item in items:
        try:
            if isinstance(item, RecordError):
                raise item
            yield parse_record(item)
        except RecordError as exc:
            report.errors.append((position, str(exc)))
            if on_error:
                on_error(position, str(exc))


class IngestService:
    """Stores record batches and resolves them (inline) or queues their resolution (deferred)."""

    def __init__(self, database: Database, resolver: HubResolver, batch_size: int = 1000) -> None:
        self.database = database
        self.resolver = resolver
        self.batch_size = batch_size

    def ingest(
        self,
        records: Iterable[IngestRecord],
        report: IngestReport,
        *,
        inline: bool,
        after_batch: Callable[[], None] | None = None,
    ) -> IngestReport:
        """Store `records` in batches; resolve each batch in its own transaction or queue it. `after_batch`
        runs after each committed batch (the CLI settles the collector there)."""
        iterator = iter(records)
        while batch := list(islice(iterator, self.batch_size)):
            self._ingest_batch(batch, report, inline=inline)
            if after_batch:
                after_batch()
        return report

    def _ingest_batch(self, batch: list[IngestRecord], report: IngestReport, *, inline: bool) -> None:
        now = utcnow()
        with self.database.transaction() as conn:
            stored = store_batch(conn, batch, now)
            emit_events(conn, interaction_events(conn, stored.new_interactions), now=now)
            if inline:
                outcome = self.resolver.resolve(conn, stored.changed_record_ids, stored.touched_profiles, now)
                _count(report, outcome)
            elif stored.changed_record_ids or stored.touched_profiles:
                payload = {
                    "record_ids": stored.changed_record_ids,
                    "profiles": sorted([list(p) for p in stored.touched_profiles]),
                }
                enqueue(conn, RESOLVE_JOB, payload, now=now)
        report.accepted += len(batch)
        report.records += stored.records
        report.interactions += stored.interactions

    def run_resolve_job(self, payload: dict[str, Any]) -> ResolveOutcome:
        """The `resolve` job: resolve the records and profiles a deferred batch stored."""
        now = utcnow()
        profiles = {(str(n), str(p)) for n, p in payload.get("profiles", [])}
        with self.database.transaction() as conn:
            return self.resolver.resolve(conn, [int(i) for i in payload.get("record_ids", [])], profiles, now)


def _count(report: IngestReport, outcome: ResolveOutcome) -> None:
    report.customers_created += len(outcome.created)
    report.merges += len(outcome.merged)
