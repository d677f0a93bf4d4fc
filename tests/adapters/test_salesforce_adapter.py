"""The Salesforce adapter's own behaviour against the sandbox: logins and renewal, tagging of our writes,
record-level errors, the API budget, retries (and their absence for non-idempotent calls), a kill in the middle
of a batch, paging with a cursor per page, Bulk API 2.0 and social history."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.base import (
    AuthError,
    ConfigError,
    InteractionItem,
    RateLimited,
    RecordRejected,
    RetriableError,
    UpsertItem,
)
from adapters.salesforce import from_config
from adapters.salesforce.sandbox import SandboxHandle
from tests.adapters.contract import drain, ids_in
from tests.adapters.salesforce_harness import Backdoor, SalesforceHarness, config, door, sandbox

__all__ = ["door", "sandbox"]


def contact(n: int, **extra: object) -> dict[str, object]:
    return {"FirstName": f"Ana{n}", "LastName": "Novak", "Email": f"ana{n}@example.com", **extra}


def test_password_login_over_soap_and_renewal_after_the_session_expires(sandbox: SandboxHandle, door: Backdoor) -> None:
    auth = {"username": sandbox.username, "password": sandbox.password, "security_token": sandbox.security_token}
    adapter = from_config(config(sandbox, auth=auth))
    adapter.check()
    assert door("POST", "sessions/expire").status_code == 204
    assert adapter.upsert_batch("contact", [UpsertItem("lnk_renewed", contact(1))])[0].ok


def test_oauth_password_flow(sandbox: SandboxHandle, door: Backdoor) -> None:
    door("POST", "apps", json={"consumer_key": "ck-1", "consumer_secret": "cs-1"})
    auth = {"username": sandbox.username, "password": sandbox.password, "security_token": sandbox.security_token,
            "consumer_key": "ck-1", "consumer_secret": "cs-1"}  # fmt: skip
    from_config(config(sandbox, auth=auth)).describe("lead")


def test_jwt_bearer_flow(sandbox: SandboxHandle, door: Backdoor) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    door("POST", "apps", json={"consumer_key": "ck-jwt", "public_key": public.decode()})
    jwt = {"consumer_key": "ck-jwt", "username": sandbox.username, "private_key": private.decode(),
           "audience": sandbox.instance_url}  # fmt: skip
    adapter = from_config(config(sandbox, auth={"jwt": jwt}))
    adapter.check()
    assert door("POST", "sessions/expire").status_code == 204
    assert adapter.get_by_ids("contact", []) == []
    assert adapter.describe("contact").get("Rapport_Id__c") is not None


def test_wrong_password_is_an_auth_error_without_the_password(
    sandbox: SandboxHandle, door: Backdoor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth = {"username": sandbox.username, "password": "hunter2-secret", "security_token": "tok-secret"}
    adapter = from_config(config(sandbox, auth=auth))
    with pytest.raises(AuthError) as caught:
        adapter.check()
    shown = f"{caught.value} {adapter.cfg!r} {caplog.text}"
    assert "hunter2" not in shown and "tok-secret" not in shown


def test_bad_settings_are_named_without_their_secrets() -> None:
    with pytest.raises(ConfigError, match="instance_url must be an https URL"):
        from_config({"name": "sf", "instance_url": "http://x", "auth": {"session_id": "s3cr3t"}})
    with pytest.raises(ConfigError, match="api_budget_share") as caught:
        from_config(
            {"name": "sf", "instance_url": "https://x", "auth": {"session_id": "s3cr3t"}, "api_budget_share": 2}
        )
    assert "s3cr3t" not in str(caught.value)
    with pytest.raises(ConfigError, match="private_key"):
        from_config(
            {"name": "sf", "instance_url": "https://x", "auth": {"jwt": {"consumer_key": "k", "username": "u"}}}
        )


def test_an_expired_given_session_is_an_auth_error(sandbox: SandboxHandle, door: Backdoor) -> None:
    adapter = from_config(config(sandbox, auth={"session_id": "00D000000000000!bogus"}))
    with pytest.raises(AuthError, match="invalid or expired"):
        adapter.describe("contact")


def test_our_writes_are_tagged_client_rapport(sandbox: SandboxHandle, door: Backdoor) -> None:
    harness = SalesforceHarness(sandbox)
    result = harness.adapter.upsert_batch("contact", [UpsertItem("lnk_t", contact(1))])[0]
    seeded = harness.seed(contact(2))
    assert door.record("Contact", str(result.crm_id))["origin"].endswith(";client=rapport")
    assert "client=rapport" not in door.record("Contact", seeded)["origin"]


@pytest.mark.parametrize(
    ("setup", "code", "field"),
    [
        ("duplicate", "DUPLICATE_VALUE", "Rapport_Id__c"),
        ("picklist", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Rapport_Sentiment__c"),
        ("too_long", "STRING_TOO_LONG", "LastName"),
        ("deleted", "ENTITY_IS_DELETED", None),
        ("required", "REQUIRED_FIELD_MISSING", "LastName"),
    ],
)
def test_record_errors_an_admin_can_read(
    sandbox: SandboxHandle, door: Backdoor, setup: str, code: str, field: str | None
) -> None:
    harness = SalesforceHarness(sandbox)
    adapter = harness.adapter
    if setup == "duplicate":
        adapter.upsert_batch("contact", [UpsertItem("lnk_taken", contact(1))])
        result = adapter.update_batch("contact", [(harness.seed(contact(2)), {"Rapport_Id__c": "lnk_taken"})])[0]
    elif setup == "picklist":
        result = adapter.upsert_batch("contact", [UpsertItem("p", contact(1, Rapport_Sentiment__c="ecstatic"))])[0]
    elif setup == "too_long":
        result = adapter.upsert_batch("contact", [UpsertItem("l", contact(1, LastName="x" * 81))])[0]
    elif setup == "deleted":
        record_id = harness.seed(contact(1))
        harness.delete(record_id)
        result = adapter.update_batch("contact", [(record_id, {"Title": "CEO"})])[0]
    else:
        result = adapter.upsert_batch("contact", [UpsertItem("r", {"FirstName": "Only"})])[0]
    assert isinstance(result.error, RecordRejected)
    assert result.error.code == code
    assert field is None or field in result.error.fields
    assert len(result.error.message) > len(code)


def test_budget_share_pauses_with_retry_after_instead_of_spinning(sandbox: SandboxHandle, door: Backdoor) -> None:
    door("POST", "limits", json={"daily_max": 1000, "used": 600})
    adapter = from_config(config(sandbox, api_budget_share=0.5))
    adapter.describe("contact")
    calls = adapter.api_calls
    with pytest.raises(RateLimited) as caught:
        adapter.get_by_ids("contact", ["003000000000001"])
    assert 60 <= caught.value.retry_after <= 3600
    assert adapter.api_calls == calls
    assert from_config(config(sandbox, api_budget_share=0.9)).get_by_ids("contact", []) == []


def test_request_limit_exceeded_is_rate_limited(sandbox: SandboxHandle, door: Backdoor) -> None:
    door("POST", "limits", json={"daily_max": 10, "used": 10})
    with pytest.raises(RateLimited):
        from_config(config(sandbox)).describe("contact")


def test_idempotent_calls_are_retried_through_an_outage(sandbox: SandboxHandle, door: Backdoor) -> None:
    adapter = from_config(config(sandbox, max_attempts=3))
    door.fault("outage", 2)
    assert adapter.upsert_batch("contact", [UpsertItem("lnk_o", contact(1))])[0].created
    assert adapter.api_calls == 3
    door.fault("outage", 3)
    with pytest.raises(RetriableError):
        adapter.get_by_ids("contact", ["003000000000001"])


def test_non_idempotent_calls_are_never_repeated(sandbox: SandboxHandle, door: Backdoor) -> None:
    adapter = from_config(config(sandbox, max_attempts=5))
    door.fault("outage", 1)
    with pytest.raises(RetriableError):
        adapter.client.rest("POST", "sobjects/Contact", json=contact(1), idempotent=False)
    assert adapter.api_calls == 1 and door.count("Contact") == 0


def test_a_slow_answer_times_out_as_retriable(sandbox: SandboxHandle, door: Backdoor) -> None:
    adapter = from_config(config(sandbox, timeout_seconds=0.3, max_attempts=1))
    door.fault("slow", 1, seconds=1.5)
    with pytest.raises(RetriableError, match="in time"):
        adapter.describe("contact")


def test_kill_in_the_middle_of_a_batch_then_rerun_creates_no_duplicate(sandbox: SandboxHandle, door: Backdoor) -> None:
    adapter = from_config(config(sandbox, max_attempts=3))
    items = [UpsertItem(f"lnk_{n}", contact(n)) for n in range(10)]
    door.fault("partial", 3, records=4)  # every attempt dies after the 4th record
    with pytest.raises(RetriableError):
        adapter.upsert_batch("contact", items)
    assert door.count("Contact") == 4
    rerun = adapter.upsert_batch("contact", items)
    assert all(r.ok for r in rerun) and door.count("Contact") == 10
    assert [r.created for r in rerun] == [False] * 4 + [True] * 6


def test_pages_of_200_with_a_cursor_after_each(sandbox: SandboxHandle, door: Backdoor) -> None:
    seeded = set(door.seed("Contact", *(contact(n) for n in range(450))))
    adapter = from_config(config(sandbox, query_batch_size=200))
    pages = list(adapter.list_changes("contact", None))
    assert [p.has_more for p in pages] == [True, True, False]
    assert [len(p.records) for p in pages] == [200, 200, 50] and ids_in(pages) == seeded
    resumed, _ = drain(adapter, "contact", pages[0].next_cursor)
    assert ids_in(resumed) == seeded - {r.id for r in pages[0].records}


def test_large_runs_go_through_bulk_api_2(sandbox: SandboxHandle, door: Backdoor) -> None:
    adapter = from_config(config(sandbox, bulk_threshold=5))
    items = [UpsertItem(f"lnk_b{n}", contact(n)) for n in range(12)]
    items[3] = UpsertItem("lnk_b3", contact(3, LastName="y" * 81))
    first = adapter.upsert_batch("contact", items)
    assert [r.ref for r in first] == [i.link_id for i in items]
    assert first[3].error is not None and first[3].error.code == "STRING_TOO_LONG"
    assert all(r.ok and r.created for i, r in enumerate(first) if i != 3)
    again = adapter.upsert_batch("contact", items)
    assert not any(r.created for r in again) and door.count("Contact") == 11
    assert adapter.api_calls < 20


def test_social_history_rows_are_linked_to_their_record(sandbox: SandboxHandle, door: Backdoor) -> None:
    harness = SalesforceHarness(sandbox, "lead")
    lead = harness.seed(harness.valid_fields(1))
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    items = [
        InteractionItem("x:1", lead, "lead", "x", "mention", "inbound", "hello", "https://x.com/p/1", when),
        InteractionItem("x:2", lead, "account", "x", "post", None, None, None, None),
    ]
    first = harness.adapter.write_interactions(items)
    assert first[0].created and first[1].error is not None
    row = door.record("Rapport_Social_Interaction__c", str(first[0].crm_id))["record"]
    assert row["Lead__c"] == lead and row["External_Id__c"] == "x:1" and row["Text__c"] == "hello"
    assert row["Occurred_At__c"].startswith("2024-05-01T12:00:00")
    assert not harness.adapter.write_interactions(items[:1])[0].created
    assert door.count("Rapport_Social_Interaction__c") == 1


def test_a_failed_bulk_upload_is_aborted_and_not_repeated(sandbox: SandboxHandle, door: Backdoor) -> None:
    adapter = from_config(config(sandbox, bulk_threshold=2, max_attempts=5))
    items = [UpsertItem(f"lnk_f{n}", contact(n)) for n in range(3)]
    adapter.describe("contact")
    calls = adapter.api_calls
    door.fault("outage", 1)
    with pytest.raises(RetriableError):
        adapter.upsert_batch("contact", items)
    assert adapter.api_calls == calls + 1 and door.count("Contact") == 0
    assert all(r.created for r in adapter.upsert_batch("contact", items))
