"""Ambiguity: a new record that fits two existing customers about equally joins neither and goes to review."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from identity.api import ReviewItem
from identity.candidates import Neighbourhood
from identity.pairs import PairScore
from identity.weights import Weights

AMBIGUOUS = "fits two customers about equally well"


def too_close(first: tuple[float, PairScore], second: tuple[float, PairScore], weights: Weights) -> bool:
    """Whether the two best candidates (score, its pair score), both over the threshold, are too close to choose
    between: within the ambiguity margin, unless both are strong identifier links."""
    (one, s1), (two, s2) = first, second
    both_strong = min(one, two) >= weights.strong_merge and "score" not in (s1.rule, s2.rule)
    return one - two < weights.ambiguity_margin and not both_strong


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
        if not too_close((first, s1), (second, s2), weights):
            continue
        items.append(
            ReviewItem(
                record_key=key,
                candidates=(c1, c2),
                reason=AMBIGUOUS,
                score=round(first, 2),
                evidence={c1: s1.evidence(weights.threshold), c2: s2.evidence(weights.threshold)},
            )
        )
    return items
