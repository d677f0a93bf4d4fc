"""Test support for the Salesforce adapter: a sandbox per test session (in a thread, over real HTTPS), a
harness for the adapter contract suite, and a back-door client for the sandbox."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import requests

from adapters.salesforce import SalesforceAdapter, from_config
from adapters.salesforce.sandbox import SandboxHandle, start_in_thread

SOBJECTS = {"contact": "Contact", "lead": "Lead"}


class Backdoor:
    """`/__sandbox__/...` and plain HTTPS calls to a running sandbox."""

    def __init__(self, handle: SandboxHandle) -> None:
        self.handle = handle
        self.http = requests.Session()
        self.http.verify = handle.ca_file
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace the sandbox's CA

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, f"{self.handle.instance_url}/__sandbox__/{path}", timeout=30, **kwargs)

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A REST call with the sandbox's session."""
        headers = {"Authorization": f"Bearer {self.handle.session_id}", **kwargs.pop("headers", {})}
        url = f"{self.handle.instance_url}/services/data/v59.0/{path}"
        return self.http.request(method, url, headers=headers, timeout=30, **kwargs)

    def seed(self, sobject: str, *records: Mapping[str, Any]) -> list[str]:
        response = self("POST", f"records/{sobject}", json={"records": list(records)})
        assert response.status_code == 201, response.text
        return list(response.json()["ids"])

    def record(self, sobject: str, record_id: str) -> dict[str, Any]:
        response = self("GET", f"records/{sobject}/{record_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def count(self, sobject: str) -> int:
        return int(self("GET", f"records/{sobject}").json()["count"])

    def fault(self, kind: str, count: int = 1, **extra: Any) -> None:
        assert self("POST", "faults", json={"kind": kind, "count": count, **extra}).status_code == 204


def config(handle: SandboxHandle, **overrides: Any) -> dict[str, Any]:
    """A connection config for the sandbox, with quick retries for tests."""
    return {
        "name": "sf",
        "instance_url": handle.instance_url,
        "auth": {"session_id": handle.session_id},
        "ca_file": handle.ca_file,
        "objects": ["contact", "lead"],
        "retry_wait_seconds": 0.01,
        "max_attempts": 3,
        **overrides,
    }


class SalesforceHarness:
    """The contract suite's view of the Salesforce adapter and its sandbox."""

    link_field = "Rapport_Id__c"

    def __init__(self, handle: SandboxHandle, object: str = "contact", **overrides: Any) -> None:
        self.object = object
        self.sobject = SOBJECTS[object]
        self.door = Backdoor(handle)
        self.adapter: SalesforceAdapter = from_config(config(handle, **overrides))

    def valid_fields(self, n: int) -> dict[str, Any]:
        fields: dict[str, Any] = {"FirstName": f"Ana{n}", "LastName": "Novak", "Email": f"ana{n}@example.com"}
        if self.object == "lead":
            fields["Company"] = f"Acme {n}"
        return fields

    def invalid_fields(self) -> dict[str, Any]:
        return {"LastName": "x" * 500}

    def seed(self, fields: Mapping[str, Any]) -> str:
        return self.door.seed(self.sobject, fields)[0]

    def edit(self, record_id: str, fields: Mapping[str, Any]) -> None:
        assert self.door("PATCH", f"records/{self.sobject}/{record_id}", json=dict(fields)).status_code == 204

    def delete(self, record_id: str) -> None:
        assert self.door("DELETE", f"records/{self.sobject}/{record_id}").status_code == 204

    def value(self, record_id: str, name: str) -> Any:
        return self.door.record(self.sobject, record_id)["record"].get(name)

    def fail_next_calls(self, fault: str, count: int) -> None:
        self.door.fault(fault, count)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxHandle]:
    """One Salesforce sandbox (with Rapport's fields) for the whole test session."""
    handle = start_in_thread()
    yield handle
    handle.stop()


@pytest.fixture
def door(sandbox: SandboxHandle) -> Iterator[Backdoor]:
    """A back door to a freshly reset sandbox; faults and limits are cleared afterwards."""
    door = Backdoor(sandbox)
    assert door("POST", "reset").status_code == 204
    yield door
    door("DELETE", "faults")
    door("POST", "limits", json={"daily_max": 100_000, "used": 0})
