"""Runs that stop (killed, rate limited) resume without loss or duplicates; record-level errors are counted,
stored and retried; `create: true` creates only what its filter allows, once."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adapters.base import Adapter
from hub.db.sync_tables import crm_records, sync_errors, sync_runs
from hub.db.tables import source_records
from hub.runtime import Runtime
from tests.sync.conftest import MemoryCrms
from tests.sync.sync_helpers import (
    Killed,
    WrappedAdapter,
    apply,
    count,
    cursor,
    ingest,
    mapping_text,
    people,
    person,
    use_adapters,
)

CREATE = mapping_text(
    "{target: email, source: email, conflict: fill_empty}",
    "{target: firstname, source: first_name, conflict: fill_empty}",
    "{target: rapport_social_handles, source: handles, direction: push, transforms: [social_handles]}",
    create=True,
    filter="email is not null",
)


def _profile(i: int, email: bool = True) -> dict[str, object]:
    record: dict[str, object] = {"type": "social_profile", "network": "instagram", "id": f"ig{i}",
                                 "handle": f"person.{i}", "name": f"Person {i}"}  # fmt: skip
    if email:
        record["email"] = f"person{i}@example.com"
    return record


def _seed_crm(crms: MemoryCrms, n: int) -> list[str]:
    return [crms.system("crm").create({"firstname": f"C{i}", "email": f"c{i}@example.com"}) for i in range(n)]


def test_a_run_killed_after_its_first_page_is_finished_by_the_next(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    ids = _seed_crm(crms, 5)
    apply(runtime, crms, tmp_path)
    use_adapters(runtime, crms, page_size=2, die_after_pages=1)

    with pytest.raises(Killed):
        runtime.sync.run("crm", "pull")

    assert count(runtime, source_records) == 2  # the first page was committed with its cursor
    first_cursor = cursor(runtime, "crm")
    assert first_cursor is not None
    use_adapters(runtime, crms, page_size=2)
    summary = runtime.sync.run("crm")

    assert summary["status"] == "succeeded"
    assert summary["pulled"] == 3  # only what the killed run had not stored
    assert count(runtime, source_records) == 5
    assert count(runtime, crm_records) == 5
    with runtime.database.transaction() as conn:
        linked = sorted(conn.execute(select(crm_records.c.crm_id)).scalars())
    assert linked == sorted(ids)
    assert int(cursor(runtime, "crm") or 0) > int(first_cursor)
    assert len(people(runtime)) == 5
    assert all(r["rapport_id"].startswith("lnk_") for r in crms.system("crm").records.values())


@pytest.mark.parametrize("applied", [False, True], ids=["before-the-crm-applied", "after-the-crm-applied"])
def test_a_push_killed_mid_batch_creates_no_duplicate_on_rerun(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path, applied: bool
) -> None:
    crm = crms.system("crm")
    apply(runtime, crms, tmp_path, mapping=CREATE)
    ingest(runtime, *[_profile(i) for i in range(3)])
    use_adapters(runtime, crms, die_on_write=1, die_after_write=applied)

    with pytest.raises(Killed):
        runtime.sync.run("crm")
    assert len(crm.records) == (3 if applied else 0)

    use_adapters(runtime, crms)
    summary = runtime.sync.run("crm")
    again = runtime.sync.run("crm")

    assert len(crm.records) == 3
    assert sorted(r["email"] for r in crm.records.values()) == [f"person{i}@example.com" for i in range(3)]
    assert summary["status"] == "succeeded" and summary["rejected"] == 0
    assert (again["created"], again["updated"]) == (0, 0)
    assert count(runtime, crm_records) == 3
    assert len(people(runtime)) == 3  # the pulled-back records joined their customers
    for record in crm.records.values():
        assert record["rapport_customer_id"] == person(runtime, record["email"])["id"]


def test_a_rate_limit_mid_run_is_partial_and_the_next_run_completes(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    ids = _seed_crm(crms, 5)
    apply(runtime, crms, tmp_path)
    use_adapters(runtime, crms, page_size=2, fault_after_pages=(1, "rate_limit"))

    stopped = runtime.sync.run("crm")

    assert stopped["status"] == "partial"
    assert stopped["errors"] == [
        "HubSpot rate limit reached: rate limit reached (memory system); the next run resumes where this one stopped"
    ]
    assert stopped["pulled"] == 2
    use_adapters(runtime, crms, page_size=2)
    summary = runtime.sync.run("crm")

    assert summary["status"] == "succeeded"
    assert summary["pulled"] == 3
    assert count(runtime, crm_records) == 5 and count(runtime, source_records) == 5
    assert all(crms.system("crm").records[i]["rapport_id"].startswith("lnk_") for i in ids)


def test_an_outage_during_push_is_partial_and_nothing_is_lost(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    apply(runtime, crms, tmp_path, mapping=CREATE)
    ingest(runtime, *[_profile(i) for i in range(3)])
    use_adapters(runtime, crms, fault_on_write=(1, "outage"))

    stopped = runtime.sync.run("crm", "push")

    assert stopped["status"] == "partial"
    assert stopped["errors"] == [
        "HubSpot is unavailable: the system is unavailable (memory system); the next run resumes"
    ]
    assert crm.records == {} and cursor(runtime, "crm", "push:contact") is None
    use_adapters(runtime, crms)
    summary = runtime.sync.run("crm", "push")
    assert (summary["status"], summary["created"]) == ("succeeded", 3)


def test_record_errors_are_counted_stored_and_retried(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crm = crms.system("crm")
    taken = crm.create({"firstname": "Someone", "email": "person1@example.com"})  # never pulled: push only
    apply(runtime, crms, tmp_path, mapping=CREATE)
    ingest(runtime, *[_profile(i) for i in range(3)])

    summary = runtime.sync.run("crm", "push")

    assert summary["status"] == "partial"
    assert (summary["created"], summary["rejected"]) == (2, 1)
    assert len(summary["errors"]) == 1
    assert "DUPLICATE_VALUE: another record already has this email" in summary["errors"][0]
    with runtime.database.transaction() as conn:
        stored = conn.execute(select(sync_errors)).one()
    assert (stored.code, stored.direction, stored.fields) == ("DUPLICATE_VALUE", "push", ["email"])
    assert stored.customer_id == person(runtime, "person1@example.com")["id"]
    assert stored.resolved_at is None

    still = runtime.sync.run("crm", "push")  # retried (the customer did not change), refused again
    assert (still["created"], still["rejected"]) == (0, 1)

    crm.delete(taken)  # the admin removes the duplicate
    fixed = runtime.sync.run("crm", "push")
    assert (fixed["created"], fixed["rejected"], fixed["status"]) == (1, 0, "succeeded")
    assert len(crm.records) == 3
    assert count(runtime, sync_errors, sync_errors.c.resolved_at.is_(None)) == 0


def test_a_value_too_long_for_the_crm_is_rejected_and_the_rest_of_the_batch_goes_through(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    ids = _seed_crm(crms, 3)
    apply(runtime, crms, tmp_path)
    runtime.sync.run("crm")
    ingest(runtime, *[{"type": "social_profile", "network": f"net{n}", "id": f"long{n}", "handle": "h" * 600,
                       "email": "c1@example.com"} for n in range(2)])  # fmt: skip
    ingest(runtime, {"type": "social_profile", "network": "x", "id": "x2", "handle": "short",
                     "email": "c2@example.com"})  # fmt: skip

    summary = runtime.sync.run("crm")

    assert summary["rejected"] == 1 and summary["updated"] == 1
    assert any("STRING_TOO_LONG" in e for e in summary["errors"])
    assert crm.records[ids[2]]["rapport_social_handles"] == "x: short"
    assert "rapport_social_handles" not in crm.records[ids[1]]
    assert count(runtime, sync_errors, sync_errors.c.code == "STRING_TOO_LONG") == 1


def test_create_makes_records_only_for_customers_the_filter_allows(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    apply(runtime, crms, tmp_path, mapping=CREATE)
    ingest(runtime, _profile(1), _profile(2), _profile(3, email=False))

    summary = runtime.sync.run("crm")

    assert summary["created"] == 2
    assert sorted(r["email"] for r in crm.records.values()) == ["person1@example.com", "person2@example.com"]
    for record in crm.records.values():
        customer = person(runtime, record["email"])
        assert record["rapport_customer_id"] == customer["id"]
        assert record["rapport_id"].startswith("lnk_")
        assert record["rapport_social_handles"].startswith("instagram: person.")
    again = runtime.sync.run("crm")
    assert (again["created"], again["updated"]) == (0, 0)
    assert len(crm.records) == 2 and count(runtime, crm_records) == 2


def test_a_retried_customer_does_not_move_the_push_watermark_past_unpushed_changes(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    crm.create({"firstname": "Someone", "email": "person0@example.com"})  # person0 is refused: a duplicate
    apply(runtime, crms, tmp_path, mapping=CREATE)
    ingest(runtime, _profile(0))
    assert runtime.sync.run("crm", "push")["rejected"] == 1
    ingest(runtime, _profile(1))  # changed after the watermark...
    ingest(runtime, {**_profile(0), "handle": "person.zero"})  # ...and the failed customer changes later still
    use_adapters(runtime, crms, fault_on_write=(2, "rate_limit"))  # the retry goes out, then the limit

    stopped = runtime.sync.run("crm", "push")
    assert stopped["status"] == "partial" and stopped["rejected"] == 1
    use_adapters(runtime, crms)
    resumed = runtime.sync.run("crm", "push")

    assert resumed["created"] == 1
    assert sorted(r["email"] for r in crm.records.values()) == ["person0@example.com", "person1@example.com"]


def test_an_unexpected_error_marks_the_run_failed(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    _seed_crm(crms, 3)
    apply(runtime, crms, tmp_path)

    def broken(_object: str) -> Any:
        raise RuntimeError("a bug in an adapter")

    def factory(kind: str, config: Mapping[str, Any]) -> Adapter:
        adapter = WrappedAdapter(crms.system("crm"))
        adapter.describe = broken  # type: ignore[method-assign]
        return adapter

    runtime.sync.adapter_factory = factory
    with pytest.raises(RuntimeError):
        runtime.sync.run("crm")
    with runtime.database.transaction() as conn:
        assert conn.execute(select(sync_runs.c.status)).scalar_one() == "failed"
