"""Stats, health, metrics, the OpenAPI document, and problem+json for unknown routes and unexpected errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.db.database import Database
from hub.db.engine import build_engine
from hub.settings import Settings

Auth = Callable[[str], dict[str, str]]
INTERACTION = {"type": "interaction", "network": "x", "id": "p1", "profile_id": "100", "kind": "post"}
PROFILE = {"type": "social_profile", "network": "x", "id": "100", "handle": "ada"}


def contract_stats(client: TestClient, auth: Auth) -> dict[str, object]:
    """The contract's `/v1/stats` figures (the added `queue` object is tested in tests/scale)."""
    body = client.get("/v1/stats", headers=auth("read")).json()
    assert set(body["queue"]) == {"depth", "oldest_age_seconds", "done_last_minute", "failed_last_hour"}
    return {key: value for key, value in body.items() if key != "queue"}


def test_stats_counts_records_customers_and_jobs(client: TestClient, auth: Auth, run_jobs: Callable[[], int]) -> None:
    empty = contract_stats(client, auth)
    assert empty == {"records": 0, "customers": 0, "jobs": {}}
    client.post("/v1/records", json={"records": [PROFILE, INTERACTION]}, headers=auth("write"))
    queued = contract_stats(client, auth)
    assert queued == {
        "records": 2,
        "customers": 0,
        "jobs": {"resolve": {"queued": 1, "running": 0, "failed": 0, "dead": 0}},
    }
    run_jobs()
    done = contract_stats(client, auth)
    assert done == {"records": 2, "customers": 1, "jobs": {}}


def test_healthz_needs_no_key(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_gone(tmp_path: Path) -> None:
    unreachable = Database(build_engine(f"sqlite:///{tmp_path}/missing/dir/rapport.db"))
    app = create_app(Settings(database_url="sqlite:///unused.db"), unreachable)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        metrics = client.get("/metrics")
        assert metrics.status_code == 200
        assert "rapport_database_up 0.0" in metrics.text


def test_metrics_show_ingest_counts_latency_and_queue(client: TestClient, auth: Auth) -> None:
    batch = [PROFILE, {"type": "nope"}]
    client.post("/v1/records", json={"records": batch}, headers=auth("write"))
    text = client.get("/metrics").text
    assert 'rapport_ingest_records_total{channel="api",outcome="accepted"} 1.0' in text
    assert 'rapport_ingest_records_total{channel="api",outcome="rejected"} 1.0' in text
    assert "rapport_job_queue_depth 1.0" in text
    assert 'rapport_jobs{kind="resolve",status="queued"} 1.0' in text
    assert "rapport_job_oldest_waiting_age_seconds" in text
    assert 'route="/v1/records",status="202"' in text
    assert "rapport_database_up 1.0" in text


def test_each_app_has_its_own_registry(database_url: str, database: Database) -> None:
    first = create_app(Settings(database_url=database_url), database)
    second = create_app(Settings(database_url=database_url), database)
    first.state.rapport.metrics.count_ingest(3, 0)
    sample = 'rapport_ingest_records_total{channel="api",outcome="accepted"} 3.0'
    assert sample in first.state.rapport.metrics.render()[0].decode()
    assert sample not in second.state.rapport.metrics.render()[0].decode()


def test_openapi_document_and_docs_are_served(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "Rapport"
    assert {"/v1/records", "/v1/customers", "/v1/customers/{customer_id}", "/v1/stats"} <= set(document["paths"])
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    errors = document["paths"]["/v1/records"]["post"]["responses"]
    for status in ("401", "403", "413", "422"):
        assert list(errors[status]["content"]) == ["application/problem+json"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/nowhere", 404), ("DELETE", "/v1/stats", 405)])
def test_unknown_routes_and_methods_are_problems(client: TestClient, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status
    assert response.json()["instance"] == path


def test_unexpected_error_is_a_generic_500_logged_on_the_server(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> None:
        raise RuntimeError("secret internals")

    client.app.add_api_route("/boom", explode)  # type: ignore[attr-defined]
    with caplog.at_level(logging.ERROR, logger="rapport.api"):
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)
