"""Connections, mappings, sync and runs through the real HTTP API (memory CRM behind the connection)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.db.database import utcnow
from hub.keys import create_key
from hub.runtime import Runtime
from hub.sync.apply import apply_file
from tests.sync.conftest import MemoryCrms

APPLY = """
connections:
  - name: crm
    kind: hubspot
    base_url: http://memory.invalid
    auth: {access_token: very-secret-token}
"""
GOOD = "object: contact\nfields:\n  - {target: firstname, source: first_name, conflict: fill_empty}\n"
BAD = "object: contact\nfields:\n  - {target: firstname, source: first_name}\n  - {target: nope__c, source: email}\n"


def _client(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> tuple[TestClient, dict[str, str]]:
    path = tmp_path / "rapport.yaml"
    path.write_text(APPLY, encoding="utf-8")
    apply_file(path, runtime.database, runtime.secret_box(), crms.factory)
    with runtime.database.transaction() as conn:
        _info, key = create_key(conn, scope="admin", name="t", now=utcnow())
    client = TestClient(create_app(runtime.settings, runtime=runtime))
    return client, {"Authorization": f"Bearer {key}"}


def test_connections_never_show_credentials(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    client, auth = _client(runtime, crms, tmp_path)
    listing = client.get("/v1/connections", headers=auth)
    assert listing.status_code == 200
    assert listing.json()["data"][0]["name"] == "crm"
    assert "very-secret-token" not in listing.text
    assert "very-secret-token" not in client.get("/v1/connections/crm", headers=auth).text


def test_put_mapping_refuses_with_every_problem_and_saves_nothing(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    client, auth = _client(runtime, crms, tmp_path)
    before = client.get("/v1/connections/crm/mappings", headers=auth).json()["versions"]
    refused = client.put("/v1/connections/crm/mappings", headers=auth, content=BAD)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problems = refused.json()["problems"]
    assert any(p["field"] == "nope__c" and p["line"] == 4 for p in problems)
    assert client.get("/v1/connections/crm/mappings", headers=auth).json()["versions"] == before
    valid = client.post("/v1/connections/crm/mappings/validate", headers=auth, content=BAD).json()
    assert valid["valid"] is False
    saved = client.put("/v1/connections/crm/mappings", headers=auth, content=GOOD)
    assert saved.status_code == 200
    assert saved.json()["changed"] is True


def test_sync_dry_run_runs_and_real_sync_is_queued(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crms.system("crm").create({"firstname": "Ana", "lastname": "Novak", "email": "ana@example.si"})
    client, auth = _client(runtime, crms, tmp_path)
    dry = client.post("/v1/connections/crm/sync", headers=auth, json={"dry_run": True})
    assert dry.status_code == 202
    assert dry.json()["pulled"] == 1
    queued = client.post("/v1/connections/crm/sync", headers=auth, json={"direction": "pull"})
    assert queued.json()["status"] == "queued"
    runtime.worker().run_until_idle()
    runs = client.get("/v1/sync-runs", headers=auth).json()["data"]
    assert runs[0]["summary"]["pulled"] == 1
    errors = client.get(f"/v1/sync-runs/{runs[0]['id']}/errors", headers=auth)
    assert errors.status_code == 200
    assert client.get("/v1/sync-runs/999999", headers=auth).status_code == 404


def test_preview_shows_the_payload_and_history_is_served(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crms.system("crm").create({"firstname": "Ana", "lastname": "Novak", "email": "ana@example.si"})
    client, auth = _client(runtime, crms, tmp_path)
    runtime.sync.run("crm")
    customer = client.get("/v1/customers", headers=auth).json()["data"][0]
    shown = client.post("/v1/connections/crm/mappings/preview", headers=auth, json={"customer_id": customer["id"]})
    assert shown.status_code == 200
    record = shown.json()["records"][0]
    assert record["crm_id"]
    assert any(d["field"] == "email" for d in record["diffs"])
    history = client.get(f"/v1/customers/{customer['id']}/history", headers=auth)
    assert history.status_code == 200
