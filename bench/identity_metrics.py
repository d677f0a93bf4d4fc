"""Clustering quality against a truth: pairwise and B-cubed precision, recall and F1."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def pairwise(predicted: Mapping[str, Hashable], truth: Mapping[str, Hashable]) -> dict[str, float]:
    """Precision, recall and F1 over record pairs put together."""
    joint: Counter[tuple[Hashable, Hashable]] = Counter((predicted[k], truth[k]) for k in truth)
    pred_sizes: Counter[Hashable] = Counter(predicted[k] for k in truth)
    true_sizes: Counter[Hashable] = Counter(truth.values())

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    tp = sum(pairs(n) for n in joint.values())
    predicted_pairs = sum(pairs(n) for n in pred_sizes.values())
    true_pairs = sum(pairs(n) for n in true_sizes.values())
    precision = tp / predicted_pairs if predicted_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall), "true_pairs": true_pairs}


def bcubed(predicted: Mapping[str, Hashable], truth: Mapping[str, Hashable]) -> dict[str, float]:
    """B-cubed precision, recall and F1 (per record, averaged)."""
    joint: Counter[tuple[Hashable, Hashable]] = Counter((predicted[k], truth[k]) for k in truth)
    pred_sizes: Counter[Hashable] = Counter(predicted[k] for k in truth)
    true_sizes: Counter[Hashable] = Counter(truth.values())
    precision = sum(joint[(predicted[k], truth[k])] / pred_sizes[predicted[k]] for k in truth) / len(truth)
    recall = sum(joint[(predicted[k], truth[k])] / true_sizes[truth[k]] for k in truth) / len(truth)
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}


def report(name: str, predicted: Mapping[str, Hashable], truth: Mapping[str, Hashable]) -> str:
    """One line of figures."""
    pw, b3 = pairwise(predicted, truth), bcubed(predicted, truth)
    return (
        f"{name}: pairwise P={pw['precision']:.4f} R={pw['recall']:.4f} F1={pw['f1']:.4f} "
        f"(true pairs {pw['true_pairs']}) | B3 P={b3['precision']:.4f} R={b3['recall']:.4f} F1={b3['f1']:.4f}"
    )


def clusters_of(assignment: Mapping[str, Hashable]) -> dict[Hashable, list[str]]:
    """Cluster id -> its keys."""
    grouped: defaultdict[Hashable, list[str]] = defaultdict(list)
    for key, cluster in assignment.items():
        grouped[cluster].append(key)
    return dict(grouped)
