"""Ambiguity: a new record that fits two existing customers about equally joins neither and goes to review."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from identity.api import ReviewItem
from identity.candidates import Neighbourhood
from identity.compare import PairScore
from identity.weights import Weights


def _best_per_customer(
    hood: Neighbourhood, key: str, scores: Mapping[tuple[str, str], PairScore]
) -> dict[str, tuple[float, PairScore]]:
    best: dict[str, tuple[float, PairScore]] = {}
    for (a, b), score in scores.items():
        if key not in (a, b) or score.veto:
            continue
        other = hood.stored.get(b if a == key else a)
        customer = other.profile.customer_id if other else None
        if customer and score.total > best.get(customer, (float("-inf"), score))[0]:
            best[customer] = (score.total, score)
    return best


def ambiguous_records(
    hood: Neighbourhood,
    scores: Mapping[tuple[str, str], PairScore],
    weights: Weights,
    do_not_link: Collection[frozenset[str]],
) -> list[ReviewItem]:
    """Review items for new records whose two best customers are both above threshold and close."""
    items: list[ReviewItem] = []
    for key, item in hood.batch.items():
        if item.profile.customer_id:
            continue
        ranked = sorted(
            ((total, customer, score) for customer, (total, score) in _best_per_customer(hood, key, scores).items()),
            key=lambda entry: (-entry[0], entry[1]),
        )
        above = [entry for entry in ranked if entry[0] >= weights.threshold]
        if len(above) < 2:
            continue
        (first, c1, s1), (second, c2, s2) = above[0], above[1]
        both_strong = min(first, second) >= weights.strong_merge and "score" not in (s1.rule, s2.rule)
        if first - second >= weights.ambiguity_margin or both_strong:
            continue
        items.append(
            ReviewItem(
                record_key=key,
                candidates=(c1, c2),
                reason="fits two customers about equally well",
                score=round(first, 2),
                evidence={c1: s1.evidence(weights.threshold), c2: s2.evidence(weights.threshold)},
            )
        )
    return items
