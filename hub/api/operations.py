"""Operations routes: `GET /v1/stats` (read key), `GET /healthz` and `GET /metrics` (no key).

`/metrics` is unauthenticated, as Prometheus scrapers conventionally expect: it shows counts and latencies,
never customer data or keys. Keep it off the public network (bind or firewall) where that matters.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import Connection, text

from hub.api.auth import ReadKey
from hub.api.problems import ProblemError, problem_responses
from hub.api.queries import store_stats
from hub.api.schemas import Health, Stats
from hub.api.state import api_state
from hub.db.database import utcnow
from hub.jobs.queue import finished_since, oldest_waiting_age, queue_depth

log = logging.getLogger("rapport.api")
router = APIRouter()


class QueueFigures(BaseModel):
    """The shared job queue: what waits, for how long, and what every worker finished or failed lately."""

    depth: int
    oldest_age_seconds: float
    done_last_minute: int
    failed_last_hour: int


class StatsWithQueue(Stats):
    """`/v1/stats`: the contract's figures, plus the queue's."""

    queue: QueueFigures


def queue_figures(conn: Connection) -> QueueFigures:
    """Queue depth, oldest waiting age, throughput (done in the last minute) and failures (last hour)."""
    now = utcnow()
    return QueueFigures(
        depth=queue_depth(conn),
        oldest_age_seconds=round(oldest_waiting_age(conn, now=now), 3),
        done_last_minute=finished_since(conn, since=now - timedelta(minutes=1))["done"],
        failed_last_hour=finished_since(conn, since=now - timedelta(hours=1))["failed"],
    )


@router.get("/v1/stats", response_model=StatsWithQueue, tags=["operations"], responses=problem_responses(401, 403))
def stats(request: Request, _key: ReadKey) -> StatsWithQueue:
    """Stored records (profiles, contacts and interactions), live customers, jobs by kind and status, and the
    queue's depth, oldest waiting age, throughput and failures."""
    with api_state(request).database.transaction() as conn:
        return StatsWithQueue.model_validate({**store_stats(conn), "queue": queue_figures(conn)})


@router.get("/healthz", response_model=Health, tags=["operations"], responses=problem_responses(503))
def healthz(request: Request) -> Health:
    """200 when the database answers, 503 otherwise (no key needed)."""
    try:
        with api_state(request).database.engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        log.warning("healthz: database unavailable (%s)", type(exc).__name__)
        raise ProblemError(503, "the database is not reachable", slug="database-unavailable") from None
    return Health(status="ok")


@router.get(
    "/metrics",
    tags=["operations"],
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition"}},
)
def metrics(request: Request) -> Response:
    """Prometheus metrics: ingest counters, request latency, job-queue gauges (no key needed)."""
    body, content_type = api_state(request).metrics.render()
    return Response(body, media_type=content_type)
