"""Erasure: personal data leaves the hub at once; the CRM records are deleted by a queued job."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hub.api.app import create_app
from hub.db.database import utcnow
from hub.db.tables import audit_events, interactions, source_records
from hub.ingest.records import parse_record
from hub.ingest.service import IngestReport
from hub.keys import create_key
from hub.runtime import Runtime
from hub.sync.apply import apply_file
from tests.sync.conftest import MemoryCrms

APPLY = "connections:\n  - {name: crm, kind: hubspot, base_url: http://memory.invalid, auth: {access_token: t}}\n"


def test_erasure_removes_personal_data_and_deletes_crm_records(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    crm.create({"firstname": "Ana", "lastname": "Novak", "email": "ana@example.si"})
    other = crm.create({"firstname": "Bo", "lastname": "Li", "email": "bo@example.cn"})
    (tmp_path / "a.yaml").write_text(APPLY, encoding="utf-8")
    apply_file(tmp_path / "a.yaml", runtime.database, runtime.secret_box(), crms.factory)
    records = [
        {"type": "social_profile", "network": "instagram", "id": "ig9", "handle": "ana.k", "email": "ANA@example.si"},
        {"type": "interaction", "network": "instagram", "id": "p9", "profile_id": "ig9", "text": "private words"},
    ]
    runtime.ingest.ingest([parse_record(r) for r in records], IngestReport(), inline=True)
    runtime.sync.run("crm")
    with runtime.database.transaction() as conn:
        _info, key = create_key(conn, scope="admin", name="t", now=utcnow())
    client = TestClient(create_app(runtime.settings, runtime=runtime))
    auth = {"Authorization": f"Bearer {key}"}
    ana = client.get("/v1/customers", params={"email": "ana@example.si"}, headers=auth).json()["data"][0]

    answer = client.delete(f"/v1/customers/{ana['id']}", headers=auth)
    runtime.worker().run_until_idle()

    assert answer.status_code == 202
    assert answer.json()["removed"]["records"] == 2
    assert client.get(f"/v1/customers/{ana['id']}", headers=auth).status_code == 404
    with runtime.database.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(interactions)).scalar_one() == 0
        keys = set(conn.execute(select(source_records.c.record_key)).scalars())
        detail = conn.execute(select(audit_events.c.detail).where(audit_events.c.kind == "customer.deleted")).scalar()
    assert all("ig9" not in k for k in keys)
    assert "ana" not in str(detail).lower()
    assert list(crm.records) == [other]  # Ana's CRM record is gone, Bo's stays
    assert client.delete(f"/v1/customers/{ana['id']}", headers=auth).status_code == 404
