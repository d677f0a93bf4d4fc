"""Identity routes for CRM admins: why records are one customer, their social history, split, merge, review,
and reconciling now."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from hub.api.auth import AdminKey, ReadKey
from hub.api.params import RowId
from hub.api.problems import ProblemError, problem_responses
from hub.api.state import api_state
from hub.db.database import utcnow
from hub.identity_admin import (
    IdentityActionError,
    explain,
    live_customer,
    merge,
    open_reviews,
    settle_review,
    split,
    timeline,
)
from hub.jobs.queue import enqueue
from hub.reconcile import RECONCILE_JOB, RECONCILE_KEY

router = APIRouter(prefix="/v1", tags=["identity"])


class SplitRequest(BaseModel):
    """Records (keys `<type>:<source>:<id>`, as `/explain` lists them) to move to a new customer."""

    records: list[str] = Field(min_length=1)


class MergeRequest(BaseModel):
    """Customers to merge; the first survives."""

    ids: list[str] = Field(min_length=2)


class ReviewDecision(BaseModel):
    """For accept: which candidate customer the record joins (optional when there is only one)."""

    customer_id: str | None = None


def _require(request: Request, customer_id: str) -> None:
    with api_state(request).database.transaction() as conn:
        if not live_customer(conn, customer_id):
            raise ProblemError(404, f"no live customer {customer_id}", slug="unknown-customer")


def _refused(exc: IdentityActionError) -> ProblemError:
    return ProblemError(409, str(exc), slug="identity-action-refused")


@router.get("/customers/{customer_id}/explain", responses=problem_responses(401, 403, 404))
def explain_customer(request: Request, customer_id: str, _key: ReadKey) -> dict[str, Any]:
    """Why these records are one customer: per record, the rule or score that joined it, with its evidence."""
    _require(request, customer_id)
    with api_state(request).database.transaction() as conn:
        return {"customer_id": customer_id, "records": explain(conn, customer_id)}


@router.get("/customers/{customer_id}/timeline", responses=problem_responses(401, 403, 404))
def customer_timeline(
    request: Request, customer_id: str, _key: ReadKey, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    """The customer's social history (posts, comments, mentions, DMs, reviews), newest first."""
    _require(request, customer_id)
    with api_state(request).database.transaction() as conn:
        return {"customer_id": customer_id, "data": timeline(conn, customer_id, limit)}


@router.post("/customers/{customer_id}/split", responses=problem_responses(401, 403, 404, 409))
def split_customer(request: Request, customer_id: str, key: AdminKey, body: SplitRequest) -> dict[str, Any]:
    """Move records to a new customer; they are remembered as different people and never re-merge."""
    _require(request, customer_id)
    try:
        with api_state(request).database.transaction() as conn:
            new_id = split(conn, customer_id, body.records, actor=f"api:{key.id}", now=utcnow())
    except IdentityActionError as exc:
        raise _refused(exc) from None
    return {"customer_id": customer_id, "new_customer_id": new_id}


@router.post("/customers/merge", responses=problem_responses(401, 403, 409))
def merge_customers(request: Request, key: AdminKey, body: MergeRequest) -> dict[str, Any]:
    """Merge customers by hand into the first id."""
    try:
        with api_state(request).database.transaction() as conn:
            survivor = merge(conn, body.ids, actor=f"api:{key.id}", now=utcnow())
    except IdentityActionError as exc:
        raise _refused(exc) from None
    return {"customer_id": survivor, "merged_ids": body.ids[1:]}


@router.get("/review", responses=problem_responses(401, 403))
def review_queue(request: Request, _key: ReadKey, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Records that fit more than one customer about equally well, waiting for a person."""
    with api_state(request).database.transaction() as conn:
        return {"data": open_reviews(conn, limit)}


def _settle(request: Request, item_id: RowId, accept: bool, key_id: str, target: str | None) -> dict[str, Any]:
    try:
        with api_state(request).database.transaction() as conn:
            return settle_review(conn, item_id, accept, target, actor=f"api:{key_id}", now=utcnow())
    except IdentityActionError as exc:
        raise _refused(exc) from None


@router.post("/review/{item_id}/accept", responses=problem_responses(401, 403, 409))
def accept_review(
    request: Request, item_id: RowId, key: AdminKey, body: ReviewDecision | None = None
) -> dict[str, Any]:
    """Join the record to a candidate customer."""
    return _settle(request, item_id, True, key.id, body.customer_id if body else None)


@router.post("/review/{item_id}/reject", responses=problem_responses(401, 403, 409))
def reject_review(request: Request, item_id: RowId, key: AdminKey) -> dict[str, Any]:
    """Keep the record apart from every candidate (remembered as do-not-link)."""
    return _settle(request, item_id, False, key.id, None)


@router.post("/identity/reconcile", status_code=202, responses=problem_responses(401, 403))
def reconcile_now(request: Request, _key: AdminKey) -> dict[str, Any]:
    """Queue a reconciliation now: every settled record clustered again on the whole store's counts (as the
    hourly job does, but even when nothing changed since the last one)."""
    with api_state(request).database.transaction() as conn:
        job_id = enqueue(conn, RECONCILE_JOB, {"force": True}, now=utcnow(), concurrency_key=RECONCILE_KEY)
    return {"job_id": job_id, "status": "queued"}
