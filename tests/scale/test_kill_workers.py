"""An API process and three workers on one PostgreSQL database; one worker is killed (SIGKILL) while it holds a
job. Nothing is lost, no person gets two customers, and the customers are those of a sequential run on SQLite."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.db.engine import build_engine
from hub.db.tables import jobs
from tests.scale.people import Record, resolvable_keys, spread
from tests.scale.processes import environment, export_partition, processes, run

PEOPLE, CLIENTS, BATCH = 350, 4, 50
DRAIN_SECONDS = 120


def post_stream(base: str, key: str, records: list[Record], posted: list[int], errors: list[str]) -> None:
    """One client: post its records in batches, honouring 429 Retry-After."""
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for start in range(0, len(records), BATCH):
            chunk = records[start : start + BATCH]
            while (response := client.post("/v1/records", json={"records": chunk})).status_code == 429:
                time.sleep(float(response.headers.get("retry-after", "1")))
            if response.status_code != 202 or response.json()["accepted"] != len(chunk):
                errors.append(f"{response.status_code}: {response.text[:500]}")
            posted.append(len(chunk))


def running_job_of(database_url: str, pid: int) -> bool:
    """Whether the worker process `pid` holds a running job now (its worker id is host:pid:suffix)."""
    engine = build_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(jobs.c.id).where(jobs.c.status == "running", jobs.c.lease_owner.like(f"%:{pid}:%"))
            return conn.execute(query.limit(1)).first() is not None
    finally:
        engine.dispose()


def most_attempts(database_url: str) -> int:
    """The most attempts any finished job took (2 for the job the killed worker held)."""
    engine = build_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.max(jobs.c.attempts)).where(jobs.c.status == "done")).scalar() or 0)
    finally:
        engine.dispose()


def wait_until_drained(base: str, key: str) -> dict[str, Any]:
    """Poll /v1/stats until no job waits or runs; the final stats."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        stats: dict[str, Any] = httpx.get(f"{base}/v1/stats", headers={"Authorization": f"Bearer {key}"}).json()
        busy = sum(c["queued"] + c["running"] + c["failed"] for c in stats["jobs"].values())
        if busy == 0:
            return stats
        time.sleep(0.25)
    raise AssertionError(f"jobs still waiting after {DRAIN_SECONDS} s: {stats}")


def sequential_partition(records: list[Record], tmp_path: Path) -> Any:
    """The reference: the same records through `rapport ingest` into a fresh SQLite file, one process."""
    data = tmp_path / "records.ndjson"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    env = environment(f"sqlite:///{tmp_path / 'sequential.db'}")
    run(env, "ingest", str(data))
    return export_partition(env)


@pytest.mark.postgres_only
def test_killed_worker_loses_nothing_and_duplicates_no_one(database_url: str, tmp_path: Path) -> None:
    streams = spread(PEOPLE, CLIENTS)
    everything = [record for stream in streams for record in stream]
    env = environment(database_url, job_lease_seconds="5")  # a dead worker's job is claimed again within 5 s
    key = run(env, "keys", "create", "--scope", "write", "--name", "scale").strip().splitlines()[-1]
    with processes(env, tmp_path) as procs:
        base = procs.api()
        workers = [procs.start(f"worker-{n}", "worker") for n in range(3)]
        posted: list[int] = []
        errors: list[str] = []
        clients = [threading.Thread(target=post_stream, args=(base, key, stream, posted, errors)) for stream in streams]
        for client in clients:
            client.start()
        victim = workers[0]
        deadline = time.monotonic() + 60
        while not running_job_of(database_url, victim.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert running_job_of(database_url, victim.pid), "the first worker never held a job"
        victim.send_signal(signal.SIGKILL)  # mid-job: its lease must expire and the job run again elsewhere
        victim.wait(timeout=10)
        for client in clients:
            client.join(timeout=DRAIN_SECONDS)
        assert not errors, errors[:3]
        assert sum(posted) == len(everything)
        stats = wait_until_drained(base, key)
        survivor = workers[1]
        survivor.send_signal(signal.SIGTERM)  # graceful: exits 0 once idle
        assert survivor.wait(timeout=30) == 0
    assert stats["records"] == len(everything)
    assert all(counts["dead"] == 0 for counts in stats["jobs"].values()), stats
    assert most_attempts(database_url) == 2  # the killed worker's job ran again, once, after its lease expired
    concurrent = export_partition(env)
    assert {member for customer in concurrent for member in customer} == resolvable_keys(everything)
    assert concurrent == sequential_partition(everything, tmp_path)
