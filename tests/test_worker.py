"""The worker: runs due jobs through their handlers and records success, retry or death."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from hub.db.database import Database
from hub.db.tables import identity_links, jobs, source_records
from hub.ingest.records import parse_record
from hub.ingest.service import RESOLVE_JOB, IngestReport
from hub.jobs import queue
from hub.jobs.worker import PermanentJobError, Worker
from hub.runtime import Runtime
from hub.settings import Settings


@pytest.fixture
def runtime(database_url: str) -> Iterator[Runtime]:
    runtime = Runtime(Settings(database_url=database_url))
    yield runtime
    runtime.database.dispose()


def enqueue(database: Database, kind: str, payload: dict[str, Any] | None = None, **options: Any) -> int:
    from hub.db.database import utcnow

    with database.transaction() as conn:
        return queue.enqueue(conn, kind, payload or {}, now=utcnow(), **options)


def statuses(database: Database) -> dict[int, tuple[str, str | None]]:
    with database.transaction() as conn:
        return {
            r.id: (r.status, r.last_error) for r in conn.execute(select(jobs.c.id, jobs.c.status, jobs.c.last_error))
        }


class Recorder:
    """A handler that records its payloads and fails as told."""

    def __init__(self, error: Exception | None = None) -> None:
        self.payloads: list[dict[str, Any]] = []
        self.error = error

    def __call__(self, payload: dict[str, Any]) -> None:
        self.payloads.append(payload)
        if self.error:
            raise self.error


def test_run_until_idle_runs_every_due_job_once(runtime: Runtime) -> None:
    ok = Recorder()
    ids = [enqueue(runtime.database, "ok", {"n": n}) for n in range(3)]
    enqueue(runtime.database, "unhandled")
    worker = Worker(runtime.database, {"ok": ok}, worker_id="w1")
    assert worker.run_until_idle() == 3
    assert sorted(p["n"] for p in ok.payloads) == [0, 1, 2]
    assert {statuses(runtime.database)[i][0] for i in ids} == {queue.DONE}
    assert worker.run_once() is False


def test_run_until_idle_stops_at_max_jobs(runtime: Runtime) -> None:
    for _ in range(3):
        enqueue(runtime.database, "ok")
    assert Worker(runtime.database, {"ok": Recorder()}).run_until_idle(max_jobs=2) == 2


def test_a_failing_job_is_retried_later_and_a_permanent_error_buries_it(runtime: Runtime) -> None:
    flaky = enqueue(runtime.database, "flaky")
    broken = enqueue(runtime.database, "broken")
    handlers = {"flaky": Recorder(RuntimeError("try again")), "broken": Recorder(PermanentJobError("bad payload"))}
    worker = Worker(runtime.database, handlers, worker_id="w1")
    assert worker.run_until_idle() == 2  # the flaky job's retry is not due yet
    result = statuses(runtime.database)
    assert result[flaky] == (queue.FAILED, "RuntimeError: try again")
    assert result[broken] == (queue.DEAD, "PermanentJobError: bad payload")


def test_worker_error_messages_have_secrets_redacted(runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    secret = "rpk_abcdefghijklmnopqrstuvwxyz0123"
    job_id = enqueue(runtime.database, "leaky")
    error = RuntimeError(f"GET https://user:hunter2@crm.example.com failed; Authorization: Bearer {secret}")
    with caplog.at_level("WARNING", logger="rapport.worker"):
        Worker(runtime.database, {"leaky": Recorder(error)}).run_once()
    stored = statuses(runtime.database)[job_id][1] or ""
    logged = " ".join(str(getattr(r, "error", "")) + r.getMessage() for r in caplog.records)
    for text in (stored, logged):
        assert secret not in text
        assert "hunter2" not in text
    assert "crm.example.com" in stored


def test_run_forever_stops_when_told(runtime: Runtime) -> None:
    done = threading.Event()

    def handler(_payload: dict[str, Any]) -> None:
        done.set()

    enqueue(runtime.database, "once")
    stop = threading.Event()
    worker = Worker(runtime.database, {"once": handler}, poll_seconds=0.01)
    thread = threading.Thread(target=worker.run_forever, args=(stop,))
    thread.start()
    assert done.wait(30)
    stop.set()
    thread.join(30)
    assert not thread.is_alive()
    assert worker.processed == 1


def test_queued_resolve_job_resolves_the_records(runtime: Runtime) -> None:
    records = [
        parse_record({"type": "social_profile", "network": "instagram", "id": "ig1", "email": "Ana@Example.com"}),
        parse_record({"type": "contact", "system": "salesforce", "id": "003", "email": "ana@example.com"}),
    ]
    report = runtime.ingest.ingest(records, IngestReport(), inline=False)
    assert report.accepted == 2
    with runtime.database.transaction() as conn:
        assert conn.execute(select(identity_links)).all() == []
        [job] = conn.execute(select(jobs.c.kind, jobs.c.status)).all()
    assert (job.kind, job.status) == (RESOLVE_JOB, queue.QUEUED)
    assert runtime.worker().run_until_idle() == 1
    with runtime.database.transaction() as conn:
        linked = conn.execute(
            select(source_records.c.record_key, identity_links.c.customer_id).join(
                identity_links, identity_links.c.record_id == source_records.c.id
            )
        ).all()
        assert conn.execute(select(jobs.c.status)).scalar_one() == queue.DONE
    assert len(linked) == 2
    assert len({customer for _, customer in linked}) == 1
