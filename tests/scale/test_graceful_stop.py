"""`rapport worker` on SIGTERM: a job that cannot finish within the grace period is given back to the queue
untried (no attempt spent), and the process exits 0; the next worker runs it to completion."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from adapters.hubspot.sandbox import SandboxHandle, start_in_thread
from hub.db.engine import build_engine
from hub.db.tables import jobs
from tests.scale.processes import environment, processes, run
from tests.scale.test_kill_sync_webhooks import PEOPLE, contacts, write_people, write_setup


class _NoReceiver:
    server_address = ("127.0.0.1", 9)  # discard port: the endpoint is declared but never reached here


@pytest.fixture
def hubspot() -> Iterator[SandboxHandle]:
    handle = start_in_thread(window=10.0)
    yield handle
    handle.stop()


def sync_job(url: str) -> tuple[str, int]:
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(jobs.c.status, jobs.c.attempts).where(jobs.c.kind == "sync")).one()
        return row.status, row.attempts
    finally:
        engine.dispose()


@pytest.mark.postgres_only
def test_sigterm_gives_a_job_that_cannot_finish_back_to_the_queue(
    database_url: str, tmp_path: Path, hubspot: SandboxHandle
) -> None:
    env = environment(database_url, worker_shutdown_grace_seconds="1")
    run(env, "apply", str(write_setup(tmp_path, hubspot, _NoReceiver())))  # type: ignore[arg-type]
    run(env, "ingest", str(write_people(tmp_path)))
    with httpx.Client(base_url=f"{hubspot.base_url}/__sandbox__", timeout=10) as back_door:
        back_door.post("/config", json={"stall_seconds": 120}).raise_for_status()
        back_door.post("/faults", json={"fault": "stall", "count": 1, "after": 2}).raise_for_status()
    with processes(env, tmp_path) as procs:
        base = procs.api()
        key = run(env, "keys", "create", "--scope", "admin").strip().splitlines()[-1]
        answer = httpx.post(f"{base}/v1/connections/hs/sync", json={"direction": "push"},
                            headers={"Authorization": f"Bearer {key}"})  # fmt: skip
        assert answer.status_code == 202
        worker = procs.start("stopping", "worker")
        deadline = time.monotonic() + 60
        while sync_job(database_url) != ("running", 1) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # well into the stalled call
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        assert sync_job(database_url) == ("queued", 0)  # given back untried
        procs.start("next", "worker")
        deadline = time.monotonic() + 60
        while sync_job(database_url)[0] != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sync_job(database_url) == ("done", 1)
    link_ids = {c["properties"].get("rapport_id") for c in contacts(hubspot)}
    assert len(contacts(hubspot)) == len(link_ids) == PEOPLE  # the re-run after the release duplicated nobody
