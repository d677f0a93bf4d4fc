"""Prometheus metrics of one app: its own registry (no process-global state), ingest counters, request
latency, and job-queue gauges read from the database at scrape time (so every `serve` process reports the
shared queue, not what it happened to see).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.db.database import Database, utcnow
from hub.jobs.queue import finished_since, oldest_waiting_age, queue_depth, queue_stats

log = logging.getLogger("rapport.api")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The metrics of one app; `render()` is the `/metrics` body."""

    def __init__(self, database: Database | None = None) -> None:
        self.registry = CollectorRegistry()
        self.ingest_records = Counter(
            "rapport_ingest_records",
            "Records received for ingest, by outcome (accepted or rejected) and channel (api, cli).",
            ["outcome", "channel"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "rapport_http_request_duration_seconds",
            "HTTP request latency by method, route template and status code.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.overloaded = Counter(
            "rapport_api_overloaded",
            "Requests refused with 429 because the job queue was deeper than RAPPORT_MAX_QUEUE_DEPTH.",
            registry=self.registry,
        )
        if database is not None:
            self.registry.register(QueueCollector(database))

    def count_overload(self) -> None:
        """Count one request refused for back-pressure."""
        self.overloaded.inc()

    def count_ingest(self, accepted: int, rejected: int, channel: str = "api") -> None:
        """Add one ingest's counts."""
        if accepted:
            self.ingest_records.labels("accepted", channel).inc(accepted)
        if rejected:
            self.ingest_records.labels("rejected", channel).inc(rejected)

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class QueueCollector(Collector):
    """Job-queue gauges, queried when Prometheus scrapes; a database outage shows as `rapport_database_up 0`."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def describe(self) -> Iterator[Metric]:
        """The metric families, without querying the database (called on registration)."""
        yield from _families()

    def collect(self) -> Iterator[Metric]:
        """Current queue figures."""
        up, depth, age, jobs, done, failed = _families()
        try:
            with self.database.transaction() as conn:
                stats = queue_stats(conn)
                now = utcnow()
                depth.add_metric([], queue_depth(conn))
                age.add_metric([], oldest_waiting_age(conn, now=now))
                done.add_metric([], finished_since(conn, since=now - timedelta(minutes=1))["done"])
                failed.add_metric([], finished_since(conn, since=now - timedelta(hours=1))["failed"])
        except Exception as exc:
            log.warning("metrics: job queue unavailable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for kind, counts in sorted(stats.items()):
            for status, count in sorted(counts.items()):
                jobs.add_metric([kind, status], count)
        yield from (up, depth, age, jobs, done, failed)


def _families() -> tuple[GaugeMetricFamily, ...]:
    return (
        GaugeMetricFamily("rapport_database_up", "1 when the database answered the last scrape, else 0."),
        GaugeMetricFamily("rapport_job_queue_depth", "Jobs waiting to run (queued or awaiting a retry)."),
        GaugeMetricFamily("rapport_job_oldest_waiting_age_seconds", "Seconds since the oldest waiting job became due."),
        GaugeMetricFamily(
            "rapport_jobs",
            "Jobs by kind and status (queued, running, failed, dead).",
            labels=["kind", "status"],
        ),
        GaugeMetricFamily("rapport_jobs_done_last_minute", "Jobs finished in the last minute, by every worker."),
        GaugeMetricFamily(
            "rapport_jobs_failed_last_hour", "Jobs that failed in the last hour (awaiting a retry, or dead)."
        ),
    )


class LatencyMiddleware:
    """Times each HTTP request into `rapport_http_request_duration_seconds` (route template, not raw path)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            self.metrics.request_seconds.labels(scope["method"], route, str(status)).observe(elapsed)
