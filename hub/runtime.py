"""Wiring: from `Settings` to the database, the services, the job handlers and the periodic schedule.

Each process (CLI command, API server, worker) builds one `Runtime` at its edge and passes it down.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hub.db.database import Database, utcnow
from hub.ingest.service import RESOLVE_JOB, IngestService
from hub.jobs import queue
from hub.jobs.scheduler import PeriodicJob, Scheduler
from hub.jobs.worker import Handler, Worker, new_worker_id
from hub.resolution import HubResolver
from hub.settings import Settings
from identity import default_resolver

MAINTENANCE_JOB = "maintenance"


class Runtime:
    """The objects one process needs, built once from its settings."""

    def __init__(self, settings: Settings, database: Database | None = None) -> None:
        self.settings = settings
        self.database = database or Database.for_settings(settings)
        self.resolver = HubResolver(default_resolver())
        self.ingest = IngestService(self.database, self.resolver, settings.ingest_batch_size)

    def handlers(self) -> dict[str, Handler]:
        """Job kind -> handler."""
        return {RESOLVE_JOB: self._resolve, MAINTENANCE_JOB: self._maintenance}

    def _resolve(self, payload: dict[str, Any]) -> None:
        self.ingest.run_resolve_job(payload)

    def _maintenance(self, _payload: dict[str, Any]) -> None:
        cutoff = utcnow() - timedelta(hours=self.settings.done_job_retention_hours)
        with self.database.transaction() as conn:
            queue.prune_done(conn, older_than=cutoff)

    def periodic_jobs(self) -> list[PeriodicJob]:
        """What the scheduler enqueues on its own."""
        return [PeriodicJob("maintenance", MAINTENANCE_JOB, every=3600)]

    def worker(self) -> Worker:
        """A worker for every job kind this runtime handles."""
        return Worker(
            self.database,
            self.handlers(),
            lease_seconds=self.settings.job_lease_seconds,
            poll_seconds=self.settings.worker_poll_seconds,
        )

    def scheduler(self) -> Scheduler:
        """A scheduler that competes for the single scheduler lease."""
        return Scheduler(self.database, self.periodic_jobs(), new_worker_id())
