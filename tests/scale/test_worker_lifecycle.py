"""Leases renewed while a job runs, jobs given back at shutdown, workers woken by new work, shared sync keys."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from hub.db.database import Database, utcnow
from hub.db.tables import jobs
from hub.jobs import queue
from hub.jobs.notify import notify_new_work, waker_for
from hub.jobs.scheduler import PeriodicJob, Scheduler
from hub.jobs.worker import Worker
from tests.scale.conftest import enqueue, job_row

WAIT = 30.0  # generous bound for "eventually"; tests never assert durations


class Gate:
    """A handler that blocks until released, and tells when it started."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, _payload: dict[str, Any]) -> None:
        self.started.set()
        assert self.release.wait(WAIT)


def start(worker: Worker) -> threading.Thread:
    thread = threading.Thread(target=worker.run_once, daemon=True)
    thread.start()
    return thread


def test_a_running_job_keeps_its_lease_past_the_lease_length(database: Database) -> None:
    gate = Gate()
    job_id = enqueue(database)
    worker = Worker(database, {"noop": gate}, lease_seconds=1, worker_id="slow")
    thread = start(worker)
    assert gate.started.wait(WAIT)
    first_expiry = job_row(database, job_id).lease_expires_at
    other = Worker(database, {"noop": gate}, lease_seconds=1, worker_id="other")
    renewed = threading.Event()
    while not renewed.wait(0.1):  # the heartbeat moves the expiry forward while the handler still runs
        renewed.set() if job_row(database, job_id).lease_expires_at > first_expiry else None
    assert other.run_once() is False  # the job is running under a live lease: nobody else may claim it
    gate.release.set()
    thread.join(WAIT)
    row = job_row(database, job_id)
    assert (row.status, row.attempts, row.lease_owner) == ("done", 1, None)


def test_release_current_gives_the_job_back_untried(database: Database) -> None:
    gate = Gate()
    job_id = enqueue(database)
    worker = Worker(database, {"noop": gate}, worker_id="stopping")
    thread = start(worker)
    assert gate.started.wait(WAIT)
    assert worker.release_current() is True
    row = job_row(database, job_id)
    assert (row.status, row.attempts, row.lease_owner) == ("queued", 0, None)
    gate.release.set()
    thread.join(WAIT)
    assert job_row(database, job_id).status == "queued"  # the late finish does not overwrite the release
    assert Worker(database, {"noop": lambda _p: None}).run_until_idle() == 1
    assert job_row(database, job_id).status == "done"


def test_release_current_without_a_job_is_false(database: Database) -> None:
    assert Worker(database, {}).release_current() is False


def test_an_idle_worker_wakes_when_work_is_queued(database: Database) -> None:
    waker = waker_for(database)
    stop, woke = threading.Event(), threading.Event()
    waker.wait(0.05, stop)  # first wait starts listening (PostgreSQL) or reads the version (SQLite)

    def sleep() -> None:
        waker.wait(3600, stop)
        woke.set()

    thread = threading.Thread(target=sleep, daemon=True)
    thread.start()
    try:
        while not woke.is_set():  # repeated until seen: a notification sent before LISTEN ran is not replayed
            enqueue(database)
            woke.wait(0.5)
        assert woke.is_set()
    finally:
        stop.set()
        thread.join(WAIT)
        waker.close()


def test_notify_is_sent_only_when_the_transaction_commits(database: Database) -> None:
    with database.transaction() as conn:
        notify_new_work(conn)  # no error on either backend; a no-op on SQLite
    assert Worker(database, {}).run_once() is False


def test_a_worker_stopped_while_idle_returns_promptly(database: Database) -> None:
    worker = Worker(database, {"noop": lambda _p: None}, poll_seconds=3600, waker=waker_for(database))
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), daemon=True)
    thread.start()
    enqueue(database)
    stop.set()
    thread.join(WAIT)
    assert not thread.is_alive()


def test_scheduled_and_requested_syncs_of_one_connection_share_a_key(database: Database) -> None:
    requested = enqueue(database, "sync", {"connection": "sf"}, concurrency_key="sync:sf")  # as the API does
    scheduler = Scheduler(database, [], "leader")
    scheduler.renew_lease()
    periodic = PeriodicJob("sync:sf", "sync", {"connection": "sf", "direction": "both"}, every=60)
    assert periodic.concurrency_key == "sync:sf"
    assert scheduler.fire(periodic) is False  # a run is already waiting for this connection
    with database.transaction() as conn:
        job = queue.claim(conn, "w1", now=utcnow(), lease_seconds=60)
    assert job is not None and job.id == requested
    assert scheduler.fire(periodic) is True
    with database.transaction() as conn:
        assert queue.claim(conn, "w2", now=utcnow(), lease_seconds=60) is None  # one sync per connection at once
        keys = conn.execute(select(jobs.c.concurrency_key).where(jobs.c.kind == "sync")).scalars().all()
    assert keys == ["sync:sf", "sync:sf"]
    assert PeriodicJob("maintenance", "maintenance", every=3600).concurrency_key == "periodic:maintenance"


def test_a_scheduler_that_lost_its_lease_does_not_fire_on_a_stale_belief(database: Database) -> None:
    from datetime import timedelta

    from hub.jobs import leases

    stale, fresh = Scheduler(database, [], "stale", lease_seconds=30), Scheduler(database, [], "fresh")
    assert stale.renew_lease() is True
    with database.transaction() as conn:  # the stale leader paused past its lease; another process took over
        later = utcnow() + timedelta(seconds=31)
        assert leases.acquire(conn, "scheduler", "fresh", ttl_seconds=30, now=later)
    periodic = PeriodicJob("sync:sf", "sync", {"connection": "sf"}, every=60)
    assert stale.is_leader is True  # it has not renewed yet
    assert stale.fire(periodic) is False
    assert stale.is_leader is False
    assert fresh.renew_lease() is True and fresh.fire(periodic) is True
