"""Workers killed mid-push to the HubSpot sandbox and mid-webhook-delivery, with an API process and three workers
on PostgreSQL: every customer lands in the CRM exactly once (upsert by link id) and every event reaches the
endpoint at least once (same webhook-id on every attempt, so the consumer can drop the repeats)."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import func, select

from adapters.hubspot.sandbox import SandboxHandle, start_in_thread
from hub.db.engine import build_engine
from hub.db.tables import jobs
from hub.db.webhook_tables import webhook_deliveries, webhook_messages
from tests.scale.processes import environment, processes, run

PEOPLE = 400
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WAIT = 150.0  # a killed worker's deliveries fall due again after the dispatcher's 60 s delivery lease


class Receiver(ThreadingHTTPServer):
    """A webhook consumer on loopback: counts each webhook-id it receives, answering slowly (work in flight)."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        time.sleep(0.5)  # slow enough that deliveries are still in flight when a worker is killed
        with self.server.lock:
            self.server.seen[self.headers["webhook-id"]] += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hubspot() -> Iterator[SandboxHandle]:
    handle = start_in_thread(window=10.0)
    yield handle
    handle.stop()


def write_setup(tmp_path: Path, hubspot: SandboxHandle, receiver: Receiver) -> Path:
    """The `rapport apply` file: the HubSpot connection (creating contacts) and one webhook endpoint."""
    default = Path(__file__).resolve().parents[2] / "mappings" / "defaults" / "hubspot_contact.yaml"
    mapping = yaml.safe_load(default.read_text())
    (tmp_path / "hs.yaml").write_text(yaml.safe_dump({**mapping, "create": True}))
    setup = {
        "connections": [{"name": "hs", "kind": "hubspot", "base_url": hubspot.base_url, "objects": ["contact"],
                         "auth": {"access_token": hubspot.access_token}, "mapping": "hs.yaml",
                         "social_history": False}],
        "webhook_endpoints": [{"name": "consumer", "url": f"http://127.0.0.1:{receiver.server_address[1]}/hook",
                               "secret": SECRET}],
    }  # fmt: skip
    path = tmp_path / "rapport.yaml"
    path.write_text(yaml.safe_dump(setup))
    return path


def write_people(tmp_path: Path) -> Path:
    path = tmp_path / "people.ndjson"
    lines = [
        f'{{"type": "social_profile", "network": "x", "id": "{k}", "name": "Person {k} Novak", '
        f'"email": "person{k}@example.com"}}\n'
        for k in range(PEOPLE)
    ]
    path.write_text("".join(lines))
    return path


class Db:
    """Reads of the shared database."""

    def __init__(self, url: str) -> None:
        self.engine = build_engine(url)

    def holder_of(self, kind: str) -> int | None:
        """The pid of the worker running a job of `kind` (worker ids are host:pid:suffix)."""
        query = select(jobs.c.lease_owner).where(jobs.c.kind == kind, jobs.c.status == "running").limit(1)
        with self.engine.connect() as conn:
            owner = conn.execute(query).scalar()
        return int(owner.split(":")[1]) if owner else None

    def messages(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(webhook_messages.c.id)).scalars())

    def undelivered(self) -> int:
        query = select(func.count()).where(webhook_deliveries.c.status != "succeeded")
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def busy_jobs(self) -> int:
        query = select(func.count()).where(jobs.c.status.in_(("queued", "running", "failed")), jobs.c.kind == "sync")
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def wait_until(condition: Any, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def contacts(hubspot: SandboxHandle) -> list[dict[str, Any]]:
    answer = httpx.get(f"{hubspot.base_url}/__sandbox__/records/contacts", timeout=10)
    answer.raise_for_status()
    return [c for c in answer.json()["results"] if not c.get("archived")]


@pytest.mark.postgres_only
def test_workers_killed_mid_push_and_mid_delivery_duplicate_and_lose_nothing(
    database_url: str, tmp_path: Path, hubspot: SandboxHandle, receiver: Receiver
) -> None:
    env = environment(database_url, job_lease_seconds="5", webhook_allowed_networks="127.0.0.0/8")
    run(env, "apply", str(write_setup(tmp_path, hubspot, receiver)))
    run(env, "ingest", str(write_people(tmp_path)))  # resolved in-process: customer.created events now queued
    key = run(env, "keys", "create", "--scope", "admin").strip().splitlines()[-1]
    back_door = httpx.Client(base_url=f"{hubspot.base_url}/__sandbox__", timeout=10)
    back_door.post("/config", json={"stall_seconds": 60}).raise_for_status()
    back_door.post("/faults", json={"fault": "stall", "count": 1, "after": 2}).raise_for_status()  # 3rd call hangs
    db = Db(database_url)
    killed: list[str] = []
    try:
        with processes(env, tmp_path) as procs:
            base = procs.api()
            workers = {p.pid: p for p in (procs.start(f"worker-{n}", "worker") for n in range(3))}
            wait_until(lambda: sum(receiver.seen.values()) > 0 and db.holder_of("webhook.deliver"), "deliveries")
            deliverer = db.holder_of("webhook.deliver")
            assert deliverer in workers
            workers[deliverer].send_signal(signal.SIGKILL)  # mid-delivery: requests in flight
            killed.append("deliverer")
            answer = httpx.post(f"{base}/v1/connections/hs/sync", json={"direction": "push"},
                                headers={"Authorization": f"Bearer {key}"})  # fmt: skip
            assert answer.status_code == 202, answer.text
            wait_until(lambda: 0 < len(contacts(hubspot)) < PEOPLE and db.holder_of("sync"), "a push in flight")
            pusher = db.holder_of("sync")
            assert pusher in workers and pusher != deliverer
            workers[pusher].send_signal(signal.SIGKILL)  # mid-push: its last batch was written, unanswered
            killed.append("pusher")
            procs.start("worker-late", "worker")  # a replacement, as an orchestrator would start
            wait_until(lambda: db.busy_jobs() == 0 and len(contacts(hubspot)) >= PEOPLE, "the push to finish")
            wait_until(lambda: db.undelivered() == 0, "every delivery to succeed")
    finally:
        back_door.close()
        db.engine.dispose()
    assert killed == ["deliverer", "pusher"]
    pushed = contacts(hubspot)
    link_ids = Counter(c["properties"].get("rapport_id") for c in pushed)
    customers = Counter(c["properties"].get("rapport_customer_id") for c in pushed)
    assert len(pushed) == PEOPLE and max(link_ids.values()) == 1 and max(customers.values()) == 1
    assert None not in link_ids and None not in customers
    emails = Counter(c["properties"].get("email") for c in pushed)
    assert len(emails) == PEOPLE  # no person twice
    assert set(receiver.seen) == Db(database_url).messages()  # every event arrived, under its own webhook-id
