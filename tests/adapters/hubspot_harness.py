"""Test helpers for the HubSpot adapter: a sandbox in a thread, an adapter on it, and a back door over HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from adapters.hubspot import HubSpotAdapter, parse_config
from adapters.hubspot.sandbox import SandboxHandle, start_in_thread


def no_sleep(_: float) -> None:
    """Retries in tests do not wait (the sandbox's Retry-After is honoured by the adapter's limiter)."""


class HubSpotHarness:
    """The contract suite's harness: the adapter under test against a fresh sandbox portal."""

    object = "contact"
    link_field = "rapport_id"

    def __init__(self, blank: bool = False, window: float = 1.0, **config: Any) -> None:
        self.handle: SandboxHandle = start_in_thread(blank=blank, window=window)
        self.http = httpx.Client(base_url=self.handle.base_url + "/__sandbox__", timeout=10)
        self.http.post("/config", json={"fault_retry_after": 0.02}).raise_for_status()
        self.config = {
            "name": "hs",
            "base_url": self.handle.base_url,
            "auth": {"access_token": self.handle.access_token},
            "max_attempts": 3,
            **config,
        }
        self.adapter = HubSpotAdapter(parse_config(self.config))

    def close(self) -> None:
        """Stop the sandbox."""
        self.http.close()
        self.handle.stop()

    def valid_fields(self, n: int) -> dict[str, Any]:
        return {"firstname": f"Ana{n}", "lastname": "Novak", "email": f"ana{n}@example.com"}

    def invalid_fields(self) -> dict[str, Any]:
        return {"lastname": "Novak", "rapport_social_followers": "many"}

    def seed(self, fields: Mapping[str, Any]) -> str:
        answer = self.http.post("/records/contacts", json={"properties": dict(fields)})
        answer.raise_for_status()
        return str(answer.json()["id"])

    def edit(self, record_id: str, fields: Mapping[str, Any]) -> None:
        self.http.patch(f"/records/contacts/{record_id}", json={"properties": dict(fields)}).raise_for_status()

    def delete(self, record_id: str) -> None:
        self.http.delete(f"/records/contacts/{record_id}").raise_for_status()

    def value(self, record_id: str, name: str) -> Any:
        answer = self.http.get(f"/records/contacts/{record_id}")
        answer.raise_for_status()
        return answer.json()["properties"].get(name)

    def fail_next_calls(self, fault: str, count: int) -> None:
        self.http.post("/faults", json={"fault": fault, "count": count}).raise_for_status()

    def records(self, object_type: str = "contacts") -> list[dict[str, Any]]:
        """Every object of a type, archived ones included, straight from the portal."""
        answer = self.http.get(f"/records/{object_type}")
        answer.raise_for_status()
        results: list[dict[str, Any]] = answer.json()["results"]
        return results

    def stats(self) -> dict[str, Any]:
        """The sandbox's counters (requests, throttled, objects)."""
        stats: dict[str, Any] = self.http.get("/stats").json()
        return stats
