"""Ambiguity: a new record that fits two existing customers about equally joins neither and goes to review."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from identity.api import ReviewItem
from identity.candidates import Neighbourhood
from identity.pairs import PairScore
from identity.weights import Weights


def _best_per_customer(
    hood: Neighbourhood, scores: Mapping[tuple[str, str], PairScore]
) -> dict[str, dict[str, tuple[float, PairScore]]]:
    """For each new batch record: its best score with each existing customer."""
    best: dict[str, dict[str, tuple[float, PairScore]]] = {}
    for (a, b), score in scores.items():
        if score.veto:
            continue
        for key, other_key in ((a, b), (b, a)):
            item, other = hood.batch.get(key), hood.stored.get(other_key)
            if item is None or other is None or item.customer_id or not other.customer_id:
                continue
            per_customer = best.setdefault(key, {})
            customer = other.customer_id
            if score.total > per_customer.get(customer, (float("-inf"), score))[0]:
                per_customer[customer] = (score.total, score)
    return best


def ambiguous_records(
    hood: Neighbourhood,
    scores: Mapping[tuple[str, str], PairScore],
    weights: Weights,
    do_not_link: Collection[frozenset[str]],
) -> list[ReviewItem]:
    """Review items for new records whose two best customers are both above threshold and close."""
    items: list[ReviewItem] = []
    for key, per_customer in sorted(_best_per_customer(hood, scores).items()):
        ranked = sorted(
            ((total, customer, score) for customer, (total, score) in per_customer.items()),
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
