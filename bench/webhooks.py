"""Outbound webhook benchmark: signed deliveries to a receiver on loopback, attempts persisted.

1. Throughput: N events are emitted (one endpoint), then worker processes (the production `webhook.deliver`
   job) deliver them; prints deliveries per second, every attempt written to `webhook_attempts`.
2. Latency: events are emitted one per transaction at half that rate; prints p50/p99 from each emitting
   transaction's commit to the start of its first attempt (as recorded in `webhook_attempts`).

Run: `.venv/bin/python bench/webhooks.py [--events N] [--workers W] [--database-url URL]`
(default: a fresh PostgreSQL database on the local server). Goals (issue 8, 2 cores, PostgreSQL):
>= 500 deliveries/s, p99 commit -> first attempt <= 250 ms at half that load.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and `webhooks` would name this file, not the package.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import multiprocessing as mp
import os
import statistics
import threading
import time
import uuid
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.http_sink import serve_ok
from hub.db.database import Database, utcnow
from hub.db.webhook_tables import webhook_attempts, webhook_deliveries
from hub.jobs.worker import Worker
from hub.secrets import SecretBox
from hub.settings import Settings
from hub.webhooks_admin import upsert_endpoint
from hub.webhooks_jobs import webhook_handlers
from hub.webhooks_store import emit_event

PG_ADMIN = os.environ.get("RAPPORT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET_KEY = "bench-secret-key"  # noqa: S105  (a throwaway key for a throwaway database)


def _worker(settings: Settings, stop: Any) -> None:
    database = Database.for_settings(settings, migrate=False)
    worker = Worker(database, webhook_handlers(database, settings), poll_seconds=settings.worker_poll_seconds)
    event = threading.Event()

    def relay() -> None:
        stop.wait()
        event.set()

    threading.Thread(target=relay, daemon=True).start()
    worker.run_forever(event)


def _fresh_postgres() -> tuple[str, Any]:
    name = f"rapport_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), drop


def _emit_batch(database: Database, count: int, batch: int = 500) -> None:
    for start in range(0, count, batch):
        with database.transaction() as conn:
            for index in range(start, min(count, start + batch)):
                data = {"customer_id": f"cus_{index}", "changed": ["email"]}
                emit_event(conn, "customer.updated", data, now=utcnow())


def _finished(database: Database) -> int:
    with database.transaction() as conn:
        query = select(func.count()).select_from(webhook_deliveries).where(webhook_deliveries.c.status != "pending")
        return int(conn.execute(query).scalar_one())


def _wait_for(database: Database, target: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while _finished(database) < target and time.monotonic() < deadline:
        time.sleep(0.05)


def _throughput(database: Database, events: int) -> float:
    _emit_batch(database, events)
    return float(events)


def _produce(database: Database, rate: float, seconds: float, commits: dict[str, float], tag: str) -> None:
    """Emit one event per transaction at `rate`/s, noting each commit's time."""
    interval, started, sent = 1.0 / rate, time.monotonic(), 0
    while time.monotonic() - started < seconds:
        if (pause := started + sent * interval - time.monotonic()) > 0:
            time.sleep(pause)
        with database.transaction() as conn:
            msg_id = emit_event(conn, "customer.created", {"customer_id": f"lat_{tag}_{sent}"}, now=utcnow())
        commits[msg_id] = time.time()
        sent += 1


def _latency_run(database: Database, rate: float, seconds: float, before: int, producers: int = 4) -> dict[str, float]:
    commits: dict[str, float] = {}
    threads = [
        threading.Thread(target=_produce, args=(database, rate / producers, seconds, commits, str(n)))
        for n in range(producers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _wait_for(database, before + len(commits))
    d, a = webhook_deliveries, webhook_attempts
    with database.transaction() as conn:
        rows = conn.execute(
            select(d.c.message_id, a.c.started_at).join(a, a.c.delivery_id == d.c.id).where(a.c.attempt == 1)
        ).all()
    delays = sorted(
        (row.started_at.timestamp() - commits[row.message_id]) * 1000 for row in rows if row.message_id in commits
    )
    return {
        "rate": len(commits) / seconds,
        "emitted": len(commits),
        "attempted": len(delays),
        "p50_ms": statistics.median(delays) if delays else float("nan"),
        "p99_ms": delays[int(0.99 * (len(delays) - 1))] if delays else float("nan"),
    }


def main() -> None:
    """Run both phases and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url, drop = (args.database_url, lambda: None) if args.database_url else _fresh_postgres()
    settings = Settings(
        database_url=url, secret_key=SECRET_KEY, webhook_allowed_networks="127.0.0.0/8", worker_poll_seconds=0.05
    )
    ctx = mp.get_context("spawn")
    ports: Any = ctx.Queue()
    receiver = ctx.Process(target=serve_ok, args=(ports,), daemon=True)
    receiver.start()
    port = ports.get(timeout=10)
    database = Database.for_settings(settings, migrate=True)
    with database.transaction() as conn:
        upsert_endpoint(
            conn,
            SecretBox.from_settings(settings),
            name="bench",
            url=f"http://127.0.0.1:{port}/hook",
            events=None,
            secret=None,
            description=None,
            enabled=True,
            now=utcnow(),
        )
    stop = ctx.Event()
    try:
        _throughput(database, args.events)
        workers = [ctx.Process(target=_worker, args=(settings, stop)) for _ in range(args.workers)]
        started = time.monotonic()
        for worker in workers:
            worker.start()
        _wait_for(database, args.events)
        elapsed = time.monotonic() - started
        rate = args.events / elapsed
        print(f"backend: {make_url(url).get_backend_name()}, workers: {args.workers}, cores: {os.cpu_count()}")
        print(f"throughput: {args.events} signed deliveries in {elapsed:.1f} s = {rate:.0f}/s (attempts persisted)")
        latency = _latency_run(database, rate / 2, args.latency_seconds, args.events)
        print(
            f"latency at {latency['rate']:.0f}/s (asked {rate / 2:.0f}/s) for {args.latency_seconds:.0f} s: "
            f"{latency['attempted']}/{latency['emitted']} attempted, commit -> first attempt "
            f"p50 {latency['p50_ms']:.0f} ms, p99 {latency['p99_ms']:.0f} ms"
        )
    finally:
        stop.set()
        time.sleep(1.5)
        for process in mp.active_children():
            process.terminate()
        database.dispose()
        drop()


if __name__ == "__main__":
    main()
