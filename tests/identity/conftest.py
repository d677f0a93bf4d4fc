"""Shared builders for identity tests: records as the hub hands them over, and a resolve-all helper."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from identity.api import IdentityRecord
from identity.engine import IdentityEngine
from identity.memory_store import MemoryStore, resolve_all


def social(network: str, uid: str, **attributes: Any) -> IdentityRecord:
    """A social profile record."""
    attrs = {"network": network, "id": uid, **attributes}
    return IdentityRecord(f"social_profile:{network}:{uid}", "social_profile", network, uid, attrs)


def contact(system: str, uid: str, **attributes: Any) -> IdentityRecord:
    """A CRM contact record."""
    attrs = {"system": system, "id": uid, **attributes}
    return IdentityRecord(f"contact:{system}:{uid}", "contact", system, uid, attrs)


def background(count: int = 60) -> list[IdentityRecord]:
    """Unrelated people, so that term frequencies look like a real store's."""
    given = ["Anna", "Peter", "Laura", "Tom", "Eva", "Marco", "Lena", "Omar", "Ines", "Yusuf", "Clara", "Hugo"]
    family = ["Berg", "Costa", "Dahl", "Ekman", "Ferro", "Gallo", "Holm", "Iversen", "Jansen", "Kask"]
    return [
        contact("bg", str(n), first_name=given[n % len(given)], last_name=family[(n * 7) % len(family)] + str(n))
        for n in range(count)
    ]


def customers_of(store: MemoryStore) -> list[set[str]]:
    """The partition of stored records into customers."""
    return sorted((set(members) for members in store.customers().values()), key=lambda s: sorted(s))


def together(store: MemoryStore, *keys: str) -> bool:
    """Whether these records belong to one customer."""
    return len({store.customer_of(key) for key in keys}) == 1


@pytest.fixture
def engine() -> IdentityEngine:
    """A fresh engine with default weights."""
    return IdentityEngine()


def run(engine: IdentityEngine, records: Sequence[IdentityRecord], batch_size: int = 1000) -> MemoryStore:
    """Resolve records (after a background population) into a new memory store."""
    store = MemoryStore()
    resolve_all(engine, store, [*background(), *records], batch_size)
    return store
