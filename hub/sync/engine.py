"""Sync runs: check the connection, then pull (CRM → hub) and push (hub → CRM) each object, and record it.

A run never loses a record: pulls save their cursor per page and pushes their watermark per chunk, so a run
stopped by a rate limit, an outage or a crash resumes where it stopped; record-level errors are stored with
the run and retried on the next one. A dry run reads but writes nothing anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping as MappingABC
from dataclasses import asdict
from typing import Any

from adapters import build_adapter
from adapters.base import Adapter, AdapterError, AuthError, ConfigError, RateLimited, RetriableError
from hub.db.database import Database, utcnow
from hub.logging import redact
from hub.resolution import HubResolver
from hub.secrets import SecretBox
from hub.sync import store
from hub.sync.config import ConnectionSpec, resolve_env
from hub.sync.context import ObjectPlan, RunCounts, SyncContext
from hub.sync.pull import pull_object
from hub.sync.push import push_object
from hub.webhooks_store import emit_events
from mappings import Mapper, Mapping, default_mapping

log = logging.getLogger("rapport.sync")
AdapterFactory = Callable[[str, MappingABC[str, Any]], Adapter]
DIRECTIONS = ("push", "pull", "both")


class UnknownConnectionError(Exception):
    """No connection has this name."""


def adapter_for(spec: ConnectionSpec, factory: AdapterFactory = build_adapter) -> Adapter:
    """The adapter for a stored connection (credentials resolved)."""
    return factory(spec.kind, resolve_env(spec.adapter_config()))


class SyncService:
    """Runs syncs of stored connections."""

    def __init__(
        self,
        database: Database,
        box_factory: Callable[[], SecretBox],
        resolver: HubResolver,
        adapter_factory: AdapterFactory = build_adapter,
    ) -> None:
        self.database = database
        self.box_factory = box_factory
        self.resolver = resolver
        self.adapter_factory = adapter_factory

    def load(self, name: str) -> ConnectionSpec:
        """The stored connection with its credentials; raises `UnknownConnectionError`."""
        with self.database.transaction() as conn:
            spec = store.load_connection(conn, name, self.box_factory())
        if spec is None:
            raise UnknownConnectionError(f"no connection named {name!r} (declare it with `rapport apply`)")
        return spec

    def run(self, name: str, direction: str = "both", *, dry_run: bool = False) -> dict[str, Any]:
        """One sync of connection `name`; returns the run summary (CONTRACT.md shape)."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}")
        spec = self.load(name)
        counts = RunCounts()
        if not spec.enabled:
            summary = _summary(spec, direction, dry_run, counts, 0, None)
            summary.update(status="paused", message=f"connection {name} is paused (enabled: false); nothing was synced")
            return summary
        adapter = adapter_for(spec, self.adapter_factory)
        run_id = None
        if not dry_run:
            with self.database.transaction() as conn:
                run_id = store.start_run(conn, name, direction, utcnow())
        ctx = SyncContext(self.database, spec, adapter, self.resolver, dry_run, run_id, counts)
        calls_before = adapter.api_calls
        try:
            status, error = self._execute(ctx, direction)
        except Exception as exc:
            # a bug, not a CRM's answer: the run is closed as failed (never left "running"), and the error
            # goes on to the caller (the worker retries the job, the CLI reports it)
            self._close_failed(run_id, name, f"unexpected error: {type(exc).__name__}: {redact(str(exc))}")
            raise
        summary = _summary(spec, direction, dry_run, counts, adapter.api_calls - calls_before, run_id)
        summary["status"] = status
        if run_id is not None:
            with self.database.transaction() as conn:
                store.finish_run(conn, run_id, status, summary, error, utcnow())
                event = "sync.failed" if status == "failed" else "sync.completed"
                figures = {k: summary[k] for k in ("pulled", "created", "updated", "rejected")}
                data = {"connection": name, "run_id": str(run_id), "direction": direction, "error": error,
                        "status": status, **figures}  # fmt: skip
                emit_events(conn, [(event, data)], now=utcnow())
        log.info("sync run finished", extra={"connection": name, "status": status, "run_id": run_id})
        return summary

    def _close_failed(self, run_id: int | None, name: str, error: str) -> None:
        log.error("sync run failed", extra={"connection": name, "run_id": run_id, "error": error})
        if run_id is not None:
            with self.database.transaction() as conn:
                store.finish_run(conn, run_id, "failed", {"errors": [error]}, error, utcnow())
                emit_events(
                    conn, [("sync.failed", {"connection": name, "run_id": str(run_id), "error": error})], now=utcnow()
                )

    def _execute(self, ctx: SyncContext, direction: str) -> tuple[str, str | None]:
        try:
            ctx.adapter.check()
            for obj in ctx.spec.objects:
                plan = self._plan(ctx, obj)
                if direction in ("pull", "both"):
                    pull_object(ctx, plan)
                if direction in ("push", "both"):
                    push_object(ctx, plan)
        except RateLimited as exc:
            message = f"{ctx.spec.crm_name} rate limit reached: {exc}; the next run resumes where this one stopped"
            return _stopped(ctx, "partial", message, retry_after=exc.retry_after)
        except (AuthError, ConfigError) as exc:
            return _stopped(ctx, "failed", f"{ctx.spec.crm_name} refused the connection: {exc}")
        except (RetriableError, AdapterError) as exc:
            return _stopped(ctx, "partial", f"{ctx.spec.crm_name} is unavailable: {exc}; the next run resumes")
        status = "succeeded" if not ctx.counts.rejected and not ctx.counts.errors else "partial"
        return status, None

    def _plan(self, ctx: SyncContext, obj: str) -> ObjectPlan:
        with self.database.transaction() as conn:
            mapping = store.current_mapping(conn, ctx.name, obj)
        if mapping is None:
            mapping = _default(ctx.spec, obj)
        schema = ctx.adapter.describe(obj)
        return ObjectPlan(obj, mapping, Mapper(ctx.spec.crm_name, schema))


def _default(spec: ConnectionSpec, obj: str) -> Mapping:
    if spec.kind == "internal":
        raise ConfigError(f"connection {spec.name} has no mapping for {obj}; declare one with `rapport apply`")
    return default_mapping(spec.kind, obj)


def _stopped(ctx: SyncContext, status: str, message: str, retry_after: float | None = None) -> tuple[str, str]:
    message = redact(message)
    ctx.counts.error(message)
    log.warning("sync run stopped", extra={"connection": ctx.name, "reason": message, "retry_after": retry_after})
    return status, message


def _summary(
    spec: ConnectionSpec, direction: str, dry_run: bool, counts: RunCounts, api_calls: int, run_id: int | None
) -> dict[str, Any]:
    data = asdict(counts)
    return {
        "connection": spec.name,
        "direction": direction,
        "dry_run": dry_run,
        "pulled": data["pulled"],
        "created": data["created"],
        "updated": data["updated"],
        "skipped": data["skipped"],
        "rejected": data["rejected"],
        "api_calls": api_calls,
        "errors": data["errors"],
        "interactions_written": data["interactions_written"],
        "run_id": run_id,
    }
