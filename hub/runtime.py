"""Wiring: from `Settings` to the database, the services, the job handlers and the periodic schedule.

Each process (CLI command, API server, worker) builds one `Runtime` at its edge and passes it down.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from adapters import build_adapter
from hub.db.database import Database, utcnow
from hub.db.sync_tables import connections
from hub.db.tables import jobs
from hub.db.webhook_tables import inbound_sources
from hub.erasure import ERASE_JOB, erase_crm_records
from hub.ingest.service import RESOLVE_JOB, IngestService
from hub.jobs import queue
from hub.jobs.scheduler import PeriodicJob, Scheduler
from hub.jobs.worker import Handler, Worker, new_worker_id
from hub.reconcile import RECONCILE_JOB, reconcile
from hub.resolution import HubResolver
from hub.secrets import SecretBox
from hub.settings import Settings
from hub.sync.config import ConnectionSpec, parse_duration
from hub.sync.engine import AdapterFactory, SyncService, adapter_for
from hub.webhooks_admin import prune_webhooks
from hub.webhooks_inbound import CRM_CHANGE_JOB
from hub.webhooks_jobs import webhook_handlers
from identity import default_resolver

MAINTENANCE_JOB = "maintenance"
SYNC_JOB = "sync"


class Runtime:
    """The objects one process needs, built once from its settings."""

    def __init__(
        self, settings: Settings, database: Database | None = None, adapter_factory: AdapterFactory = build_adapter
    ) -> None:
        self.settings = settings
        self.database = database or Database.for_settings(settings)
        self.resolver = HubResolver(default_resolver())
        self.ingest = IngestService(self.database, self.resolver, settings.ingest_batch_size)
        self.adapter_factory = adapter_factory
        self.sync = SyncService(self.database, self.secret_box, self.resolver, adapter_factory)

    def secret_box(self) -> SecretBox:
        """The box that encrypts stored secrets (raises `SecretKeyError` when no key can be had)."""
        return SecretBox.from_settings(self.settings)

    def handlers(self) -> dict[str, Handler]:
        """Job kind -> handler."""
        return {
            RESOLVE_JOB: self._resolve,
            MAINTENANCE_JOB: self._maintenance,
            SYNC_JOB: self._sync,
            ERASE_JOB: self._erase,
            CRM_CHANGE_JOB: self._crm_change,
            RECONCILE_JOB: self._reconcile,
            **webhook_handlers(self.database, self.settings),
        }

    def _crm_change(self, payload: dict[str, Any]) -> None:
        """A CRM told us (by webhook) that records changed: queue a sync of every connection to that CRM.

        The incremental pull picks the changes up from its cursor (the push event only says *when* to look),
        so an event lost or repeated changes nothing; a sync already waiting for the connection is enough.
        """
        source = str(payload.get("source", ""))
        now = utcnow()
        with self.database.transaction() as conn:
            kind = conn.execute(select(inbound_sources.c.kind).where(inbound_sources.c.name == source)).scalar()
            for row in conn.execute(select(connections.c.name, connections.c.kind, connections.c.enabled)).all():
                if row.enabled and row.kind == (kind or source):
                    key = f"sync:{row.name}"
                    waiting = conn.execute(
                        select(jobs.c.id).where(jobs.c.concurrency_key == key, jobs.c.status == queue.QUEUED).limit(1)
                    ).first()
                    if waiting is None:
                        queue.enqueue(conn, SYNC_JOB, {"connection": row.name, "direction": "both"}, now=now,
                                      concurrency_key=key)  # fmt: skip

    def _erase(self, payload: dict[str, Any]) -> None:
        erase_crm_records(payload, self._delete_in_crm)

    def _delete_in_crm(self, connection: str, obj: str, ids: list[str]) -> list[str]:
        adapter = adapter_for(self.sync.load(connection), self.adapter_factory)
        return [r.ref for r in adapter.delete_batch(obj, ids) if not r.ok]

    def _sync(self, payload: dict[str, Any]) -> None:
        self.sync.run(str(payload["connection"]), str(payload.get("direction", "both")))

    def _resolve(self, payload: dict[str, Any]) -> None:
        self.ingest.run_resolve_job(payload)

    def _reconcile(self, payload: dict[str, Any]) -> None:
        reconcile(self.database, self.resolver, if_changed=not payload.get("force"))

    def _maintenance(self, _payload: dict[str, Any]) -> None:
        cutoff = utcnow() - timedelta(hours=self.settings.done_job_retention_hours)
        with self.database.transaction() as conn:
            queue.prune_done(conn, older_than=cutoff)
            prune_webhooks(conn, older_than=utcnow() - timedelta(days=self.settings.webhook_retention_days))

    def periodic_jobs(self) -> list[PeriodicJob]:
        """What the scheduler enqueues on its own: maintenance, reclustering, and each connection's scheduled sync."""
        periodic = [PeriodicJob("maintenance", MAINTENANCE_JOB, every=3600)]
        if self.settings.reconcile_every_seconds:
            interval = self.settings.reconcile_every_seconds
            periodic.append(PeriodicJob(RECONCILE_JOB, RECONCILE_JOB, every=interval))
        with self.database.transaction() as conn:
            rows = conn.execute(select(connections.c.config, connections.c.enabled)).all()
        for row in rows:
            spec = ConnectionSpec.model_validate({**row.config, "enabled": row.enabled})
            if spec.enabled and spec.schedule is not None:
                every = parse_duration(spec.schedule.every) if spec.schedule.every else None
                payload = {"connection": spec.name, "direction": "both"}
                cron = spec.schedule.cron
                periodic.append(PeriodicJob(f"sync:{spec.name}", SYNC_JOB, payload, every=every, cron=cron))
        return periodic

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
        return Scheduler(self.database, self.periodic_jobs, new_worker_id())
