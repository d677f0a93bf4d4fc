"""Fixtures for API tests: a real app on a fresh database of each backend, keys of every scope, a worker."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hub.api import create_app
from hub.db.database import Database
from hub.jobs.worker import Worker
from hub.keys import create_key
from hub.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx; the transport is what we test
    from fastapi.testclient import TestClient

MAX_RECORDS = 5


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The test's database."""
    database = Database.for_settings(Settings(database_url=database_url))
    yield database
    database.dispose()


@pytest.fixture
def client(database_url: str, database: Database) -> Iterator[TestClient]:
    """An HTTP client of an app on the test's database (a small batch limit keeps the 413 test cheap)."""
    app = create_app(Settings(database_url=database_url, api_max_records=MAX_RECORDS), database)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keys(database: Database) -> dict[str, str]:
    """A plaintext key of each scope."""
    made = {}
    with database.transaction() as conn:
        for scope in ("read", "write", "admin"):
            made[scope] = create_key(conn, scope, f"test {scope}")[1]
    return made


@pytest.fixture
def auth(keys: dict[str, str]) -> Callable[[str], dict[str, str]]:
    """`auth(scope)`: the Authorization header of a key with that scope."""
    return lambda scope: {"Authorization": f"Bearer {keys[scope]}"}


@pytest.fixture
def run_jobs(client: TestClient, database: Database) -> Callable[[], int]:
    """Run the queued resolve jobs to completion, as `rapport worker` would; returns how many ran."""
    service = client.app.state.rapport.ingest  # type: ignore[attr-defined]

    def resolve(payload: dict[str, Any]) -> None:
        service.run_resolve_job(payload)

    def run() -> int:
        return Worker(database, {"resolve": resolve}).run_until_idle()

    return run


@pytest.fixture
def ingest(
    client: TestClient, auth: Callable[[str], dict[str, str]], run_jobs: Callable[[], int]
) -> Callable[..., None]:
    """POST records through the API and resolve them."""

    def post(*records: dict[str, Any]) -> None:
        for start in range(0, len(records), MAX_RECORDS):
            chunk = list(records[start : start + MAX_RECORDS])
            response = client.post("/v1/records", json={"records": chunk}, headers=auth("write"))
            assert response.status_code == 202, response.text
        run_jobs()

    return post
