"""A cheap upper bound of a pair's score, to skip pairs that cannot link before comparing names.

Blocks of common names hold many namesakes; a pair that shares no identifier can reach the threshold only
with a rare enough name plus agreeing places, employers or handles, which the shared keys already tell.
"""

from __future__ import annotations

from identity.compare import Pair
from identity.stats import KeyStats
from identity.weights import Weights

# Keys whose agreement may be decisive on its own: such pairs are always scored.
STRONG_PREFIXES = ("e:", "p:", "pt:", "a:", "h:", "w:", "d:", "i:")
_NAME_PREFIXES = ("n:", "ni:")


def _name_bound(pair: Pair, stats: KeyStats, weights: Weights) -> float:
    name_counts = [stats.count(k) for prefix in _NAME_PREFIXES for k in pair.shared(prefix)]
    if name_counts:
        return stats.surprise(min(name_counts)) + max(weights.name_exact, weights.name_variant)
    single = [stats.count(k) for k in pair.shared("g:")]
    return stats.surprise(min(single)) + weights.name_single if single else 0.0


def may_link(pair: Pair, stats: KeyStats, weights: Weights) -> bool:
    """False only when no comparison could lift the pair over the threshold."""
    if any(pair.shared(prefix) for prefix in STRONG_PREFIXES):
        return True
    a, b = pair.a, pair.b
    bound = stats.prior() + _name_bound(pair, stats, weights)
    if a.handle_cores and b.handle_cores:
        bound += weights.handle_of_name + weights.handle_similar
    if a.addresses and b.addresses:
        bound += weights.address_levels[0][1]
    if a.cities & b.cities:
        bound += weights.city_cap
    if a.companies and b.companies:
        bound += weights.company_cap
    if a.postcodes & b.postcodes:
        bound += weights.postcode_cap
    if a.categories & b.categories:
        bound += weights.category_agree * len(a.categories & b.categories)
    return bound >= weights.threshold
