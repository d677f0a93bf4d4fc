"""Scale-out benchmark on PostgreSQL, with real `rapport serve --no-worker` and `rapport worker` processes.

1. Ingest curve: N synthetic records (bench/ingest.py's mix) posted through the API by 4 clients, resolved by
   1, 2 and 4 workers; records per second end to end (first post to empty queue), and CPU seconds per 1,000
   records of the rapport processes (API + workers) and of PostgreSQL, the figure that carries to bigger machines.
2. Wake-up latency: jobs queued one at a time to an idle worker; enqueue to finished, p50 and max (LISTEN/NOTIFY).
3. Webhook drain: 100,000 deliveries queued (one endpoint, a loopback receiver answering 200), then drained by
   2 workers; deliveries per second and CPU per 1,000 deliveries.

Run: `.venv/bin/python bench/scale.py [--records N] [--workers 1,2,4] [--deliveries N] [--skip-ingest|--skip-webhooks]`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and bench/webhooks.py would shadow the webhooks package.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import multiprocessing as mp
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from bench.http_sink import serve_ok
from bench.ingest import synthetic_records
from hub.db.database import Database, utcnow
from hub.db.tables import jobs
from hub.db.webhook_tables import webhook_deliveries
from hub.jobs.queue import enqueue
from hub.secrets import SecretBox
from hub.settings import Settings
from hub.webhooks_admin import upsert_endpoint
from hub.webhooks_store import DELIVER_JOB, emit_events, wake_deliverers
from tests.scale.processes import environment, processes, run

PG_ADMIN = os.environ.get("RAPPORT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TICK = os.sysconf("SC_CLK_TCK")
CLIENTS, BATCH = 4, 500


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, migrated PostgreSQL database, dropped afterwards."""
    name = f"rapport_scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    try:
        run(environment(url), "migrate")
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def postgres_cpu_seconds() -> float:
    """CPU seconds of the local PostgreSQL server: the postmaster, its reaped children (cutime/cstime) and the
    live ones, so that backends which exit between two readings are still counted."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    total = 0
    for fields in stats.values():
        total += int(fields[11]) + int(fields[12])
        if int(fields[1]) not in stats:  # the postmaster: add what its exited children used
            total += int(fields[13]) + int(fields[14])
    return total / TICK


def settle(pids: list[int], timeout: float = 60) -> None:
    """Wait until these processes are idle (start-up imports done), so their start-up CPU is not counted."""
    deadline, last = time.monotonic() + timeout, cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pids)
        if now - last < 0.05:
            return
        last = now


def wait_for(done: Callable[[], bool], timeout: float = 1800) -> None:
    """Poll `done` every 50 ms until it holds."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the queue to drain")
        time.sleep(0.05)


def queue_empty(database: Database, kinds: tuple[str, ...] | None = None) -> bool:
    """No job waits or runs (of these kinds)."""
    query = select(func.count()).select_from(jobs).where(jobs.c.status.in_(("queued", "running", "failed")))
    if kinds:
        query = query.where(jobs.c.kind.in_(kinds))
    with database.transaction() as conn:
        return int(conn.execute(query).scalar_one()) == 0


