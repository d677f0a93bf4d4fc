"""Sync runs and their record-level errors, and each customer's history (conflict decisions, merges, unlinks)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from hub.api.auth import ReadKey
from hub.api.params import RowId
from hub.api.problems import ProblemError, problem_responses
from hub.api.state import api_state
from hub.db.sync_tables import sync_errors, sync_runs
from hub.db.tables import audit_events, customers

router = APIRouter(prefix="/v1", tags=["sync"])


def _run(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "connection": row.connection, "direction": row.direction, "status": row.status,
        "summary": row.summary, "error": row.error, "started_at": row.started_at, "finished_at": row.finished_at,
    }  # fmt: skip


def list_runs(request: Request, *, connection: str | None, limit: int) -> dict[str, Any]:
    """The latest runs, newest first."""
    query = select(sync_runs).order_by(sync_runs.c.id.desc()).limit(limit)
    if connection:
        query = query.where(sync_runs.c.connection == connection)
    with api_state(request).database.transaction() as conn:
        return {"data": [_run(row) for row in conn.execute(query)]}


@router.get("/sync-runs", responses=problem_responses(401, 403))
def runs(
    request: Request,
    _key: ReadKey,
    connection: Annotated[str | None, Query(description="only this connection's runs")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Sync runs, newest first: pulled, created, updated, skipped, rejected, API calls, status."""
    return list_runs(request, connection=connection, limit=limit)


@router.get("/sync-runs/{run_id}", responses=problem_responses(401, 403, 404))
def run(request: Request, run_id: RowId, _key: ReadKey) -> dict[str, Any]:
    """One run."""
    with api_state(request).database.transaction() as conn:
        row = conn.execute(select(sync_runs).where(sync_runs.c.id == run_id)).first()
    if row is None:
        raise ProblemError(404, f"no sync run {run_id}", slug="unknown-run")
    return _run(row)


@router.get("/sync-runs/{run_id}/errors", responses=problem_responses(401, 403, 404))
def run_errors(request: Request, run_id: RowId, _key: ReadKey) -> dict[str, Any]:
    """The record-level errors of a run, with the CRM's own code and the fields concerned."""
    with api_state(request).database.transaction() as conn:
        if conn.execute(select(sync_runs.c.id).where(sync_runs.c.id == run_id)).first() is None:
            raise ProblemError(404, f"no sync run {run_id}", slug="unknown-run")
        rows = conn.execute(select(sync_errors).where(sync_errors.c.run_id == run_id).order_by(sync_errors.c.id))
        keys = ("object", "direction", "ref", "customer_id", "code", "message", "fields", "created_at", "resolved_at")
        return {"data": [{k: getattr(row, k) for k in keys} for row in rows]}


@router.get("/customers/{customer_id}/history", tags=["customers"], responses=problem_responses(401, 403, 404))
def history(
    request: Request, customer_id: str, _key: ReadKey, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> dict[str, Any]:
    """Field changes and conflict decisions (who won, why, when), merges and unlinks, newest first."""
    with api_state(request).database.transaction() as conn:
        if conn.execute(select(customers.c.id).where(customers.c.id == customer_id)).first() is None:
            raise ProblemError(404, f"no customer {customer_id}", slug="unknown-customer")
        rows = conn.execute(
            select(audit_events)
            .where(audit_events.c.customer_id == customer_id)
            .order_by(audit_events.c.id.desc())
            .limit(limit)
        )
        return {"data": [{"kind": r.kind, "detail": r.detail, "actor": r.actor, "at": r.created_at} for r in rows]}
