"""A worker: claims due jobs, runs their handler, and records success, a retry, or death.

The claim and the outcome are separate short transactions; the handler opens its own. While a handler runs, a
heartbeat extends the job's lease every third of its length, so a long sync is never claimed twice while its
worker lives; one killed outright stops renewing, its lease expires, and the job is claimed again (handlers are
idempotent). A worker stopped with SIGTERM finishes the job in hand and exits; one that cannot finish in its
grace period gives the job back (`release_current`). Idle workers sleep in a `Waker`, which ends the sleep as
soon as work is queued (LISTEN/NOTIFY on PostgreSQL).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from hub.db.database import Database, utcnow
from hub.jobs import queue
from hub.jobs.notify import PollWaker, Waker
from hub.logging import redact

log = logging.getLogger("rapport.worker")
Handler = Callable[[dict[str, Any]], None]


class PermanentJobError(Exception):
    """A job that can never succeed (bad payload, missing configuration): it goes straight to `dead`."""


def new_worker_id() -> str:
    """A worker id naming the machine and process, unique per start."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs jobs of the kinds it has handlers for."""

    def __init__(
        self,
        database: Database,
        handlers: Mapping[str, Handler],
        *,
        lease_seconds: int = 300,
        poll_seconds: float = 0.5,
        worker_id: str | None = None,
        waker: Waker | None = None,
    ) -> None:
        self.database = database
        self.handlers = dict(handlers)
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.worker_id = worker_id or new_worker_id()
        self.waker = waker or PollWaker()
        self.processed = 0
        self.current: queue.Job | None = None
        self._current_lock = threading.Lock()

    def run_once(self) -> bool:
        """Claim and run one due job; False when none was due."""
        with self.database.transaction() as conn:
            job = queue.claim(
                conn,
                self.worker_id,
                now=utcnow(),
                lease_seconds=self.lease_seconds,
                kinds=list(self.handlers),
            )
        if job is None:
            return False
        with self._current_lock:
            self.current = job
        try:
            self._run(job)
        finally:
            with self._current_lock:
                self.current = None
        self.processed += 1
        return True

    def _run(self, job: queue.Job) -> None:
        beat = threading.Event()
        heart = threading.Thread(target=self._heartbeat, args=(job, beat), name="rapport-lease", daemon=True)
        heart.start()
        try:
            self.handlers[job.kind](job.payload)
        except PermanentJobError as exc:
            self._record_failure(job, exc, permanent=True)
        except Exception as exc:
            self._record_failure(job, exc, permanent=False)
        else:
            with self.database.transaction() as conn:
                queue.complete(conn, job, self.worker_id, now=utcnow())
        finally:
            beat.set()

    def _heartbeat(self, job: queue.Job, done: threading.Event) -> None:
        """Extend the lease of `job` every third of its length until `done` is set."""
        while not done.wait(self.lease_seconds / 3):
            try:
                with self.database.transaction() as conn:
                    kept = queue.extend_lease(conn, job, self.worker_id, now=utcnow(), lease_seconds=self.lease_seconds)
            except Exception:
                log.exception("could not extend a job lease; retrying", extra={"job_id": job.id})
                continue
            if not kept:
                log.warning("job lease lost to another worker", extra={"job_id": job.id, "kind": job.kind})
                return

    def release_current(self) -> bool:
        """Give the job in hand back to the queue untried (shutdown that cannot wait); False when none."""
        with self._current_lock:
            job = self.current
        if job is None:
            return False
        with self.database.transaction() as conn:
            released = queue.release(conn, job, self.worker_id, now=utcnow())
        log.warning("job released at shutdown", extra={"job_id": job.id, "kind": job.kind})
        return released

    def _record_failure(self, job: queue.Job, exc: Exception, *, permanent: bool) -> None:
        error = redact(f"{type(exc).__name__}: {exc}")
        with self.database.transaction() as conn:
            status = queue.fail(conn, job, self.worker_id, error, now=utcnow(), permanent=permanent)
        log.warning("job failed", extra={"job_id": job.id, "kind": job.kind, "status": status, "error": error})

    def run_until_idle(self, max_jobs: int | None = None) -> int:
        """Run due jobs until none is left (or `max_jobs` ran); returns how many ran."""
        ran = 0
        while (max_jobs is None or ran < max_jobs) and self.run_once():
            ran += 1
        return ran

    def run_forever(self, stop: threading.Event) -> None:
        """Run jobs until `stop` is set; the job in hand is always finished first."""
        log.info("worker started", extra={"worker_id": self.worker_id})
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                log.exception("worker loop error; retrying shortly")
                busy = False
            if not busy:
                self.waker.wait(self.poll_seconds, stop)
        self.waker.close()
        log.info("worker stopped", extra={"worker_id": self.worker_id, "processed": self.processed})
