"""A cheap upper bound of a pair's score, to skip pairs that cannot link before comparing names.

Blocks of common names hold many namesakes; a pair that shares no identifier can reach the threshold only
with a rare enough name plus agreeing places, employers or handles, which the shared keys already tell.
"""

from __future__ import annotations

from identity.candidates import Indexed
from identity.compare import namesakes_of
from identity.stats import KeyStats
from identity.weights import Weights


def _name_bound(a: Indexed, b: Indexed, stats: KeyStats, weights: Weights) -> float:
    other = b.keys
    shared_pairs = [key for key in a.sets.name_pairs if key in other]
    if shared_pairs:
        namesakes = namesakes_of(stats.rarest(shared_pairs), weights)
        return stats.surprise(namesakes) + max(weights.name_exact, weights.name_variant)
    shared_single = [key for key in a.sets.single_names if key in other]
    if not shared_single:
        return 0.0
    return stats.surprise(namesakes_of(stats.rarest(shared_single), weights)) + weights.name_single


def _first_words(companies: frozenset[str]) -> set[str]:
    return {company.split()[0] for company in companies if company}


def may_link(left: Indexed, right: Indexed, stats: KeyStats, weights: Weights) -> bool:
    """False only when no comparison could lift the pair over the threshold."""
    if not right.keys.isdisjoint(left.sets.strong):
        return True
    a, b = left.profile, right.profile
    bound = stats.prior() + _name_bound(left, right, stats, weights)
    if a.handle_cores and b.handle_cores:  # the same handle is a strong key; only similar ones are left
        bound += weights.handle_similar
    if a.addresses and b.addresses:
        bound += weights.address_levels[0][1]
    if a.cities & b.cities:
        bound += weights.city_cap
    if _first_words(a.companies) & _first_words(b.companies):
        bound += weights.company_cap
    if a.postcodes & b.postcodes:
        bound += weights.postcode_cap
    if a.categories & b.categories:
        bound += weights.category_agree * len(a.categories & b.categories)
    return bound >= weights.threshold
