"""The HubSpot adapter against the sandbox, beyond the shared contract: setup and check, OAuth, batching,
email conflicts, notes, 429 storms, lost answers and reruns, and incremental windows."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import PublicMergeInput

from adapters.base import AuthError, ConfigError, InteractionItem, RateLimited, RecordResult, RetriableError, UpsertItem
from adapters.hubspot import HubSpotAdapter, parse_config, reads
from mappings import default_mapping, validate
from tests.adapters.contract import drain, ids_in
from tests.adapters.hubspot_harness import HubSpotHarness, no_sleep


@pytest.fixture
def harness() -> Iterator[HubSpotHarness]:
    harness = HubSpotHarness()
    yield harness
    harness.close()


def items(n: int, start: int = 0) -> list[UpsertItem]:
    return [UpsertItem(f"lnk-{i}", {"firstname": f"P{i}", "email": f"p{i}@example.com"}) for i in range(start, n)]


def push_until_done(adapter: HubSpotAdapter, batch: list[UpsertItem]) -> list[RecordResult]:
    """What the hub does with RateLimited: wait as asked, then send the same batch again."""
    while True:
        try:
            return adapter.upsert_batch("contact", batch)
        except RateLimited as limited:
            time.sleep(limited.retry_after)


def live_links(harness: HubSpotHarness) -> Counter[str]:
    return Counter(r["properties"].get("rapport_id") for r in harness.records() if not r["archived"])


def test_setup_on_a_blank_portal_makes_check_pass_and_is_idempotent() -> None:
    harness = HubSpotHarness(blank=True)
    try:
        with pytest.raises(ConfigError) as caught:
            harness.adapter.check()
        for name in ("rapport_id", "rapport_customer_id", "rapport_social_handles", "rapport_last_social_at",
                     "rapport_social_followers", "rapport_interaction_id"):  # fmt: skip
            assert name in str(caught.value)
        created = harness.adapter.setup()
        assert "created contact property rapport_id (unique)" in created
        assert "created note property rapport_interaction_id (unique)" in created
        harness.adapter.check()
        assert harness.adapter.setup() == []
        assert harness.adapter.describe("contact").fields["rapport_id"].unique
    finally:
        harness.close()


def test_the_shipped_default_mapping_validates_against_describe(harness: HubSpotHarness) -> None:
    assert validate(default_mapping("hubspot", "contact"), harness.adapter.describe("contact")) == []


def test_oauth_connection_refreshes_its_token_and_never_shows_it(harness: HubSpotHarness) -> None:
    details = harness.handle.details
    auth = {k: details[k] for k in ("client_id", "client_secret", "refresh_token")}
    adapter = HubSpotAdapter(parse_config({"name": "oauth", "base_url": harness.handle.base_url, "auth": auth}))
    assert adapter.upsert_batch("contact", items(1))[0].created
    harness.http.post("/revoke-oauth").raise_for_status()  # the access token expires early
    assert adapter.upsert_batch("contact", items(2, 1))[0].created
    assert details["client_secret"] not in repr(adapter.config) and details["refresh_token"] not in repr(adapter)


def test_full_batches_of_100_per_call(harness: HubSpotHarness) -> None:
    before = harness.adapter.api_calls
    results = harness.adapter.upsert_batch("contact", items(250))
    assert all(r.ok and r.created for r in results) and [r.ref for r in results] == [f"lnk-{i}" for i in range(250)]
    assert harness.adapter.api_calls - before == 3


def test_an_email_held_by_another_contact_is_never_overwritten(harness: HubSpotHarness) -> None:
    owner = harness.seed({"email": "taken@example.com", "firstname": "Owner"})
    batch = [*items(3), UpsertItem("lnk-thief", {"email": "taken@example.com", "firstname": "Thief"}), *items(6, 3)]
    results = harness.adapter.upsert_batch("contact", batch)
    assert [r.ok for r in results] == [True, True, True, False, True, True, True]
    error = results[3].error
    assert error is not None and error.code == "CONFLICT" and error.fields == ("email",) and owner in error.message
    assert harness.value(owner, "firstname") == "Owner" and harness.value(owner, "rapport_id") is None


def test_notes_are_associated_and_never_duplicated(harness: HubSpotHarness) -> None:
    contact = harness.seed({"email": "fan@example.com"})
    gone = harness.seed({"email": "gone@example.com"})
    harness.delete(gone)
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    notes = [
        InteractionItem(f"x:{n}", contact, "contact", "x", "reply", "inbound", f"<b>hi {n}</b>", None, when)
        for n in range(3)
    ]
    orphan = InteractionItem("x:lost", gone, "contact", "x", "post", None, "?", None, when)
    first = harness.adapter.write_interactions([*notes, orphan])
    assert [r.ok for r in first] == [True, True, True, False] and all(r.created for r in first[:3])
    again = harness.adapter.write_interactions(notes)
    assert all(r.ok and not r.created for r in again)
    assert [r.crm_id for r in again] == [r.crm_id for r in first[:3]]
    stored = harness.records("notes")
    assert Counter(n["properties"]["rapport_interaction_id"] for n in stored) == {
        "x:0": 1,
        "x:1": 1,
        "x:2": 1,
        "x:lost": 1,
    }
    assert "&lt;b&gt;hi 0&lt;/b&gt;" in stored[0]["properties"]["hs_note_body"]
    links = harness.http.get("/associations").json()["results"]
    assert sorted(link[1] for link in links if link[4] == 202) == sorted(r.crm_id for r in first[:3])


def test_a_429_storm_is_ridden_out_without_losing_a_record(harness: HubSpotHarness) -> None:
    harness.fail_next_calls("rate_limit", 25)
    batch = items(450)
    results = [r for start in range(0, 450, 100) for r in push_until_done(harness.adapter, batch[start : start + 100])]
    assert all(r.ok for r in results)
    assert live_links(harness) == Counter(i.link_id for i in batch)
    assert harness.stats()["throttled"] == 25


def test_a_lost_answer_and_a_rerun_create_no_duplicates(harness: HubSpotHarness) -> None:
    batch = items(300)
    crashed = HubSpotAdapter(parse_config({**harness.config, "max_attempts": 1}))
    crashed.upsert_batch("contact", batch[:100])
    harness.fail_next_calls("lost_response", 1)  # HubSpot applies the second batch; the process dies unanswered
    with pytest.raises(RetriableError, match="502"):
        crashed.upsert_batch("contact", batch[100:200])
    rerun = HubSpotAdapter(parse_config(harness.config)).upsert_batch("contact", batch)
    assert all(r.ok for r in rerun)
    assert [r.created for r in rerun].count(True) == 100  # only the third batch was new
    assert live_links(harness) == Counter(i.link_id for i in batch)


def test_a_retry_after_a_lost_answer_is_safe(harness: HubSpotHarness) -> None:
    harness.fail_next_calls("lost_response", 1)
    results = harness.adapter.upsert_batch("contact", items(50))
    assert all(r.ok for r in results)
    assert live_links(harness) == Counter(i.link_id for i in items(50))


def test_many_records_at_one_instant_are_walked_by_id(harness: HubSpotHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads, "SEARCH_PAGE", 5)
    _, cursor = drain(harness.adapter, "contact", None)
    seeded = [harness.seed({"email": f"t{n}@example.com"}) for n in range(12)]
    for record_id in seeded:
        harness.http.patch(f"/records/contacts/{record_id}", json={"modifiedAt": "2030-01-01T00:00:00Z"})
    pages, cursor = drain(harness.adapter, "contact", cursor)
    delivered = [r.id for page in pages for r in page.records]
    assert sorted(delivered) == sorted(seeded)
    quiet, _ = drain(harness.adapter, "contact", cursor)
    assert ids_in(quiet) == set()


def test_incremental_pages_never_page_deep_and_an_idle_pull_is_cheap(
    harness: HubSpotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "SEARCH_PAGE", 7)
    _, cursor = drain(harness.adapter, "contact", None)
    harness.adapter.upsert_batch("contact", items(40))
    pages, cursor = drain(harness.adapter, "contact", cursor)
    assert len(ids_in(pages)) == 40 and all(len(p.records) <= 7 for p in pages)
    assert harness.stats()["deepest_search"] <= 7  # every page is a fresh window, never `after` deep
    before = harness.adapter.api_calls
    quiet, _ = drain(harness.adapter, "contact", cursor)
    assert ids_in(quiet) == set() and harness.adapter.api_calls - before <= 5


def test_damaged_cursor_is_a_config_error(harness: HubSpotHarness) -> None:
    with pytest.raises(ConfigError):
        list(harness.adapter.list_changes("contact", "garbage"))


def test_check_reads_todays_usage_and_stops_at_the_daily_limit(harness: HubSpotHarness) -> None:
    harness.http.post("/config", json={"daily_limit": 40}).raise_for_status()
    harness.adapter.check()
    assert harness.adapter.transport.limiter.daily_limit == 40

    def spend_the_day() -> None:
        for _ in range(50):
            harness.adapter.get_by_ids("contact", ["1"])

    with pytest.raises(RateLimited) as caught:
        spend_the_day()
    assert caught.value.retry_after > 60 and harness.stats()["throttled"] == 0


PUSH = """
import json, sys
from adapters.base import UpsertItem
from adapters.hubspot import HubSpotAdapter, parse_config
adapter = HubSpotAdapter(parse_config(json.loads(sys.argv[1])))
adapter.upsert_batch("contact", [UpsertItem(f"lnk-{i}", {"email": f"p{i}@example.com"}) for i in range(300)])
"""


def test_a_push_killed_mid_batch_and_rerun_creates_no_duplicates(harness: HubSpotHarness) -> None:
    harness.http.post("/config", json={"stall_seconds": 2}).raise_for_status()
    harness.http.post("/faults", json={"fault": "stall", "count": 1, "after": 1}).raise_for_status()
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen([sys.executable, "-c", PUSH, json.dumps(harness.config)], cwd=root,
                               env={**os.environ, "PYTHONPATH": str(root)})  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while harness.stats()["objects"]["contacts"] < 200 and time.monotonic() < deadline:
            time.sleep(0.05)  # the second batch is applied; its answer is held back
    finally:
        process.kill()
        process.wait()
    assert harness.stats()["objects"]["contacts"] == 200
    rerun = harness.adapter.upsert_batch("contact", items(300))
    assert all(r.ok for r in rerun) and sum(r.created for r in rerun) == 100
    assert live_links(harness) == Counter(i.link_id for i in items(300))


def test_outages_are_retried_within_budget_then_surface_as_retriable(harness: HubSpotHarness) -> None:
    adapter = HubSpotAdapter(parse_config(harness.config), sleep=no_sleep)
    harness.fail_next_calls("outage", 2)
    assert adapter.upsert_batch("contact", items(5))[0].ok
    harness.fail_next_calls("outage", 3)
    with pytest.raises(RetriableError):
        adapter.get_by_ids("contact", ["1"])


def test_tokens_never_reach_logs_or_errors(harness: HubSpotHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    details = harness.handle.details
    auth = {k: details[k] for k in ("client_id", "client_secret", "refresh_token")}
    adapter = HubSpotAdapter(parse_config({"name": "o", "base_url": harness.handle.base_url, "auth": auth}))
    adapter.upsert_batch("contact", items(2))
    wrong = HubSpotAdapter(parse_config({**harness.config, "auth": {"access_token": "pat-na1-not-the-token"}}))
    with pytest.raises(AuthError) as caught:
        wrong.check()
    secrets = [details["access_token"], details["client_secret"], details["refresh_token"], "pat-na1-not-the-token"]
    secrets += list(harness.handle.sandbox.tokens.oauth_access)
    assert not any(s in caplog.text or s in str(caught.value) for s in secrets)


def test_merged_contacts_are_reported_with_their_survivor(harness: HubSpotHarness) -> None:
    survivor, merged = harness.seed({"email": "a@example.com"}), harness.seed({"email": "b@example.com"})
    _, cursor = drain(harness.adapter, "contact", None)
    client = HubSpot(access_token=harness.handle.access_token, host=harness.handle.base_url)
    client.crm.contacts.basic_api.merge(PublicMergeInput(primary_object_id=survivor, object_id_to_merge=merged))
    pages, _ = drain(harness.adapter, "contact", cursor)
    assert ids_in(pages) == {survivor}
    assert {k: v for page in pages for k, v in page.merged_into.items()} == {merged: survivor}
    assert harness.adapter.get_by_ids("contact", [merged]) == []
