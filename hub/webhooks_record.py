"""How a batch of attempts is written: the attempt rows, and each delivery moved on (retry, done, failed).

On PostgreSQL one statement does the whole batch (a round trip, not a row, is the cost); on SQLite, which
is in-process, one statement per row costs nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    column,
    insert,
    select,
    update,
    values,
)

from hub.db.webhook_tables import webhook_attempts, webhook_deliveries
from webhooks.outbound.dispatcher import AttemptRecord

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


def attempt_row(record: AttemptRecord) -> dict[str, Any]:
    """The `webhook_attempts` row of an attempt."""
    result = record.result
    return {
        "delivery_id": record.task.delivery_id,
        "attempt": record.task.attempt,
        "started_at": record.started_at,
        "status_code": result.status_code,
        "latency_ms": result.latency_ms,
        "response_body": result.response_body,
        "error": result.error,
    }


def record_statement(records: Sequence[AttemptRecord]) -> Any:
    """PostgreSQL: the batch's attempts and delivery moves in one statement (one round trip).

    A stale worker (its lease lost, the attempt already recorded by another) still logs its attempt, but
    cannot move the delivery back: the update is guarded by the attempt count.
    """
    d = webhook_deliveries
    rows = [delivery_params(r) | {"b_latency": r.result.latency_ms, "b_body": r.result.response_body} for r in records]
    batch = values(*[column(name, kind) for name, kind in _PARAM_TYPES.items()], name="batch").data(
        [tuple(row[name] for name in _PARAM_TYPES) for row in rows]
    )
    moved = (
        update(d)
        .where(d.c.id == batch.c.b_id, d.c.attempts == batch.c.b_previous)
        .values(
            status=batch.c.b_status,
            attempts=batch.c.b_attempt,
            next_attempt_at=cast(batch.c.b_next, DateTime(timezone=True)),
            last_attempt_at=batch.c.b_started,
            last_status_code=cast(batch.c.b_code, Integer),
            last_error=cast(batch.c.b_error, Text),
            updated_at=batch.c.b_started,
        )
        .cte("moved")
    )
    logged = select(
        batch.c.b_id,
        batch.c.b_attempt,
        batch.c.b_started,
        cast(batch.c.b_code, Integer),
        batch.c.b_latency,
        cast(batch.c.b_body, Text),
        cast(batch.c.b_error, Text),
    )
    attempt_columns = ["delivery_id", "attempt", "started_at", "status_code", "latency_ms", "response_body", "error"]
    return insert(webhook_attempts).from_select(attempt_columns, logged).add_cte(moved)


_PARAM_TYPES: dict[str, Any] = {
    "b_id": BigInteger(),
    "b_previous": Integer(),
    "b_status": String(),
    "b_attempt": Integer(),
    "b_next": DateTime(timezone=True),
    "b_started": DateTime(timezone=True),
    "b_code": Integer(),
    "b_error": Text(),
    "b_latency": Integer(),
    "b_body": Text(),
}


def delivery_update() -> Any:
    """SQLite (in-process, so one statement per row costs no round trip): guarded like `_record_statement`."""
    d = webhook_deliveries
    return (
        update(d)
        .where(d.c.id == bindparam("b_id"), d.c.attempts == bindparam("b_previous"))
        .values(
            status=bindparam("b_status"),
            attempts=bindparam("b_attempt"),
            next_attempt_at=bindparam("b_next"),
            last_attempt_at=bindparam("b_started"),
            last_status_code=bindparam("b_code"),
            last_error=bindparam("b_error"),
            updated_at=bindparam("b_started"),
        )
    )


def delivery_params(record: AttemptRecord) -> dict[str, Any]:
    """Bind values moving one delivery on after its attempt (succeeded, pending a retry, or failed)."""
    succeeded = record.result.succeeded
    status = SUCCEEDED if succeeded else PENDING if record.next_attempt_at else FAILED
    return {
        "b_id": record.task.delivery_id,
        "b_previous": record.task.attempt - 1,
        "b_status": status,
        "b_attempt": record.task.attempt,
        "b_next": record.next_attempt_at,
        "b_started": record.started_at,
        "b_code": record.result.status_code,
        "b_error": record.result.error,
    }
