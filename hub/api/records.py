"""`POST /v1/records`: validate each item, store the valid ones and queue their resolution (one transaction)."""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request, status

from hub.api.auth import WriteKey
from hub.api.problems import ProblemError, problem_responses
from hub.api.schemas import ItemError, RecordsAccepted, RecordsIn
from hub.api.state import api_state
from hub.ingest.service import IngestReport, validated
from hub.jobs.queue import depth_exceeds

log = logging.getLogger("rapport.api")
router = APIRouter(prefix="/v1", tags=["records"])


@router.post(
    "/records",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RecordsAccepted,
    responses=problem_responses(400, 401, 403, 413, 422, 429),
    summary="Ingest records",
)
def post_records(body: RecordsIn, request: Request, key: WriteKey) -> RecordsAccepted:
    """Store the valid records of the batch and queue their resolution; report each refused item.

    202 when at least one record is accepted (resolution then finishes in a worker), 422 when none is,
    413 when the batch is larger than the configured limit (1,000 by default), 429 with `Retry-After` when
    more jobs wait than `RAPPORT_MAX_QUEUE_DEPTH` (workers are behind; nothing of the batch is stored).
    """
    state = api_state(request)
    _refuse_when_overloaded(request)
    limit = state.settings.api_max_records
    if len(body.records) > limit:
        raise ProblemError(
            413,
            f"{len(body.records)} records in one request; send at most {limit} per request",
            slug="too-many-records",
            extensions={"limit": limit},
        )
    report = IngestReport()
    state.ingest.ingest(validated(enumerate(body.records), report), report, inline=False)
    errors = [ItemError(index=index, reason=reason) for index, reason in report.errors]
    state.metrics.count_ingest(report.accepted, report.rejected)
    log.info(
        "records ingested: %d accepted, %d rejected",
        report.accepted,
        report.rejected,
        extra={"key_id": key.id, "channel": "api"},
    )
    if report.accepted == 0:
        raise ProblemError(
            422,
            _none_accepted(len(body.records), report),
            slug="no-valid-records",
            title="No valid records",
            extensions={"errors": [e.model_dump() for e in errors]},
        )
    return RecordsAccepted(accepted=report.accepted, errors=errors)


def _none_accepted(total: int, report: IngestReport) -> str:
    if total == 0:
        return "'records' is empty; send at least one record"
    first_index, first_reason = report.errors[0]
    return f"none of the {total} records is valid (first, at index {first_index}: {first_reason}); see 'errors'"


def _refuse_when_overloaded(request: Request) -> None:
    """429 when the job queue is past its configured depth; the depth is re-read at most once per interval."""
    state = api_state(request)
    settings = state.settings
    checked_at, overloaded = getattr(request.app.state, "rapport_backpressure", (-1e9, False))
    if time.monotonic() - checked_at >= settings.backpressure_check_seconds:
        with state.database.transaction() as conn:
            overloaded = depth_exceeds(conn, settings.max_queue_depth)
        request.app.state.rapport_backpressure = (time.monotonic(), overloaded)
    if overloaded:
        state.metrics.count_overload()
        raise ProblemError(
            429,
            f"more than {settings.max_queue_depth} jobs are waiting for workers; retry after "
            f"{settings.backpressure_retry_after_seconds} seconds (or add workers)",
            slug="queue-full",
            title="Too many queued jobs",
            headers={"Retry-After": str(settings.backpressure_retry_after_seconds)},
        )