def post_all(base: str, key: str, records: list[dict[str, Any]]) -> None:
    """Post the records from CLIENTS threads in batches, honouring 429."""

    def client(part: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:
            for start in range(0, len(part), BATCH):
                chunk = part[start : start + BATCH]
                while (response := http.post("/v1/records", json={"records": chunk})).status_code == 429:
                    time.sleep(float(response.headers.get("retry-after", "1")))
                response.raise_for_status()

    threads = [threading.Thread(target=client, args=(records[n::CLIENTS],)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def ingest_run(records: list[dict[str, Any]], workers: int, logs: Path) -> dict[str, Any]:
    """One point of the curve: a fresh database, an API and `workers` workers."""
    with fresh_database() as url:
        env = environment(url, worker_poll_seconds="0.5")
        key = run(env, "keys", "create", "--scope", "write").strip().splitlines()[-1]
        database = Database(create_engine(url))
        with processes(env, logs) as procs:
            base = procs.api()
            started = [procs.start(f"w{workers}-{n}", "worker") for n in range(workers)]
            pids = [p.pid for p in procs.started]
            settle(pids)
            cpu0, pg0, t0 = cpu_seconds(pids), postgres_cpu_seconds(), time.perf_counter()
            post_all(base, key, records)
            posted = time.perf_counter() - t0
            wait_for(lambda: queue_empty(database))
            seconds = time.perf_counter() - t0
            cpu, pg = cpu_seconds(pids) - cpu0, postgres_cpu_seconds() - pg0
            assert all(p.poll() is None for p in started), "a worker died"
        with database.transaction() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        database.engine.dispose()
    n = len(records)
    return {
        "phase": "ingest", "workers": workers, "records": n, "post_seconds": round(posted, 1),
        "seconds": round(seconds, 1), "records_per_second": round(n / seconds),
        "rapport_cpu_s_per_1000": round(1000 * cpu / n, 2), "postgres_cpu_s_per_1000": round(1000 * pg / n, 2),
        "database_mb": round(size / 2**20, 1),
    }  # fmt: skip


def webhook_run(deliveries: int, workers: int, logs: Path) -> dict[str, Any]:
    """Queue `deliveries` deliveries with no worker running, then time `workers` workers draining them."""
    ctx = mp.get_context("spawn")
    ports: Any = ctx.Queue()
    receiver = ctx.Process(target=serve_ok, args=(ports,), daemon=True)
    receiver.start()
    try:
        port = ports.get(timeout=10)
        with fresh_database() as url:
            env = environment(url, webhook_allowed_networks="127.0.0.0/8")
            settings = Settings(database_url=url, secret_key=env["RAPPORT_SECRET_KEY"])
            database = Database(create_engine(url))
            with database.transaction() as conn:
                upsert_endpoint(conn, SecretBox.from_settings(settings), name="bench", url=f"http://127.0.0.1:{port}/hook",
                                events=None, secret=None, description=None, enabled=True, now=utcnow())  # fmt: skip
            for start in range(0, deliveries, 5000):
                events = [("customer.updated", {"customer_id": f"cus_{i}", "changed": ["email"]})
                          for i in range(start, min(deliveries, start + 5000))]  # fmt: skip
                with database.transaction() as conn:
                    emit_events(conn, events, now=utcnow())
            hold_deliveries(database, hold=True)  # due once the workers are up, so start-up is not measured
            with processes(env, logs) as procs:
                for n in range(workers):
                    procs.start(f"hook-{n}", "worker")
                pids = [p.pid for p in procs.started]
                settle(pids)
                cpu0, pg0, t0 = cpu_seconds(pids), postgres_cpu_seconds(), time.perf_counter()
                hold_deliveries(database, hold=False)
                wait_for(lambda: _delivered(database) >= deliveries)
                seconds = time.perf_counter() - t0
                cpu, pg = cpu_seconds(pids) - cpu0, postgres_cpu_seconds() - pg0
            database.engine.dispose()
    finally:
        receiver.terminate()
    return {
        "phase": "webhook_drain", "workers": workers, "deliveries": deliveries, "seconds": round(seconds, 1),
        "deliveries_per_second": round(deliveries / seconds),
        "rapport_cpu_s_per_1000": round(1000 * cpu / deliveries, 2),
        "postgres_cpu_s_per_1000": round(1000 * pg / deliveries, 2),
    }  # fmt: skip


def hold_deliveries(database: Database, *, hold: bool) -> None:
    """Put every pending delivery an hour ahead, or make them all due now and wake the deliverers."""
    now = utcnow()
    with database.transaction() as conn:
        due = now + timedelta(hours=1) if hold else now
        conn.execute(update(webhook_deliveries).values(next_attempt_at=due))
        conn.execute(update(jobs).where(jobs.c.kind == DELIVER_JOB).values(run_after=due))
        if not hold:
            wake_deliverers(conn, now=now)


def latency_run(jobs_count: int, logs: Path) -> dict[str, Any]:
    """Queue no-op `maintenance` jobs one at a time to one idle worker; enqueue-to-finished times."""
    with fresh_database() as url:
        env = environment(url)
        database = Database(create_engine(url))
        with processes(env, logs) as procs:
            settle([procs.start("idle", "worker").pid])
            for _ in range(jobs_count):
                with database.transaction() as conn:
                    enqueue(conn, "maintenance", {}, now=utcnow())
                time.sleep(0.2)
            wait_for(lambda: queue_empty(database))
        with database.transaction() as conn:
            rows = conn.execute(select(jobs.c.created_at, jobs.c.finished_at).where(jobs.c.kind == "maintenance"))
            delays = sorted((r.finished_at - r.created_at).total_seconds() * 1000 for r in rows)
        database.engine.dispose()
    return {"phase": "wake_latency", "jobs": len(delays), "p50_ms": round(statistics.median(delays), 1),
            "max_ms": round(delays[-1], 1)}  # fmt: skip


def _delivered(database: Database) -> int:
    query = select(func.count()).select_from(webhook_deliveries).where(webhook_deliveries.c.status == "succeeded")
    with database.transaction() as conn:
        return int(conn.execute(query).scalar_one())


def main() -> None:
    """Run the phases asked for and print one JSON line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-webhooks", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        logs = Path(tmp)
        if not args.skip_ingest:
            records = synthetic_records(args.records)
            for workers in [int(w) for w in args.workers.split(",")]:
                print(json.dumps(ingest_run(records, workers, logs)), flush=True)
        print(json.dumps(latency_run(50, logs)), flush=True)
        if not args.skip_webhooks:
            print(json.dumps(webhook_run(args.deliveries, 2, logs)), flush=True)


if __name__ == "__main__":
    main()
