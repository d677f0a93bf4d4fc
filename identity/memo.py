"""Memo tables for the identity package's hot paths, bounded so a long-running worker does not grow forever."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V], Generic[K, V]):
    """A dict that empties itself when it holds `limit` entries.

    Lookups stay plain dict reads (the paths that use it run millions of times per batch, where `lru_cache`
    bookkeeping would cost more than it saves), and recomputing what a clear dropped is cheap.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> V:
        """Remember `value` under `key` (after emptying the table if it is full); returns `value`."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
