"""Two-way flow on the in-memory CRMs: edits cross in both directions, echoes do not loop, idle rounds are
cheap, deletions unlink, dry runs write nothing, paused and refused connections sync nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from hub.db.sync_tables import crm_records, sync_errors, sync_runs
from hub.db.tables import audit_events
from hub.runtime import Runtime
from tests.sync.conftest import MemoryCrms
from tests.sync.sync_helpers import (
    apply,
    count,
    cursor,
    ingest,
    mapping_text,
    people,
    person,
    row_counts,
    snapshot,
    use_adapters,
)

ANA = {"firstname": "Ana", "lastname": "Novak", "email": "ana@example.si"}
IG = {"type": "social_profile", "network": "instagram", "id": "ig-ana", "handle": "ana.novak",
      "email": "ana@example.si", "followers": 10}  # fmt: skip


def _round(runtime: Runtime, names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [runtime.sync.run(name) for name in names]


def _writes(summaries: list[dict[str, Any]]) -> int:
    return sum(s["created"] + s["updated"] + s["interactions_written"] for s in summaries)


def test_echoes_do_not_loop_between_two_crms(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    a, b = crms.system("a"), crms.system("b")
    in_a = a.create({**ANA, "city": "Paris", "phone": "+386 40 123 456"})
    in_b = b.create({"firstname": "Ana", "email": "ana@example.si"})
    apply(runtime, crms, tmp_path, names=("a", "b"))
    ingest(runtime, IG)
    names = ("a", "b")
    _round(runtime, names)
    _round(runtime, names)

    a.edit(in_a, {"city": "Berlin", "phone": "+386 41 999 888"})
    b.edit(in_b, {"jobtitle": "Chef"})
    history = []
    for _ in range(6):  # bounded: without echo suppression each round would write again, forever
        history.append(_writes(_round(runtime, names)))
        if len(history) >= 3 and history[-1] == 0:
            break
    # two rounds carry the edits, a third writes nothing
    assert history[0] > 0 and history[2:] == [0] * len(history[2:]), history

    before = snapshot(a), snapshot(b)
    quiet = _round(runtime, names)
    assert [(s["created"], s["updated"], s["rejected"]) for s in quiet] == [(0, 0, 0), (0, 0, 0)]
    assert (snapshot(a), snapshot(b)) == before  # no record's lastmodifieddate moved
    assert (b.records[in_b]["city"], b.records[in_b]["phone"]) == ("Berlin", "+38641999888")
    assert b.records[in_b]["rapport_customer_id"] == a.records[in_a]["rapport_customer_id"]
    customer = person(runtime, "ana@example.si")
    assert (customer["city"], customer["title"]) == ("Berlin", "Chef")


def test_an_idle_round_writes_nothing_and_reads_little(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    names = ("a", "b")
    for name in names:
        for i in range(3):
            crms.system(name).create({"firstname": f"P{i}", "email": f"p{i}@example.com", "city": name})
    apply(runtime, crms, tmp_path, names=names)
    ingest(runtime, IG)
    for _ in range(3):
        _round(runtime, names)
    calls = {n: crms.system(n).calls for n in names}
    rows = row_counts(runtime)
    records = {n: snapshot(crms.system(n)) for n in names}

    idle = _round(runtime, names)

    assert _writes(idle) == 0 and all(s["rejected"] == 0 and s["pulled"] == 0 for s in idle)
    spent = {n: crms.system(n).calls - calls[n] for n in names}
    assert all(c <= 3 for c in spent.values()), spent  # check, describe, one empty change page
    assert {n: snapshot(crms.system(n)) for n in names} == records
    rows.pop("sync_runs")
    after = row_counts(runtime)
    after.pop("sync_runs")
    assert after == rows


def test_a_crm_edit_reaches_the_hub_and_a_hub_change_reaches_the_crm(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    rid = crm.create(dict(ANA))
    apply(runtime, crms, tmp_path)
    ingest(runtime, IG)
    runtime.sync.run("crm")
    assert crm.records[rid]["rapport_social_handles"] == "instagram: ana.novak"

    crm.edit(rid, {"phone": "+386 40 555 666", "company": "Novak d.o.o."})
    runtime.sync.run("crm")
    customer = person(runtime, "ana@example.si")
    assert (customer["phone"], customer["company"]) == ("+38640555666", "Novak d.o.o.")

    ingest(runtime, {"type": "social_profile", "network": "x", "id": "x-ana", "handle": "@ananovak",
                     "email": "ANA@example.si", "followers": 5})  # fmt: skip
    summary = runtime.sync.run("crm")

    assert summary["updated"] == 1
    handles = crm.records[rid]["rapport_social_handles"]
    assert "instagram: ana.novak" in handles and "x: ananovak" in handles
    assert crm.records[rid]["rapport_social_followers"] == 15
    assert crm.records[rid]["phone"] == "+386 40 555 666"  # the CRM's own edit is left as the rep typed it


def test_a_deleted_crm_record_is_unlinked_and_the_customer_keeps_the_rest(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    rid = crm.create(dict(ANA))
    other = crm.create({"firstname": "Bo", "email": "bo@example.com"})
    apply(runtime, crms, tmp_path)
    ingest(runtime, IG)
    runtime.sync.run("crm")
    customer_id = person(runtime, "ana@example.si")["id"]

    crm.delete(rid)
    summary = runtime.sync.run("crm")

    assert summary["status"] == "succeeded"
    customer = person(runtime, "ana@example.si")
    assert customer["id"] == customer_id
    assert [(r["source"], r["external_id"]) for r in customer["records"]] == [("instagram", "ig-ana")]
    assert customer["handles"] == {"instagram": ["ana.novak"]}
    with runtime.database.transaction() as conn:
        link = conn.execute(select(crm_records).where(crm_records.c.crm_id == rid)).one()
        unlinked = conn.execute(
            select(audit_events.c.detail).where(
                audit_events.c.kind == "record.unlinked", audit_events.c.customer_id == customer_id
            )
        ).all()
    assert link.customer_id is None and link.deleted_at is not None
    assert len(unlinked) == 1 and unlinked[0].detail["crm_id"] == rid
    assert person(runtime, "bo@example.com")["records"] == [
        {"record_type": "contact", "source": "crm", "external_id": other}
    ]
    assert len(crm.records) == 1  # nothing recreated (create is false)


def test_a_dry_run_writes_nothing_and_counts_what_would_change(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    rid = crm.create(dict(ANA))
    apply(runtime, crms, tmp_path, mapping=mapping_text(
        "{target: email, source: email, conflict: fill_empty}",
        "{target: firstname, source: first_name, conflict: fill_empty}",
        "{target: rapport_social_handles, source: handles, direction: push, transforms: [social_handles]}",
        create=True, filter="email is not null",
    ))  # fmt: skip
    runtime.sync.run("crm")
    ingest(runtime, IG, {"type": "social_profile", "network": "x", "id": "x-new", "handle": "newbie",
                         "email": "new@example.com"})  # fmt: skip
    crm.edit(rid, {"firstname": ""})
    records, rows = snapshot(crm), row_counts(runtime)
    cursors = cursor(runtime, "crm"), cursor(runtime, "crm", "push:contact")

    summary = runtime.sync.run("crm", dry_run=True)

    assert summary["dry_run"] is True and summary["status"] == "succeeded"
    assert (summary["pulled"], summary["created"], summary["updated"]) == (1, 1, 1)
    assert snapshot(crm) == records
    assert row_counts(runtime) == rows
    assert (cursor(runtime, "crm"), cursor(runtime, "crm", "push:contact")) == cursors

    real = runtime.sync.run("crm")
    assert (real["created"], real["updated"]) == (1, 1)


def test_a_paused_connection_syncs_nothing_and_says_so(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crm = crms.system("crm")
    crm.create(dict(ANA))
    apply(runtime, crms, tmp_path, enabled="false")
    calls = crm.calls

    summary = runtime.sync.run("crm")

    assert crm.calls == calls
    assert (summary["pulled"], summary["created"], summary["updated"]) == (0, 0, 0)
    assert summary["status"] == "paused"
    assert summary["errors"] == []
    assert summary["message"] == "connection crm is paused (enabled: false); nothing was synced"
    assert count(runtime, crm_records) == 0


def test_refused_credentials_fail_the_run_with_a_message_an_admin_understands(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crms.system("crm").create(dict(ANA))
    apply(runtime, crms, tmp_path)
    use_adapters(runtime, crms, auth_error=True)

    summary = runtime.sync.run("crm")

    assert summary["status"] == "failed"
    message = summary["errors"][-1]
    assert message.startswith("HubSpot refused the connection: HubSpot refused the access token")
    assert "Traceback" not in message and "not-a-real-token" not in message
    with runtime.database.transaction() as conn:
        run = conn.execute(select(sync_runs)).one()
    assert (run.status, run.error) == ("failed", message)
    assert count(runtime, crm_records) == 0


def test_two_crm_records_of_one_person_share_the_customer_id_after_a_merge(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    by_email = crm.create({"firstname": "Ana", "lastname": "Novak", "email": "ana@example.si"})
    by_phone = crm.create({"firstname": "Ana", "lastname": "Novak", "phone": "+386 40 123 456"})
    # email is pull-only here: filling the first record's email into the second would be refused (unique)
    apply(runtime, crms, tmp_path, mapping=mapping_text(
        "{target: email, source: email, direction: pull}", "{target: phone, source: phone, direction: pull}",
        "{target: rapport_social_handles, source: handles, direction: push, transforms: [social_handles]}",
    ))  # fmt: skip
    runtime.sync.run("crm")
    runtime.sync.run("crm")  # our own writes come back once as echoes; now the CRM has nothing new
    before = crm.records[by_email]["rapport_customer_id"], crm.records[by_phone]["rapport_customer_id"]
    assert before[0] != before[1]  # nothing tied them yet

    # a profile carrying both the email and the phone shows they are one person: the customers merge
    ingest(runtime, {**IG, "phone": "+386 40 123 456"})
    assert len(people(runtime)) == 1
    runtime.sync.run("crm")

    survivor = person(runtime, "ana@example.si")["id"]
    assert crm.records[by_email]["rapport_customer_id"] == survivor
    assert crm.records[by_phone]["rapport_customer_id"] == survivor
    assert "instagram: ana.novak" in crm.records[by_phone]["rapport_social_handles"]


def test_a_push_after_a_crm_deletion_does_not_bring_the_record_back(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    rid = crm.create(dict(ANA))
    apply(runtime, crms, tmp_path)
    runtime.sync.run("crm")
    runtime.sync.run("crm")
    crm.delete(rid)  # the rep deletes the contact; the hub has not pulled since
    ingest(runtime, IG)

    pushed = runtime.sync.run("crm", "push")

    assert crm.records == {}  # not recreated as a stub holding only the changed fields
    assert (pushed["created"], pushed["rejected"]) == (0, 1)
    assert "ENTITY_IS_DELETED" in pushed["errors"][0]
    both = runtime.sync.run("crm")  # the pull sees the deletion and unlinks: nothing is left to retry
    assert (both["created"], both["rejected"], both["status"]) == (0, 0, "succeeded")
    assert crm.records == {}
    assert count(runtime, sync_errors, sync_errors.c.resolved_at.is_(None)) == 0
    assert [r["source"] for r in person(runtime, "ana@example.si")["records"]] == ["instagram"]


def test_a_link_id_copied_into_another_crm_does_not_take_over_the_first_crms_link(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    a, b = crms.system("a"), crms.system("b")
    in_a = a.create(dict(ANA))
    apply(runtime, crms, tmp_path, names=("a", "b"))
    _round(runtime, ("a", "b"))
    copied = a.records[in_a]["rapport_id"]
    b.create({"firstname": "Bo", "email": "bo@example.com"})
    in_b = b.create({**ANA, "rapport_id": copied})  # an admin imported a's export into b, link id included

    _round(runtime, ("a", "b"))
    a.edit(in_a, {"city": "Ljubljana"})
    _round(runtime, ("a", "b"))

    with runtime.database.transaction() as conn:
        links = {(r.connection, r.crm_id): r.link_id for r in conn.execute(select(crm_records))}
    assert links[("a", in_a)] == copied
    assert links[("b", in_b)] != copied and b.records[in_b]["rapport_id"] == links[("b", in_b)]
    assert a.records[in_a]["rapport_id"] == copied and "city" in b.records[in_b]
    assert b.records[in_b]["city"] == "Ljubljana"


def test_a_record_restored_in_the_crm_is_linked_and_synced_again(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    rid = crm.create(dict(ANA))
    apply(runtime, crms, tmp_path)
    runtime.sync.run("crm")
    kept = dict(crm.records[rid])
    crm.delete(rid)
    runtime.sync.run("crm")

    crm.records[rid] = kept  # restored from the recycle bin, as it was
    crm.tombstones.pop(rid)
    crm.touch(rid)
    runtime.sync.run("crm")
    ingest(runtime, IG)
    summary = runtime.sync.run("crm")

    assert summary["updated"] == 1
    assert crm.records[rid]["rapport_social_handles"] == "instagram: ana.novak"
    # the customer the deletion left without records is still listed (with its old profile): pick ours
    customer = next(c for c in people(runtime) if c["records"])
    assert sorted(r["source"] for r in customer["records"]) == ["crm", "instagram"]
    assert crm.records[rid]["rapport_customer_id"] == customer["id"]


def test_a_duplicate_record_is_not_given_the_email_its_twin_holds(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")  # emails are unique in this CRM, as in HubSpot
    by_email = crm.create({"firstname": "Ana", "lastname": "Novak", "email": "Ana@Example.si"})
    by_phone = crm.create({"firstname": "Ana", "lastname": "Novak", "phone": "+386 40 123 456"})
    apply(runtime, crms, tmp_path)  # the shipped default: email is fill_empty both ways
    runtime.sync.run("crm")
    runtime.sync.run("crm")
    ingest(runtime, {**IG, "phone": "+386 40 123 456"})  # the two records turn out to be one person

    summary = runtime.sync.run("crm")
    again = runtime.sync.run("crm")

    assert summary["rejected"] == 0 and summary["errors"] == [], summary["errors"]
    survivor = person(runtime, "ana@example.si")["id"]
    assert crm.records[by_phone]["rapport_customer_id"] == crm.records[by_email]["rapport_customer_id"] == survivor
    assert "email" not in crm.records[by_phone]
    assert "instagram: ana.novak" in crm.records[by_phone]["rapport_social_handles"]
    assert (again["updated"], again["rejected"]) == (0, 0)


def test_a_customer_whose_only_record_is_deleted_in_the_crm_is_gone(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm = crms.system("crm")
    only = crm.create(dict(ANA))
    apply(runtime, crms, tmp_path)
    runtime.sync.run("crm")
    assert len(people(runtime)) == 1

    crm.delete(only)
    runtime.sync.run("crm")

    assert people(runtime) == []
