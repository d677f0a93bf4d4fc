"""Internal adapter over HTTP: auth, rate limits, retries (idempotent calls only), refusals, no leaked secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from adapters.base import AuthError, ConfigError, InteractionItem, RateLimited, RetriableError, UpsertItem
from adapters.internal import InternalAdapter, parse_config
from tests.adapters.internal_service import TOKEN, InternalService
from tests.adapters.test_internal_contract import erp_config, make_adapter

SECRET = TOKEN.split()[1]


@pytest.fixture(scope="module")
def running() -> Iterator[InternalService]:
    service = InternalService().start()
    yield service
    service.stop()


@pytest.fixture
def service(running: InternalService) -> InternalService:
    running.reset()
    return running


def test_wrong_credentials_raise_auth_error_without_the_credential(service: InternalService) -> None:
    adapter, _ = make_adapter(service, auth={"header": "Authorization", "value": "Bearer wrong-token-123456"})
    with pytest.raises(AuthError) as caught:
        adapter.check()
    assert "auth.value" in str(caught.value)
    assert "wrong-token-123456" not in str(caught.value)
    assert service.calls("GET") == 1  # never retried


def test_rate_limit_is_retried_honouring_retry_after_then_raised(service: InternalService) -> None:
    adapter, sleeps = make_adapter(service)
    service.fail_next(429, 10, retry_after="2")
    with pytest.raises(RateLimited) as caught:
        adapter.get_by_ids("contact", ["c00001"])
    assert caught.value.retry_after == 2
    assert sleeps == [2.0, 2.0]
    assert service.calls("GET") == 3


def test_a_retry_after_beyond_max_wait_is_raised_at_once(service: InternalService) -> None:
    adapter, sleeps = make_adapter(service)
    service.fail_next(429, 1, retry_after="600")
    with pytest.raises(RateLimited) as caught:
        adapter.get_by_ids("contact", ["c00001"])
    assert caught.value.retry_after == 600
    assert sleeps == []
    assert service.calls("GET") == 1


def test_a_503_then_success_is_retried_transparently_for_get(service: InternalService) -> None:
    record_id = service.seed({"first_name": "Ana"})
    adapter, sleeps = make_adapter(service)
    service.fail_next(503, 2)
    found = adapter.get_by_ids("contact", [record_id])
    assert [r.id for r in found] == [record_id]
    assert len(sleeps) == 2
    assert adapter.api_calls == 3


def test_a_503_then_success_is_retried_transparently_for_put(service: InternalService) -> None:
    adapter, _ = make_adapter(service)
    service.fail_next(503, 1)
    results = adapter.upsert_batch("contact", [UpsertItem("lnk_1", {"first_name": "Ana"})])
    assert results[0].ok and results[0].created
    assert service.calls("PUT") == 2
    assert len(service.records) == 1


def test_a_persistent_outage_raises_retriable_error(service: InternalService) -> None:
    adapter, _ = make_adapter(service)
    service.fail_next(503, 10)
    with pytest.raises(RetriableError) as caught:
        list(adapter.list_changes("contact", None))
    assert "HTTP 503" in str(caught.value) and "3 attempt(s)" in str(caught.value)


def test_post_is_never_retried(service: InternalService) -> None:
    adapter, sleeps = make_adapter(service, upsert={"method": "POST", "path": "/customers"})
    service.fail_next(503, 1)
    with pytest.raises(RetriableError) as caught:
        adapter.upsert_batch("contact", [UpsertItem("lnk_1", {"first_name": "Ana"})])
    assert "not idempotent" in str(caught.value)
    service.fail_next(429, 1, retry_after="1")
    with pytest.raises(RateLimited):
        adapter.upsert_batch("contact", [UpsertItem("lnk_1", {"first_name": "Ana"})])
    assert service.calls("POST") == 2
    assert sleeps == []
    assert service.records == {}


def test_post_upsert_creates_with_the_link_id_in_the_body(service: InternalService) -> None:
    adapter, _ = make_adapter(service, upsert={"method": "POST", "path": "/customers"})
    result = adapter.upsert_batch("contact", [UpsertItem("lnk_9", {"first_name": "Ana"})])[0]
    assert result.ok and result.created and result.crm_id
    assert service.value(result.crm_id, "rapport_id") == "lnk_9"


def test_unreachable_service_is_retriable(service: InternalService) -> None:
    adapter, sleeps = make_adapter(service, base_url="http://127.0.0.1:9/api")
    with pytest.raises(RetriableError) as caught:
        adapter.check()
    assert "could not reach" in str(caught.value)
    assert len(sleeps) == 2


def test_refusals_carry_the_services_code_message_and_fields(service: InternalService) -> None:
    adapter, _ = make_adapter(service)
    service.seed({"email": "taken@example.com"})
    results = adapter.upsert_batch(
        "contact",
        [UpsertItem("lnk_1", {"email": "taken@example.com"}), UpsertItem("lnk_2", {"last_name": "x" * 200})],
    )
    first, second = (r.error for r in results)
    assert first is not None and first.code == "DUPLICATE_VALUE" and first.fields == ("email",)
    assert first.message == "email already used"
    assert second is not None and second.code == "STRING_TOO_LONG" and second.fields == ("last_name",)


def test_update_of_a_missing_record_is_not_found(service: InternalService) -> None:
    adapter, _ = make_adapter(service)
    result = adapter.update_batch("contact", [("c99999", {"first_name": "Ana"})])[0]
    assert result.error is not None and result.error.code == "NOT_FOUND"


def test_delete_of_a_missing_record_counts_as_deleted(service: InternalService) -> None:
    adapter, _ = make_adapter(service)
    assert adapter.delete_batch("contact", ["c99999"])[0].ok


def test_interactions_without_an_endpoint_are_a_config_error(service: InternalService) -> None:
    assert make_adapter(service)[0].supports_interactions is True
    adapter, _ = make_adapter(service, interactions=None)
    assert adapter.supports_interactions is False
    item = InteractionItem("x:1", "c00001", "contact", "x", "post", "inbound", "hi", None, None)
    with pytest.raises(ConfigError, match="interactions"):
        adapter.write_interactions([item])


def test_interaction_for_a_missing_parent_is_a_record_error(service: InternalService) -> None:
    adapter, _ = make_adapter(service)
    item = InteractionItem("x:1", "c99999", "contact", "x", "post", "inbound", "hi", None, None)
    result = adapter.write_interactions([item])[0]
    assert result.error is not None and result.error.code == "PARENT_MISSING"


def test_no_credential_in_any_error_or_log(service: InternalService, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    adapter, _ = make_adapter(service)
    messages: list[str] = []
    # The service echoes the caller's Authorization header in this refusal: it must come back masked.
    refused = adapter.upsert_batch("contact", [UpsertItem("lnk_1", {"echo_auth": 1})])[0].error
    assert refused is not None and "***" in refused.message
    messages.append(str(refused))
    service.fail_next(503, 10)
    for call in (adapter.check, lambda: adapter.get_by_ids("contact", ["c1"])):
        with pytest.raises(RetriableError) as caught:
            call()
        messages.append(str(caught.value))
    service.reset()
    bad, _ = make_adapter(service, auth={"header": "Authorization", "value": f"Bearer {SECRET}x"})
    with pytest.raises(AuthError) as denied:
        bad.check()
    messages.append(str(denied.value))
    assert caplog.records, "retries are logged"
    for text in [*messages, caplog.text, repr(adapter.config)]:
        assert SECRET not in text


def test_rate_limit_per_second_spaces_requests(service: InternalService) -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    config = parse_config(erp_config(service.url, rate_limit={"per_second": 4}))
    adapter = InternalAdapter(config, sleep=sleep, clock=lambda: now[0])
    adapter.get_by_ids("contact", ["a", "b", "c"])
    assert sleeps == [0.25, 0.25]


def test_a_secret_object_is_unwrapped(service: InternalService) -> None:
    class Secret:
        def get_secret_value(self) -> str:
            return TOKEN

    config = parse_config(erp_config(service.url, auth={"header": "Authorization", "value": Secret()}))
    InternalAdapter(config).check()
