"""Back-pressure: past the configured queue depth the API answers 429 with Retry-After and stores nothing;
`/v1/stats` and `/metrics` show the queue's depth, oldest age, throughput and failures."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from hub.api import create_app
from hub.db.database import Database, utcnow
from hub.jobs import queue
from hub.jobs.worker import Worker
from hub.keys import create_key
from hub.settings import Settings
from tests.scale.conftest import enqueue

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

DEPTH = 3
PROFILE = {"type": "social_profile", "network": "x", "id": "100", "handle": "ada"}


@pytest.fixture
def client(database_url: str, database: Database) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url,
        max_queue_depth=DEPTH,
        backpressure_check_seconds=0,
        backpressure_retry_after_seconds=7,
    )
    with TestClient(create_app(settings, database), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def headers(database: Database) -> dict[str, str]:
    with database.transaction() as conn:
        return {"Authorization": f"Bearer {create_key(conn, 'admin', 'scale')[1]}"}


def post(client: TestClient, headers: dict[str, str], record_id: str) -> int:
    body = {"records": [{**PROFILE, "id": record_id}]}
    return client.post("/v1/records", json=body, headers=headers).status_code


def test_past_the_configured_depth_records_are_refused_with_retry_after(
    client: TestClient, headers: dict[str, str], database: Database
) -> None:
    for n in range(DEPTH + 1):
        assert post(client, headers, str(n)) == 202  # each queues one resolve job
    response = client.post("/v1/records", json={"records": [{**PROFILE, "id": "late"}]}, headers=headers)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "jobs are waiting" in response.json()["detail"]
    stats = client.get("/v1/stats", headers=headers).json()
    assert stats["records"] == DEPTH + 1  # the refused batch stored nothing
    assert stats["queue"]["depth"] == DEPTH + 1
    assert "rapport_api_overloaded_total 1.0" in client.get("/metrics").text
    Worker(database, {"resolve": client.app.state.rapport.ingest.run_resolve_job}).run_until_idle()  # type: ignore[attr-defined]
    assert post(client, headers, "late") == 202  # drained: accepted again


def test_a_queue_exactly_at_the_limit_still_accepts(client: TestClient, headers: dict[str, str]) -> None:
    for n in range(DEPTH):
        assert post(client, headers, str(n)) == 202
    assert post(client, headers, "at-limit") == 202  # DEPTH waited: not past the limit
    assert post(client, headers, "over") == 429  # DEPTH + 1 waited


def test_stats_and_metrics_show_depth_age_throughput_and_failures(
    client: TestClient, headers: dict[str, str], database: Database
) -> None:
    for _ in range(2):
        enqueue(database, "ok")
    enqueue(database, "bad", max_attempts=1)
    waiting = client.get("/v1/stats", headers=headers).json()["queue"]
    assert waiting["depth"] == 3 and waiting["oldest_age_seconds"] >= 0

    def bad(_payload: object) -> None:
        raise RuntimeError("boom")

    Worker(database, {"ok": lambda _p: None, "bad": bad}).run_until_idle()
    figures = client.get("/v1/stats", headers=headers).json()["queue"]
    assert figures == {"depth": 0, "oldest_age_seconds": 0.0, "done_last_minute": 2, "failed_last_hour": 1}
    text = client.get("/metrics").text
    for line in (
        "rapport_job_queue_depth 0.0",
        "rapport_jobs_done_last_minute 2.0",
        "rapport_jobs_failed_last_hour 1.0",
        'rapport_jobs{kind="bad",status="dead"} 1.0',
    ):
        assert line in text


def test_depth_exceeds_counts_at_most_one_past_the_limit(database: Database) -> None:
    for _ in range(5):
        enqueue(database)
    with database.transaction() as conn:
        assert queue.depth_exceeds(conn, 4) is True
        assert queue.depth_exceeds(conn, 5) is False
        job = queue.claim(conn, "w", now=utcnow(), lease_seconds=60)
    assert job is not None
    with database.transaction() as conn:
        assert queue.depth_exceeds(conn, 4) is False  # a running job no longer waits
