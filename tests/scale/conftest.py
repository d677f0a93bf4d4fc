"""Fixtures for scale-out tests: a database of each backend and helpers over the job table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from hub.db.database import Database, utcnow
from hub.db.tables import jobs
from hub.jobs import queue
from hub.settings import Settings


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The test's database."""
    database = Database.for_settings(Settings(database_url=database_url))
    yield database
    database.dispose()


def enqueue(database: Database, kind: str = "noop", payload: dict[str, Any] | None = None, **options: Any) -> int:
    """Queue one job in its own transaction."""
    with database.transaction() as conn:
        return queue.enqueue(conn, kind, payload or {}, now=utcnow(), **options)


def job_row(database: Database, job_id: int) -> Any:
    """The job's row."""
    with database.transaction() as conn:
        return conn.execute(select(jobs).where(jobs.c.id == job_id)).one()
