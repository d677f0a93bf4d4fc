"""The adapter contract suite: every adapter (memory, internal, Salesforce, HubSpot) passes these tests.

An adapter's test module subclasses `AdapterContract` and provides a `harness` fixture implementing
`Harness`: the adapter under test plus a back door into the system behind it (seed, edit or delete records as a
person in the CRM would, and inject faults).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pytest

from adapters.base import Adapter, ChangePage, InteractionItem, RateLimited, RecordRejected, UpsertItem


class Harness(Protocol):
    """What the contract suite needs from an adapter's test module."""

    adapter: Adapter
    object: str  # the object under test, e.g. "contact"
    link_field: str  # the link-id field in raw records (Rapport_Id__c, rapport_id)

    def valid_fields(self, n: int) -> dict[str, Any]:
        """Fields of a valid new record, distinct for each `n` (unique email etc.)."""
        ...

    def invalid_fields(self) -> dict[str, Any]:
        """Fields the system refuses for one record (e.g. a value longer than the field allows)."""
        ...

    def seed(self, fields: Mapping[str, Any]) -> str:
        """Create a record directly in the system (as a person would); returns its id."""
        ...

    def edit(self, record_id: str, fields: Mapping[str, Any]) -> None:
        """Change a record directly in the system."""
        ...

    def delete(self, record_id: str) -> None:
        """Delete a record directly in the system."""
        ...

    def value(self, record_id: str, name: str) -> Any:
        """A field's current value, read directly from the system."""
        ...

    def fail_next_calls(self, fault: str, count: int) -> None:
        """Make the next `count` API calls fail with `fault`: "rate_limit" or "outage"."""
        ...


def drain(adapter: Adapter, obj: str, since: str | None) -> tuple[list[ChangePage], str | None]:
    """Every page of changes after `since`, and the cursor to resume from afterwards."""
    pages = list(adapter.list_changes(obj, since))
    cursor = since
    for page in pages:
        cursor = page.next_cursor or cursor
    return pages, cursor


def ids_in(pages: list[ChangePage]) -> set[str]:
    """Record ids in a list of pages."""
    return {record.id for page in pages for record in page.records}


class AdapterContract:
    """Inherit and provide a `harness` fixture (see the module docstring)."""

    def test_check_passes_on_a_ready_system(self, harness: Harness) -> None:
        harness.adapter.check()

    def test_describe_names_the_link_field(self, harness: Harness) -> None:
        schema = harness.adapter.describe(harness.object)
        link = schema.get(harness.link_field)
        assert link is not None and link.unique

    def test_upsert_creates_then_updates_by_link_id(self, harness: Harness) -> None:
        adapter = harness.adapter
        first = adapter.upsert_batch(harness.object, [UpsertItem("lnk_a", harness.valid_fields(1))])
        assert first[0].ok and first[0].created and first[0].crm_id
        again = adapter.upsert_batch(harness.object, [UpsertItem("lnk_a", harness.valid_fields(1))])
        assert again[0].ok and not again[0].created and again[0].crm_id == first[0].crm_id
        assert harness.value(first[0].crm_id, harness.link_field) == "lnk_a"

    def test_batch_results_are_per_record_and_in_order(self, harness: Harness) -> None:
        items = [
            UpsertItem("lnk_1", harness.valid_fields(1)),
            UpsertItem("lnk_bad", harness.invalid_fields()),
            UpsertItem("lnk_3", harness.valid_fields(3)),
        ]
        results = harness.adapter.upsert_batch(harness.object, items)
        assert [r.ref for r in results] == ["lnk_1", "lnk_bad", "lnk_3"]
        assert results[0].ok and results[2].ok
        assert isinstance(results[1].error, RecordRejected) and results[1].error.code

    def test_list_changes_pages_and_resumes_from_cursor(self, harness: Harness) -> None:
        seeded = {harness.seed(harness.valid_fields(n)) for n in range(5)}
        pages, cursor = drain(harness.adapter, harness.object, None)
        assert seeded <= ids_in(pages)
        assert pages[-1].has_more is False
        quiet, cursor = drain(harness.adapter, harness.object, cursor)
        assert ids_in(quiet) == set()
        edited = sorted(seeded)[0]
        harness.edit(edited, {k: v for k, v in harness.valid_fields(99).items() if k not in ("email", "Email")})
        changed, _ = drain(harness.adapter, harness.object, cursor)
        assert ids_in(changed) == {edited}

    def test_deletions_are_reported(self, harness: Harness) -> None:
        record_id = harness.seed(harness.valid_fields(7))
        _, cursor = drain(harness.adapter, harness.object, None)
        harness.delete(record_id)
        pages, _ = drain(harness.adapter, harness.object, cursor)
        assert record_id in {d for page in pages for d in page.deleted}

    def test_get_by_ids_skips_missing(self, harness: Harness) -> None:
        record_id = harness.seed(harness.valid_fields(8))
        found = harness.adapter.get_by_ids(harness.object, [record_id])
        assert [r.id for r in found] == [record_id]

    def test_update_batch_by_crm_id_writes_the_link_id(self, harness: Harness) -> None:
        record_id = harness.seed(harness.valid_fields(9))
        results = harness.adapter.update_batch(harness.object, [(record_id, {harness.link_field: "lnk_pulled"})])
        assert results[0].ok
        assert harness.value(record_id, harness.link_field) == "lnk_pulled"

    def test_update_of_a_deleted_record_is_a_record_error(self, harness: Harness) -> None:
        record_id = harness.seed(harness.valid_fields(10))
        harness.delete(record_id)
        results = harness.adapter.update_batch(harness.object, [(record_id, {harness.link_field: "x"})])
        assert results[0].error is not None

    def test_delete_batch(self, harness: Harness) -> None:
        record_id = harness.seed(harness.valid_fields(11))
        assert harness.adapter.delete_batch(harness.object, [record_id])[0].ok
        assert harness.adapter.get_by_ids(harness.object, [record_id]) == []

    def test_social_history_is_idempotent(self, harness: Harness) -> None:
        record_id = harness.seed(harness.valid_fields(12))
        item = InteractionItem(
            "instagram:p1", record_id, harness.object, "instagram", "post", "inbound", "hi", None, None
        )
        first = harness.adapter.write_interactions([item])
        second = harness.adapter.write_interactions([item])
        assert first[0].ok and second[0].ok
        assert second[0].created is False

    def test_rate_limit_surfaces_as_rate_limited(self, harness: Harness) -> None:
        harness.fail_next_calls("rate_limit", 50)
        with pytest.raises(RateLimited) as caught:
            harness.adapter.get_by_ids(harness.object, ["nope"])
        assert caught.value.retry_after > 0

    def test_api_calls_are_counted(self, harness: Harness) -> None:
        before = harness.adapter.api_calls
        harness.adapter.get_by_ids(harness.object, [])
        harness.adapter.describe(harness.object)
        assert harness.adapter.api_calls > before
