"""Fixtures for sync tests: a hub runtime on a real database wired to in-memory CRMs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Adapter
from adapters.memory import MemoryAdapter, MemorySystem
from hub.runtime import Runtime
from hub.settings import Settings


class MemoryCrms:
    """In-memory systems by connection name (the adapter factory hands out adapters over them)."""

    def __init__(self) -> None:
        self.systems: dict[str, MemorySystem] = {}

    def system(self, name: str) -> MemorySystem:
        return self.systems.setdefault(name, MemorySystem())

    def factory(self, kind: str, config: Mapping[str, Any]) -> Adapter:
        return MemoryAdapter(self.system(str(config["name"])), page_size=50)


@pytest.fixture
def crms() -> MemoryCrms:
    return MemoryCrms()


@pytest.fixture
def runtime(database_url: str, crms: MemoryCrms, tmp_path: Path) -> Iterator[Runtime]:
    settings = Settings(database_url=database_url, secret_key="test-secret-key")  # type: ignore[arg-type]
    runtime = Runtime(settings, adapter_factory=crms.factory)
    yield runtime
    runtime.database.dispose()
