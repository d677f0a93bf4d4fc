"""A Salesforce Lead converted to a Contact keeps its customer (the contact joins the lead's customer)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from adapters.base import Adapter, ChangePage, ExternalRecord, InteractionItem, RecordResult, UpsertItem
from adapters.memory import MemoryAdapter, MemorySystem
from adapters.schema import ObjectSchema
from hub.export import iter_customers
from hub.runtime import Runtime
from hub.sync.apply import apply_file

MAPPING = """object: OBJECT
fields:
  - {target: rapport_id, source: link_id, direction: push, conflict: hub_wins}
  - {target: rapport_customer_id, source: id, direction: push, conflict: hub_wins}
  - {target: firstname, source: first_name, conflict: fill_empty}
  - {target: lastname, source: last_name, conflict: fill_empty}
  - {target: company, source: company, conflict: fill_empty}
"""
APPLY = """connections:
  - name: sf
    kind: salesforce
    instance_url: https://memory.invalid
    auth: {session_id: x}
    objects: [contact, lead]
    mapping: {contact: contact.yaml, lead: lead.yaml}
"""


class ContactsAndLeads:
    """An adapter over two memory systems, one per object (the memory system itself has one object)."""

    def __init__(self, contacts: MemorySystem, leads: MemorySystem) -> None:
        self.by_object = {"contact": MemoryAdapter(contacts), "lead": MemoryAdapter(leads)}

    @property
    def api_calls(self) -> int:
        return sum(a.api_calls for a in self.by_object.values())

    def check(self) -> None:
        for adapter in self.by_object.values():
            adapter.check()

    def describe(self, object: str) -> ObjectSchema:
        return self.by_object[object].describe("contact")

    def list_changes(self, object: str, since: str | None) -> Iterator[ChangePage]:
        return self.by_object[object].list_changes("contact", since)

    def get_by_ids(self, object: str, ids: Sequence[str]) -> list[ExternalRecord]:
        return self.by_object[object].get_by_ids("contact", ids)

    def upsert_batch(self, object: str, items: Sequence[UpsertItem]) -> list[RecordResult]:
        return self.by_object[object].upsert_batch("contact", items)

    def update_batch(self, object: str, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> list[RecordResult]:
        return self.by_object[object].update_batch("contact", updates)

    def delete_batch(self, object: str, ids: Sequence[str]) -> list[RecordResult]:
        return self.by_object[object].delete_batch("contact", ids)

    def write_interactions(self, items: Sequence[InteractionItem]) -> list[RecordResult]:
        return self.by_object["contact"].write_interactions(items)


def test_a_converted_lead_keeps_its_customer(runtime: Runtime, tmp_path: Path) -> None:
    contacts, leads = MemorySystem(), MemorySystem()
    leads._ids = itertools.count(500)  # Salesforce ids are unique across objects (003... contacts, 00Q... leads)
    leads.schema.fields["ConvertedContactId"] = contacts.schema.fields["firstname"].__class__(
        "ConvertedContactId", "reference", createable=False, updateable=False
    )
    adapter = ContactsAndLeads(contacts, leads)

    def factory(kind: str, config: Mapping[str, Any]) -> Adapter:
        return adapter

    runtime.sync.adapter_factory = factory
    for obj in ("contact", "lead"):
        (tmp_path / f"{obj}.yaml").write_text(MAPPING.replace("OBJECT", obj), encoding="utf-8")
    (tmp_path / "a.yaml").write_text(APPLY, encoding="utf-8")
    apply_file(tmp_path / "a.yaml", runtime.database, runtime.secret_box(), factory)
    lead = leads.create({"firstname": "Yuna", "lastname": "Seo", "company": "Hanul"})  # no email, no phone
    runtime.sync.run("sf")
    with runtime.database.transaction() as conn:
        (customer,) = list(iter_customers(conn))

    # the rep converts the lead: Salesforce creates a contact (no shared identifier with the lead)
    contact = contacts.create({"firstname": "Yuna", "lastname": "Seo-Park"})
    leads.edit(lead, {"ConvertedContactId": contact})
    runtime.sync.run("sf")
    runtime.sync.run("sf")

    with runtime.database.transaction() as conn:
        people = list(iter_customers(conn))
    assert [p["id"] for p in people] == [customer["id"]]
    assert {r["record_type"] for r in people[0]["records"]} == {"contact"}
    assert len(people[0]["records"]) == 2
    assert contacts.records[contact]["rapport_customer_id"] == customer["id"]
