"""Conflict policies through real sync runs (CONTRACT.md, "Mapping files"), each with its history entry.

One CRM contact (jobtitle under the policy being tested, city under most_recent) and, for hub-side changes,
a contact from another system (`erp`) with the same email, whose newer `updated_at` makes it the hub's value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.memory import MemorySystem
from hub.runtime import Runtime
from tests.sync.conftest import MemoryCrms
from tests.sync.sync_helpers import apply, decisions, ingest, mapping_text, person, set_modified

EMAIL = "pat@example.com"


def _start(runtime: Runtime, crms: MemoryCrms, tmp_path: Path, policy: str) -> tuple[MemorySystem, str]:
    crm = crms.system("crm")
    rid = crm.create({"jobtitle": "Engineer", "email": EMAIL, "city": "Paris"})
    set_modified(crm, rid, "2026-01-01T00:00:00+00:00")
    mapping = mapping_text(
        "{target: email, source: email, conflict: fill_empty}",
        f"{{target: jobtitle, source: title, conflict: {policy}}}",
        "{target: city, source: city, conflict: most_recent}",
    )
    apply(runtime, crms, tmp_path, mapping=mapping)
    first = runtime.sync.run("crm")
    assert first["status"] == "succeeded", first
    return crm, rid


def _hub_change(runtime: Runtime, updated_at: str, **fields: Any) -> None:
    """The hub's value changes: another system's newer contact of the same person."""
    ingest(runtime, {"type": "contact", "system": "erp", "id": "e1", "email": EMAIL, "updated_at": updated_at,
                     **fields})  # fmt: skip


def _rep_edit(crm: MemorySystem, rid: str, at: str | None = None, **fields: Any) -> None:
    crm.edit(rid, fields)
    if at is not None:
        set_modified(crm, rid, at)


def _texts(runtime: Runtime, field: str = "jobtitle") -> list[str]:
    return [d["text"] for d in decisions(runtime, field)]


def test_hub_wins_crm_edits_are_not_taken_and_the_hub_value_is_written_back(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm, rid = _start(runtime, crms, tmp_path, "hub_wins")
    _hub_change(runtime, "2026-06-01T00:00:00+00:00", title="Manager")
    runtime.sync.run("crm")
    assert crm.records[rid]["jobtitle"] == "Manager"  # the hub's value is written to the CRM
    assert "hub won: hub_wins" in _texts(runtime)[-1]

    _rep_edit(crm, rid, jobtitle="Director")
    summary = runtime.sync.run("crm")

    assert person(runtime, EMAIL)["title"] == "Manager"  # the CRM edit is not taken
    assert crm.records[rid]["jobtitle"] == "Manager"  # and the hub's value is rewritten
    assert summary["updated"] == 1
    last = decisions(runtime, "jobtitle")[-1]
    assert last["policy"] == "hub_wins" and last["action"] == "push"
    assert last["text"] == "hub won: hub_wins; HubSpot edits of jobtitle are not taken"
    assert last["crm_value"] == "Director" and last["hub_value"] == "Manager"
    assert last["customer_id"] == person(runtime, EMAIL)["id"]


def test_crm_wins_edits_are_taken_and_the_hub_never_overwrites_a_crm_value(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm, rid = _start(runtime, crms, tmp_path, "crm_wins")
    assert person(runtime, EMAIL)["title"] == "Engineer"

    _rep_edit(crm, rid, jobtitle="Director")
    runtime.sync.run("crm")
    assert person(runtime, EMAIL)["title"] == "Director"
    assert _texts(runtime)[-1].startswith("HubSpot won: crm_wins; HubSpot changed")

    _hub_change(runtime, "2030-01-01T00:00:00+00:00", title="Manager")
    assert person(runtime, EMAIL)["title"] == "Manager"
    summary = runtime.sync.run("crm")

    assert crm.records[rid]["jobtitle"] == "Director"  # never overwritten by the hub
    assert summary["updated"] == 0
    assert not [d for d in decisions(runtime, "jobtitle") if d["action"] == "push"]


def test_most_recent_the_later_crm_change_wins(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crm, rid = _start(runtime, crms, tmp_path, "most_recent")
    _hub_change(runtime, "2026-02-01T00:00:00+00:00", title="Manager")
    _rep_edit(crm, rid, "2026-03-01T00:00:00+00:00", jobtitle="Director")

    runtime.sync.run("crm")

    assert person(runtime, EMAIL)["title"] == "Director"
    assert crm.records[rid]["jobtitle"] == "Director"
    last = decisions(runtime, "jobtitle")[-1]
    assert (last["action"], last["winner"]) == ("pull", "crm")
    assert last["text"] == "HubSpot won: most_recent; HubSpot changed 2026-03-01 00:00, hub 2026-02-01 00:00 (UTC)"


def test_most_recent_the_later_hub_change_wins(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crm, rid = _start(runtime, crms, tmp_path, "most_recent")
    _rep_edit(crm, rid, "2026-02-01T00:00:00+00:00", jobtitle="Director")
    _hub_change(runtime, "2026-03-01T00:00:00+00:00", title="Manager")

    runtime.sync.run("crm")

    assert person(runtime, EMAIL)["title"] == "Manager"
    assert crm.records[rid]["jobtitle"] == "Manager"
    texts = _texts(runtime)
    assert "hub won: most_recent; hub changed 2026-03-01 00:00, HubSpot 2026-02-01 00:00 (UTC)" in texts


def test_fill_empty_writes_only_into_a_blank(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crm, rid = _start(runtime, crms, tmp_path, "fill_empty")
    blank = crm.create({"email": "blank@example.com", "jobtitle": ""})
    runtime.sync.run("crm")

    # both sides hold a value: neither is written
    _hub_change(runtime, "2030-01-01T00:00:00+00:00", title="Manager")
    runtime.sync.run("crm")
    assert crm.records[rid]["jobtitle"] == "Engineer"
    assert not [d for d in decisions(runtime, "jobtitle") if d["action"] == "push"]
    _rep_edit(crm, rid, jobtitle="Director")
    runtime.sync.run("crm")
    assert person(runtime, EMAIL)["title"] == "Manager"
    assert crm.records[rid]["jobtitle"] == "Director"

    # the CRM is blank: the hub's value fills it; the hub is blank: the CRM's value fills it
    ingest(runtime, {"type": "contact", "system": "erp", "id": "e2", "email": "blank@example.com",
                     "title": "Analyst", "updated_at": "2030-01-01T00:00:00+00:00"})  # fmt: skip
    runtime.sync.run("crm")
    assert crm.records[blank]["jobtitle"] == "Analyst"
    assert "hub won: fill_empty; HubSpot is blank" in _texts(runtime)
    new = crm.create({"email": "new@example.com", "jobtitle": "Intern"})
    runtime.sync.run("crm")
    assert person(runtime, "new@example.com")["title"] == "Intern"
    assert crm.records[new]["jobtitle"] == "Intern"


@pytest.mark.parametrize("policy", ["hub_wins", "crm_wins", "most_recent", "fill_empty"])
def test_a_blank_never_overwrites_a_value(runtime: Runtime, crms: MemoryCrms, tmp_path: Path, policy: str) -> None:
    crm, rid = _start(runtime, crms, tmp_path, policy)
    _hub_change(runtime, "2026-06-01T00:00:00+00:00", title="Manager")
    runtime.sync.run("crm")
    assert person(runtime, EMAIL)["title"] == "Manager"
    assert crm.records[rid]["jobtitle"] == ("Engineer" if policy in ("crm_wins", "fill_empty") else "Manager")

    _rep_edit(crm, rid, jobtitle="")
    runtime.sync.run("crm")
    runtime.sync.run("crm")

    assert person(runtime, EMAIL)["title"] == "Manager"  # the rep's blank is never taken
    if policy == "most_recent":
        # the CRM changed it last, but its blank may not overwrite: neither side moves
        assert crm.records[rid]["jobtitle"] == ""
        assert "HubSpot cleared it last" in _texts(runtime)[-1]
    else:
        # the hub's value goes back into the blank CRM field
        assert crm.records[rid]["jobtitle"] == "Manager"


def test_an_edit_of_one_field_does_not_bring_back_an_old_value_of_another(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    crm, rid = _start(runtime, crms, tmp_path, "most_recent")
    _hub_change(runtime, "2026-06-01T00:00:00+00:00", city="Lyon")
    runtime.sync.run("crm")
    assert crm.records[rid]["city"] == "Lyon"

    _rep_edit(crm, rid, jobtitle="Chef")  # a later edit of another field; the record still says Lyon
    runtime.sync.run("crm")

    customer = person(runtime, EMAIL)
    assert (customer["title"], customer["city"]) == ("Chef", "Lyon")
    assert crm.records[rid]["city"] == "Lyon"
