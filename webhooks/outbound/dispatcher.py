"""The delivery loop: claim due deliveries from a store, send them concurrently, record each attempt.

The store (a port; the hub implements it on its database) is the queue: a claimed delivery's next attempt
time moves past a lease, so a delivery whose worker dies is simply due again later and is re-sent with the
same webhook-id. What happens after an attempt (retry when, give up, disable the endpoint) is decided here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from webhooks.outbound.schedule import next_attempt_at
from webhooks.outbound.sender import AttemptResult
from webhooks.outbound.signing import webhook_headers

DISABLE_AFTER = timedelta(days=5)
LEASE_SECONDS = 60  # longer than the 15 s timeout, with room for a slow store


@dataclass(frozen=True, slots=True)
class DeliveryTask:
    """One claimed delivery: what to send where, with the endpoint's active secrets (decrypted)."""

    delivery_id: int
    msg_id: str
    endpoint_id: str
    url: str
    body: str
    secrets: tuple[str, ...]
    attempt: int
    failing_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """An attempt and its consequence: retry at `next_attempt_at`, done, or give up (and maybe disable)."""

    task: DeliveryTask
    started_at: datetime
    result: AttemptResult
    next_attempt_at: datetime | None
    disable_reason: str | None = None


class DeliveryStore(Protocol):
    """Where deliveries wait and attempts are written."""

    def claim_due(self, now: datetime, limit: int, lease_seconds: int) -> list[DeliveryTask]:
        """Up to `limit` due deliveries, each leased (not due again) for `lease_seconds`."""
        ...

    def record(self, records: Sequence[AttemptRecord], now: datetime) -> None:
        """Persist attempts and their consequences in one unit of work."""
        ...


class Sender(Protocol):
    """Sends one attempt (see `webhooks.outbound.sender.HttpSender`)."""

    def send(self, url: str, headers: dict[str, str], body: bytes) -> AttemptResult:
        """POST and report; never raises for network or HTTP errors."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


def decide(task: DeliveryTask, started_at: datetime, result: AttemptResult, now: datetime) -> AttemptRecord:
    """What follows an attempt: success; 410 disables at once; otherwise retry on schedule, or give up.

    An endpoint that has seen nothing but failures for five days is disabled too.
    """
    if result.succeeded:
        return AttemptRecord(task, started_at, result, None)
    if result.status_code == 410:
        return AttemptRecord(task, started_at, result, None, "the endpoint answered 410 Gone")
    failing_since = task.failing_since or started_at
    if now - failing_since >= DISABLE_AFTER:
        return AttemptRecord(task, started_at, result, None, "every delivery failed for 5 days")
    throttled = result.status_code == 429 or result.timed_out
    retry = next_attempt_at(task.attempt, now, throttled=throttled, retry_after=result.retry_after)
    return AttemptRecord(task, started_at, result, retry)


class Dispatcher:
    """Works through due deliveries: the calling thread claims and records, a pool of threads sends."""

    def __init__(
        self,
        store: DeliveryStore,
        sender: Sender,
        *,
        concurrency: int = 16,
        lease_seconds: int = LEASE_SECONDS,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.store = store
        self.sender = sender
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.clock = clock
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook-send")

    def attempt(self, task: DeliveryTask) -> AttemptRecord:
        """Sign afresh and send one attempt, then decide what follows."""
        started = self.clock()
        headers = webhook_headers(task.msg_id, started, task.body, task.secrets)
        result = self.sender.send(task.url, headers, task.body.encode())
        return decide(task, started, result, self.clock())

    def _submit(self, task: DeliveryTask) -> Future[AttemptRecord]:
        return self._pool.submit(self.attempt, task)

    def deliver_due(self, *, budget: float = 5.0, linger: float = 0.0, poll: float = 0.02) -> int:
        """Deliver until nothing is due (after waiting `linger` s for more) or `budget` s have passed.

        Attempts in flight are always finished and recorded before returning; returns how many were made.
        """
        session = _Session(self, budget)
        idle_since = session.start
        while True:
            now = time.monotonic()
            claimed = session.claim(now)
            if claimed:
                idle_since = now
            session.collect(poll)
            session.flush()
            if session.in_flight or session.finished or claimed:
                continue
            over = now - session.start >= budget
            if claimed is None and not over:
                continue  # there was no room to claim this round; look again
            if over or now - idle_since >= linger:
                return session.made
            time.sleep(poll)

    def close(self) -> None:
        """Stop the sending threads and close connections."""
        self._pool.shutdown(wait=True)
        self.sender.close()


class _Session:
    """One `deliver_due` run: attempts in flight, and finished ones waiting to be recorded together."""

    RECORD_DELAY = 0.05  # seconds a finished attempt may wait for others, so one commit records many

    def __init__(self, dispatcher: Dispatcher, budget: float) -> None:
        self.dispatcher = dispatcher
        self.budget = budget
        self.start = time.monotonic()
        self.in_flight: dict[Future[AttemptRecord], DeliveryTask] = {}
        self.finished: list[AttemptRecord] = []
        self.first_finished = 0.0
        self.made = 0
        self.batch = max(1, dispatcher.concurrency // 4)  # claim and record in batches, not row by row

    def claim(self, now: float) -> bool | None:
        """Claim more work when there is room for a batch: True when some was claimed, None when not tried."""
        free = self.dispatcher.concurrency - len(self.in_flight)
        if now - self.start >= self.budget or (free < self.batch and self.in_flight):
            return None
        d = self.dispatcher
        tasks = d.store.claim_due(d.clock(), free, d.lease_seconds)
        self.in_flight.update({d._submit(task): task for task in tasks})
        return bool(tasks)

    def collect(self, poll: float) -> None:
        """Move finished attempts out of flight (waiting up to `poll` s for the first)."""
        if not self.in_flight:
            return
        done, _ = wait(list(self.in_flight), timeout=poll, return_when=FIRST_COMPLETED)
        for future in done:
            self.finished.append(future.result())
            del self.in_flight[future]
        if self.finished and not self.first_finished:
            self.first_finished = time.monotonic()

    def flush(self) -> None:
        """Record finished attempts when a batch is ready, the oldest has waited enough, or nothing flies."""
        if not self.finished:
            return
        waited = time.monotonic() - self.first_finished
        if self.in_flight and len(self.finished) < self.batch and waited < self.RECORD_DELAY:
            return
        self.dispatcher.store.record(self.finished, self.dispatcher.clock())
        self.made += len(self.finished)
        self.finished, self.first_finished = [], 0.0
