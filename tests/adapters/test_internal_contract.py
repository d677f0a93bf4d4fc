"""The internal adapter against the adapter contract, over real HTTP to the test service."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from adapters.internal import InternalAdapter, parse_config
from tests.adapters.contract import AdapterContract
from tests.adapters.internal_service import TOKEN, InternalService

SCHEMA = {
    "id": {"type": "id", "writable": False},
    "first_name": {"type": "string", "length": 100},
    "last_name": {"type": "string", "length": 100},
    "email": {"type": "email", "length": 254, "unique": True},
    "phone": "phone",
    "city": "string",
    "rapport_id": {"type": "string", "length": 64},
    "rapport_customer_id": {"type": "string", "length": 64},
    "updated_at": {"type": "datetime", "writable": False},
}


def erp_config(url: str, **overrides: Any) -> dict[str, Any]:
    """The connection entry for the test service (CONTRACT.md's example, plus the extended keys)."""
    config: dict[str, Any] = {
        "name": "erp",
        "kind": "internal",
        "base_url": f"{url}/api",
        "auth": {"header": "Authorization", "value": TOKEN},
        "id_field": "id",
        "updated_field": "updated_at",
        "deleted_field": "deleted",
        "list_changes": {
            "path": "/customers", "since_param": "updated_since", "items": "$.data", "cursor": "$.next",
            "page_size": 2,
        },
        "upsert": {"method": "PUT", "path": "/customers/{id}"},
        "interactions": {"method": "PUT", "path": "/interactions/{key}"},
        "retry": {"attempts": 3, "initial_wait": 0.01, "max_wait": 5},
        "timeout": 5,
    }  # fmt: skip
    config.update(overrides)
    return config


class Sleeps(list[float]):
    """A stand-in for time.sleep that records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_adapter(service: InternalService, **overrides: Any) -> tuple[InternalAdapter, Sleeps]:
    sleeps = Sleeps()
    return InternalAdapter(parse_config(erp_config(service.url, **overrides)), sleep=sleeps), sleeps


@pytest.fixture(scope="module")
def service() -> Iterator[InternalService]:
    running = InternalService().start()
    yield running
    running.stop()


class InternalHarness:
    object = "contact"
    link_field = "rapport_id"

    def __init__(self, service: InternalService, adapter: InternalAdapter) -> None:
        self.service = service
        self.adapter = adapter

    def valid_fields(self, n: int) -> dict[str, Any]:
        return {"first_name": f"Ana{n}", "last_name": "Novak", "email": f"ana{n}@example.com"}

    def invalid_fields(self) -> dict[str, Any]:
        return {"last_name": "x" * 500}

    def seed(self, fields: Mapping[str, Any]) -> str:
        return self.service.seed(fields)

    def edit(self, record_id: str, fields: Mapping[str, Any]) -> None:
        self.service.edit(record_id, fields)

    def delete(self, record_id: str) -> None:
        self.service.delete(record_id)

    def value(self, record_id: str, name: str) -> Any:
        return self.service.value(record_id, name)

    def fail_next_calls(self, fault: str, count: int) -> None:
        if fault == "rate_limit":
            self.service.fail_next(429, count, retry_after="2")
        else:
            self.service.fail_next(503, count)


class TestInternalAdapterWithSchema(AdapterContract):
    @pytest.fixture
    def harness(self, service: InternalService) -> Iterator[InternalHarness]:
        service.reset()
        adapter, _ = make_adapter(service, schema=SCHEMA)
        yield InternalHarness(service, adapter)
        adapter.close()


class TestInternalAdapterSampledSchema(AdapterContract):
    """Without a `schema` block, describe samples the listing; links instead of tokens for paging."""

    @pytest.fixture
    def harness(self, service: InternalService) -> Iterator[InternalHarness]:
        service.reset()
        service.next_style = "link"
        adapter, _ = make_adapter(service)
        yield InternalHarness(service, adapter)
        adapter.close()
