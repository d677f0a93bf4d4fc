"""Term frequencies: how many records carry each key, the store's counts plus the batch's own."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from identity.keys import ALL

# Pseudo-count of records never seen: term frequencies estimated from a small data set would otherwise call
# every name common (a name seen twice among ten records is not a common name).
UNSEEN_RECORDS = 500


@dataclass(frozen=True, slots=True)
class KeyStats:
    """Counts of keys over the stored records and the batch; `total` is N, the number of records."""

    counts: Mapping[str, int]
    total: int = field(init=False)  # N: the number of records, stored and new (at least 2)

    _prior: float = field(init=False)
    _scale: float = field(init=False)

    def __post_init__(self) -> None:
        total = max(self.counts.get(ALL, 0), 2)
        object.__setattr__(self, "total", total)
        object.__setattr__(self, "_prior", -math.log2(total))
        object.__setattr__(self, "_scale", math.log2(total + UNSEEN_RECORDS))

    def count(self, key: str) -> int:
        """Records carrying `key` (at least 1)."""
        return max(self.counts.get(key, 0), 1)

    def rarest(self, keys: Iterable[str]) -> int:
        """The smallest count among `keys` (1 if none is known)."""
        return min((self.count(key) for key in keys), default=1)

    def surprise(self, count: float) -> float:
        """log2(N / count): the information of agreeing on a value that `count` records carry."""
        return self._scale - math.log2(count) if count != 1 else self._scale

    def prior(self) -> float:
        """Prior log-odds that two records are one person: one match among N."""
        return self._prior
