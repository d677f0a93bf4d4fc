"""Schemathesis against the OpenAPI document: every operation, with generated valid and invalid inputs and an
admin key, must answer without a server error, with a status the document declares (problem+json on errors)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from hub.api import create_app
from hub.db.database import Database
from hub.keys import create_key
from hub.settings import Settings


@pytest.fixture(scope="module")
def admin_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    path = Path(tmp_path_factory.mktemp("schemathesis")) / "rapport.db"
    config = Settings(database_url=f"sqlite:///{path}", secret_key="schemathesis-key")
    database = Database.for_settings(config)
    with database.transaction() as conn:
        key = create_key(conn, "admin", "schemathesis")[1]
    yield create_app(config, database), key
    database.dispose()


HUGE = 2**70


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/v1/sync-runs/{HUGE}"),
        ("GET", f"/v1/sync-runs/{HUGE}/errors"),
        ("GET", f"/v1/webhook-deliveries/{HUGE}"),
        ("POST", f"/v1/review/{HUGE}/accept"),
    ],
)
def test_huge_integer_ids_are_refused_without_a_server_error(
    admin_app: tuple[FastAPI, str], method: str, path: str
) -> None:
    app, key = admin_app
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.request(method, path, headers={"Authorization": f"Bearer {key}"}).status_code < 500


def operations(app: FastAPI) -> list[schemathesis.APIOperation]:
    """Every operation of the app's OpenAPI document."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_no_operation_answers_with_a_server_error(admin_app: tuple[FastAPI, str]) -> None:
    app, key = admin_app
    failures: list[str] = []
    for operation in operations(app):

        @settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            try:
                response = case.call(headers={"Authorization": f"Bearer {key}"})
            except Exception as exc:  # raised through the in-process transport: a 500 for a real client
                failures.append(f"{case.method} {case.formatted_path}: {type(exc).__name__}: {exc}")
                return
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}")

        check()
    assert failures == []
