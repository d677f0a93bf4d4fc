"""Operations routes: `GET /v1/stats` (read key), `GET /healthz` and `GET /metrics` (no key).

`/metrics` is unauthenticated, as Prometheus scrapers conventionally expect: it shows counts and latencies,
never customer data or keys. Keep it off the public network (bind or firewall) where that matters.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from hub.api.auth import ReadKey
from hub.api.problems import ProblemError, problem_responses
from hub.api.queries import store_stats
from hub.api.schemas import Health, Stats
from hub.api.state import api_state

log = logging.getLogger("rapport.api")
router = APIRouter()


@router.get("/v1/stats", response_model=Stats, tags=["operations"], responses=problem_responses(401, 403))
def stats(request: Request, _key: ReadKey) -> Stats:
    """Stored records (profiles, contacts and interactions), live customers, and jobs by kind and status."""
    with api_state(request).database.transaction() as conn:
        return Stats.model_validate(store_stats(conn))


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
