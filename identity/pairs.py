"""A pair of profiles being compared, each field's weighted `Comparison`, and their sum, the `PairScore`.

Every comparison keeps the level and the values it saw, so a link can be explained to a CRM admin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from identity.namematch import NameMatch
from identity.profile import Profile
from identity.stats import KeyStats


def _cents(value: float) -> float:
    """`value` rounded to two decimals (cheaper than `round` on this hot path)."""
    return math.floor(value * 100 + 0.5) / 100


@dataclass(frozen=True, slots=True)
class Comparison:
    """One field's agreement: the level reached, its weight in bits, and the values compared."""

    field: str
    level: str
    weight: float
    values: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for `LinkDecision.evidence`."""
        return {"field": self.field, "level": self.level, "weight": _cents(self.weight), "values": list(self.values)}


@dataclass(slots=True)
class PairScore:
    """The score of two records: posterior log-odds (bits), the rule that links them, and why."""

    total: float
    rule: str
    name: NameMatch
    comparisons: list[Comparison] = field(default_factory=list)
    veto: str | None = None

    @property
    def weight_of_evidence(self) -> float:
        """The comparisons' weights without the prior: what the two records say, whatever the data's size."""
        return sum(c.weight for c in self.comparisons)

    def evidence(self, threshold: float) -> dict[str, Any]:
        """The explanation stored with a link."""
        return {
            "comparisons": [c.as_dict() for c in self.comparisons],
            "total": _cents(self.total),
            "threshold": threshold,
            "veto": self.veto,
        }


@dataclass(frozen=True, slots=True)
class Pair:
    """Two profiles with the keys they are indexed under."""

    a: Profile
    b: Profile
    keys_a: frozenset[str]
    keys_b: frozenset[str]
    common: frozenset[str] = field(init=False)
    _by_prefix: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "common", self.keys_a & self.keys_b)
        object.__setattr__(self, "_by_prefix", {})  # filled as comparers ask: most pairs need a few prefixes

    def shared(self, prefix: str) -> list[str]:
        """Keys with this prefix (up to its colon) both records carry, sorted."""
        found = self._by_prefix.get(prefix)
        if found is None:
            found = self._by_prefix[prefix] = sorted(key for key in self.common if key.startswith(prefix))
        return found

    def own(self, prefix: str) -> tuple[list[str], list[str]]:
        """Keys with this prefix of each record."""
        return ([k for k in self.keys_a if k.startswith(prefix)], [k for k in self.keys_b if k.startswith(prefix)])


def shared_weight(stats: KeyStats, count: int, bonus: float, cap: int) -> float:
    """Weight of an identifier held by `count` records: strong when it is theirs alone, nothing past `cap`."""
    if count > cap:
        return 0.0
    return stats.surprise(max(count - 1, 1)) + bonus - 2.0 * max(count - 3, 0)
