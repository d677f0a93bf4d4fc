"""Scoring a pair of profiles: all field comparisons, guardrails, the rule that names the link."""

from __future__ import annotations

from identity.compare import COMPARERS, name_comparison
from identity.compare_contacts import COLLEAGUES
from identity.namematch import names_clash
from identity.pairs import Comparison, Pair, PairScore
from identity.stats import KeyStats
from identity.weights import Weights

_RULES = {
    ("account", "same account"): "same_account",
    ("account", "cross-link"): "crosslink",
    ("email", "same"): "email",
    ("phone", "same"): "phone",
    ("identifier", "same"): "identifier",
    ("handle", "same handle"): "handle",
}
_RULE_ORDER = ("same_account", "crosslink", "email", "identifier", "phone", "handle")
# When written names clash, a shared phone is a household's landline and a shared email or handle may be a
# family's or a team's: they may still add a little, never enough to merge on their own.
_CLASH_CAPS = {"phone": 0.0, "email": 3.0, "handle": 2.0, "website": 1.0}


def _veto(pair: Pair) -> str | None:
    a, b = pair.a.account, pair.b.account
    if a and b and a[0] == b[0] and a[1] != b[1]:
        return f"two different {a[0]} accounts"
    return None


def _capped(comparison: Comparison) -> Comparison:
    cap = _CLASH_CAPS.get(comparison.field)
    if cap is None or comparison.weight <= cap:
        return comparison
    level = f"{comparison.level} (names differ: capped)"
    return Comparison(comparison.field, level, cap, comparison.values)


def _implied_by_domain(comparison: Comparison) -> Comparison:
    """Two addresses at one company's domain already say the employer is the same: it is no further evidence."""
    if comparison.field != "company" or comparison.weight <= 0:
        return comparison
    return Comparison("company", "same (as the email domain says)", 0.0, comparison.values)


def score_pair(pair: Pair, stats: KeyStats, weights: Weights) -> PairScore:
    """Posterior log-odds that two records are one person, with every comparison that contributed."""
    name, name_cmp = name_comparison(pair, stats, weights)
    comparisons = [name_cmp] if name_cmp else []
    comparisons += [c for comparer in COMPARERS if (c := comparer(pair, stats, weights))]
    if names_clash(name):
        comparisons = [_capped(c) for c in comparisons]
    if any(c.field == "email" and c.level == COLLEAGUES for c in comparisons):
        comparisons = [_implied_by_domain(c) for c in comparisons]
    total = stats.prior() + sum(c.weight for c in comparisons)
    found = {_RULES.get((c.field, c.level)) for c in comparisons if c.weight > 0}
    rule = next((r for r in _RULE_ORDER if r in found), "score")
    return PairScore(total, rule, name, comparisons, _veto(pair))
