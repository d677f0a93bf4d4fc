"""The sync engine end to end on the in-memory CRM: pull, resolve, push, echo suppression, conflicts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hub.db.tables import audit_events
from hub.export import iter_customers
from hub.ingest.records import parse_record
from hub.ingest.service import IngestReport
from hub.runtime import Runtime
from hub.sync.apply import apply_file
from tests.sync.conftest import MemoryCrms

APPLY = """
connections:
  - name: crm
    kind: hubspot
    base_url: http://memory.invalid
    auth: {access_token: not-a-real-token}
"""


def _apply(runtime: Runtime, crms: MemoryCrms, tmp_path: Path, text: str = APPLY) -> None:
    path = tmp_path / "rapport.yaml"
    path.write_text(text, encoding="utf-8")
    apply_file(path, runtime.database, runtime.secret_box(), crms.factory)


def _ingest(runtime: Runtime, *records: dict[str, object]) -> None:
    report = IngestReport()
    runtime.ingest.ingest([parse_record(r) for r in records], report, inline=True)


PROFILE = {"type": "social_profile", "network": "instagram", "id": "ig1", "handle": "minsu.kim", "name": "김민수",
           "email": "Minsu.Kim@example.com", "followers": 120}  # fmt: skip
POST = {"type": "interaction", "network": "instagram", "id": "p1", "profile_id": "ig1", "kind": "post",
        "text": "hello", "created_at": "2026-10-01T10:00:00Z"}  # fmt: skip


def test_pull_links_pushes_enrichment_and_history(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crm = crms.system("crm")
    contact_id = crm.create({"firstname": "Minsu", "lastname": "Kim", "email": "minsu.kim@example.com"})
    crm.create({"firstname": "Ana", "lastname": "Novak", "email": "ana@example.si"})
    _apply(runtime, crms, tmp_path)
    _ingest(runtime, PROFILE, POST)

    summary = runtime.sync.run("crm")

    assert summary["pulled"] == 2
    assert summary["rejected"] == 0
    record = crm.records[contact_id]
    assert record["rapport_id"].startswith("lnk_")
    assert record["rapport_customer_id"].startswith("cus_")
    assert "minsu.kim" in record["rapport_social_handles"]
    assert summary["interactions_written"] == 1
    assert len(crm.records) == 2  # nothing created: create is false by default
    with runtime.database.transaction() as conn:
        people = list(iter_customers(conn))
    minsu = next(c for c in people if c["email"] == "minsu.kim@example.com")
    assert {r["source"] for r in minsu["records"]} == {"instagram", "crm"}


def test_second_identical_sync_writes_nothing(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crms.system("crm").create({"firstname": "Minsu", "lastname": "Kim", "email": "minsu.kim@example.com"})
    _apply(runtime, crms, tmp_path)
    _ingest(runtime, PROFILE, POST)
    runtime.sync.run("crm")
    calls_before = crms.system("crm").calls

    again = runtime.sync.run("crm")

    assert (again["created"], again["updated"], again["rejected"], again["interactions_written"]) == (0, 0, 0, 0)
    assert crms.system("crm").calls - calls_before <= 5  # check, describe, one empty change page


def test_crm_edit_flows_into_the_hub_with_a_decision(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crm = crms.system("crm")
    contact_id = crm.create({"firstname": "Minsu", "lastname": "Kim", "email": "minsu.kim@example.com"})
    _apply(runtime, crms, tmp_path)
    runtime.sync.run("crm")

    crm.edit(contact_id, {"phone": "+82 10 2345 6789", "city": "Seoul"})
    summary = runtime.sync.run("crm")

    assert summary["pulled"] == 1
    with runtime.database.transaction() as conn:
        customer = next(iter(iter_customers(conn)))
        decisions = conn.execute(select(audit_events.c.detail).where(audit_events.c.kind == "field.decision")).all()
    assert customer["phone"] == "+821023456789"
    assert customer["city"] == "Seoul"
    assert decisions  # the pull of the phone and city is explained
    again = runtime.sync.run("crm")
    assert (again["updated"], again["created"]) == (0, 0)  # our own echo is not written back


def test_dry_run_writes_nothing(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crm = crms.system("crm")
    crm.create({"firstname": "Minsu", "lastname": "Kim", "email": "minsu.kim@example.com"})
    _apply(runtime, crms, tmp_path)
    _ingest(runtime, PROFILE)
    snapshot = {k: dict(v) for k, v in crm.records.items()}

    summary = runtime.sync.run("crm", dry_run=True)

    assert summary["dry_run"] is True
    assert summary["pulled"] == 1
    assert {k: dict(v) for k, v in crm.records.items()} == snapshot
    with runtime.database.transaction() as conn:
        sources = {r["source"] for c in iter_customers(conn) for r in c["records"]}
    assert sources == {"instagram"}
