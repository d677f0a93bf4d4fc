"""Pairwise comparison: the name comparison and the registry of field comparers that `score_pair` runs.

Identifiers are compared in `compare_contacts`, descriptions (places, employers, dates...) in
`compare_attributes`; `pairs` holds the types they share.
"""

from __future__ import annotations

from collections.abc import Callable

from identity.compare_attributes import (
    address_comparison,
    category_comparison,
    company_comparison,
    date_comparison,
    identifier_comparison,
    place_comparison,
    postcode_comparison,
)
from identity.compare_contacts import (
    account_comparison,
    email_comparison,
    handle_comparison,
    phone_comparison,
    website_comparison,
)
from identity.namematch import EXACT, FUZZY, LEVEL_NAMES, VARIANT, NameMatch, compare_name_ids
from identity.pairs import Comparison, Pair
from identity.stats import KeyStats
from identity.weights import Weights


def name_pair_count(stats: KeyStats, keys: list[str]) -> int:
    """Records carrying the name two records share, counted under the broadest key they share: a name's
    spellings and scripts (Seosu, Suhsoo, 서수) are one name, and counting only one spelling would make a common
    name look rare."""
    return max(stats.count(key) for key in keys)


def namesakes_of(count: float, w: Weights) -> float:
    """Other people expected to carry a name `count` records carry: neither the record itself nor, on average,
    the person's other records are namesakes (a person has several profiles under one name)."""
    return max(count - 1 - w.own_records, w.namesakes_floor)


def name_comparison(pair: Pair, stats: KeyStats, w: Weights) -> tuple[NameMatch, Comparison | None]:
    """Names, weighted by the rarity of the agreeing name."""
    match = compare_name_ids(pair.a.names_id, pair.b.names_id, pair.a.names, pair.b.names)
    if match.outcome == "missing":
        return match, None
    values = tuple(sorted(match.matched))
    if match.outcome in ("conflict", "different"):
        weight = w.name_conflict if match.outcome == "conflict" else w.name_different
        return match, Comparison("name", match.outcome, weight * (0.3 if match.derived else 1.0), values)
    prefix = {"full": "n:", "initial": "ni:", "single": "g:"}[match.outcome]
    shared = pair.shared(prefix)
    own_a, own_b = pair.own(prefix)
    if not shared:
        count: float = max(stats.rarest(own_a), stats.rarest(own_b))
    else:
        count = name_pair_count(stats, shared) if prefix == "n:" else stats.rarest(shared)
    namesakes = namesakes_of(count, w)
    if match.outcome == "full":
        offset = {EXACT: w.name_exact, VARIANT: w.name_variant, FUZZY: w.name_fuzzy}[match.quality]
        level = LEVEL_NAMES[match.quality]
        if match.extra:
            offset += w.name_extra_token
            level += ", one name has a further part"
    else:
        offset = w.name_initial if match.outcome == "initial" else w.name_single
        level = "initial" if match.outcome == "initial" else "one name only"
    weight = max(stats.surprise(namesakes) + offset, 0.5)
    if match.derived:
        weight *= w.name_guessed_factor
        level += " (guessed from handle)"
    return match, Comparison("name", level, weight, values)


FieldComparer = Callable[[Pair, KeyStats, Weights], Comparison | None]
COMPARERS: tuple[FieldComparer, ...] = (
    email_comparison,
    phone_comparison,
    account_comparison,
    handle_comparison,
    website_comparison,
    place_comparison,
    company_comparison,
    date_comparison,
    identifier_comparison,
    postcode_comparison,
    address_comparison,
    category_comparison,
)
