"""The memory adapter against the adapter contract."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from adapters.memory import LINK_FIELD, MemoryAdapter, MemorySystem
from tests.adapters.contract import AdapterContract


class MemoryHarness:
    object = "contact"
    link_field = LINK_FIELD

    def __init__(self) -> None:
        self.system = MemorySystem()
        self.adapter = MemoryAdapter(self.system, page_size=2)

    def valid_fields(self, n: int) -> dict[str, Any]:
        return {"firstname": f"Ana{n}", "lastname": "Novak", "email": f"ana{n}@example.com"}

    def invalid_fields(self) -> dict[str, Any]:
        return {"lastname": "x" * 5000}

    def seed(self, fields: Mapping[str, Any]) -> str:
        return self.system.create(fields)

    def edit(self, record_id: str, fields: Mapping[str, Any]) -> None:
        self.system.edit(record_id, fields)

    def delete(self, record_id: str) -> None:
        self.system.delete(record_id)

    def value(self, record_id: str, name: str) -> Any:
        return self.system.records[record_id].get(name)

    def fail_next_calls(self, fault: str, count: int) -> None:
        self.system.faults.extend([fault] * count)


class TestMemoryAdapter(AdapterContract):
    @pytest.fixture
    def harness(self) -> MemoryHarness:
        return MemoryHarness()
