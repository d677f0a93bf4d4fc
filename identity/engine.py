"""The identity engine: one `Resolver` for the hub's incremental batches and for `rapport resolve`.

normalise (profiles) -> block (index keys, capped by count) -> compare (weighted, term-frequency adjusted)
-> decide (ambiguity to review, guardrails) -> cluster (constrained best-first, no chaining).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from identity.aggregate import customer_profiles
from identity.api import CandidateStore, Cluster, IdentityRecord, LinkDecision, Resolution, ReviewItem
from identity.candidates import Indexed, Neighbourhood, ProfileCache, chunks, gather
from identity.clustering import Edge, Groups, Policy, cluster
from identity.decide import ambiguous_records
from identity.namematch import names_clash
from identity.pairs import Pair, PairScore
from identity.prefilter import may_link
from identity.reconcile import ambiguous_in, regroup, settled_neighbourhood
from identity.schema import ColumnSpec
from identity.scoring import score_pair
from identity.weights import DEFAULT_WEIGHTS, Weights

BLOCK_CAP = 12
# Records whose comparisons add up to this much evidence against (bits) never share a customer. Measured
# without the prior, so that whether two records may share a customer does not depend on the data's size.
INCOMPATIBLE_BELOW = -6.0
CUSTOMER_MARGIN = 10.0  # how far below the threshold a record pair may be for its customer to be compared whole
_IDENTIFIER_RULES = frozenset({"same_account", "crosslink", "email", "identifier"})


class IdentityEngine:
    """Probabilistic identity resolution with guardrails; see docs/design/identity.md."""

    def __init__(
        self,
        weights: Weights = DEFAULT_WEIGHTS,
        columns: Mapping[str, ColumnSpec] | None = None,
        block_cap: int = BLOCK_CAP,
        cache_size: int = 300_000,
    ) -> None:
        self.weights = weights
        self.block_cap = block_cap
        self._cache = ProfileCache(columns, cache_size)  # profiles of recently seen records, rebuilt on change

    def index_keys(self, record: IdentityRecord) -> list[str]:
        """The keys the store indexes `record` under (blocking keys and term-frequency keys), in no set order
        (a store sorts what it writes at once)."""
        return list(self._cache.get(record).keys)

    def resolve(self, records: Sequence[IdentityRecord], store: CandidateStore) -> Resolution:
        """Decide the customer of every record of the batch (reads through `store`, writes nothing)."""
        if not records:
            return Resolution()
        hood = gather(records, store, self._cache, self.block_cap)
        scores, wanted = self._record_scores(hood)
        involved = self._involved(hood, scores)
        _add_customer_members(hood, store, self._cache, involved)
        self._customer_scores(hood, scores, {w for w in wanted if w[1] in involved})
        keys = sorted([*hood.batch, *hood.stored])
        do_not_link = {frozenset(p) for chunk in chunks(keys) for p in store.do_not_link(chunk)}
        review = ambiguous_records(hood, scores, self.weights, do_not_link)
        groups = _initial_groups(hood, involved, scores, self.weights.threshold)
        edges = [Edge(a, b, score) for (a, b), score in scores.items()]
        policy = Policy(
            threshold=self.weights.threshold,
            do_not_link=do_not_link,
            compatible=lambda x, y: self._compatible(hood, scores, x, y),
            frozen={item.record_key for item in review},
        )
        joined = cluster(groups, edges, policy)
        return self._resolution(hood, groups, joined, review)

    def recluster(self, records: Sequence[IdentityRecord], store: CandidateStore) -> Resolution:
        """Cluster stored `records` again as one closed set on the store's counts (see `identity.reconcile`).

        `records` must hold every record of every customer among them. Returns the groups that differ from
        the current customers, on existing ids where they keep most of a customer's records; writes nothing.
        """
        hood = settled_neighbourhood(records, store, self._cache, self.block_cap)
        threshold = self.weights.settled_threshold
        # only links over the threshold matter from here on (a whole store's pairs: keep memory down); the
        # compatibility checks score the other pairs they need again
        scores = {pair: score for pair, score in self._record_scores(hood)[0].items() if score.total >= threshold}
        hood.pairs = []
        keys = sorted(hood.batch)
        do_not_link = {frozenset(p) for chunk in chunks(keys) for p in store.do_not_link(chunk)}
        edges = [Edge(a, b, score) for (a, b), score in scores.items()]
        policy = Policy(threshold, do_not_link, lambda x, y: self._compatible(hood, scores, x, y))
        groups = _singletons(keys)
        cluster(groups, edges, policy)
        review = ambiguous_in(groups, scores, self.weights)  # judged on the first clustering's groups
        policy.frozen = {item.record_key for item in review}
        groups = _singletons(keys)
        joined = cluster(groups, edges, policy)
        current = {record.key: record.customer_id for record in records}
        found = [group.members for group in groups.roots()]
        resolution = regroup(found, current, lambda key: self._decision(hood, key, joined.get(key), threshold))
        resolution.review = review
        return resolution

    def settled_links(
        self, records: Sequence[IdentityRecord], store: CandidateStore, among: Callable[[str], bool]
    ) -> list[tuple[str, str]]:
        """The pairs that `recluster` would link over its threshold, of `records` with each other and with the
        stored records `among` accepts: a whole store's links found a slice of records at a time, so that it
        can be reclustered in parts (the records linked to each other, and each customer's, kept together)."""
        hood = settled_neighbourhood(records, store, self._cache, self.block_cap, among)
        threshold = self.weights.settled_threshold
        return [pair for pair, s in self._record_scores(hood)[0].items() if s.total >= threshold and not s.veto]

    def _score(self, hood: Neighbourhood, a: str, b: str) -> PairScore:
        return self._pair_score(_item(hood, a), _item(hood, b), hood)

    def _record_scores(self, hood: Neighbourhood) -> tuple[dict[tuple[str, str], PairScore], set[tuple[str, str]]]:
        """Scores of the candidate pairs that may link (the others cannot reach the threshold), and the
        (new record, existing customer) pairs worth a customer-level comparison."""
        scores: dict[tuple[str, str], PairScore] = {}
        wanted: set[tuple[str, str]] = set()
        batch, stats, weights = hood.batch, hood.stats, self.weights  # a hot loop
        for pair in hood.pairs:
            a, b = pair
            left, right = _item(hood, a), _item(hood, b)
            if right.customer_id and left.customer_id is None and a in batch:  # a new record of the batch
                wanted.add((a, right.customer_id))
            if left.customer_id and right.customer_id is None and b in batch:
                wanted.add((b, left.customer_id))
            if may_link(left, right, stats, weights):
                scores[pair] = self._pair_score(left, right, hood)
        return scores, wanted

    def _involved(self, hood: Neighbourhood, scores: dict[tuple[str, str], PairScore]) -> set[str]:
        """Existing customers a decision may touch: those of re-ingested records and of near links."""
        floor = self.weights.threshold - CUSTOMER_MARGIN
        near = {key for pair, score in scores.items() if score.total >= floor for key in pair}
        involved = {item.customer_id for item in hood.batch.values() if item.customer_id}
        for key in near:
            stored = hood.stored.get(key)
            if stored is not None and stored.customer_id:
                involved.add(stored.customer_id)
        return involved

    def _customer_scores(
        self, hood: Neighbourhood, scores: dict[tuple[str, str], PairScore], wanted: set[tuple[str, str]]
    ) -> None:
        """Each new record against the whole of each candidate customer (kept under its first record)."""
        customers = customer_profiles(hood, {customer for _, customer in wanted})
        for new, customer in sorted(wanted):
            if customer not in customers:
                continue
            first, whole = customers[customer]
            record = hood.batch[new]
            if may_link(record, whole, hood.stats, self.weights):
                score = self._pair_score(record, whole, hood)
                key = (min(new, first), max(new, first))
                if key not in scores or scores[key].total < score.total:
                    scores[key] = score

    def _pair_score(self, left: Indexed, right: Indexed, hood: Neighbourhood) -> PairScore:
        pair = Pair(left.profile, right.profile, left.keys, right.keys)
        return score_pair(pair, hood.stats, self.weights)

    def _compatible(self, hood: Neighbourhood, scores: dict[tuple[str, str], PairScore], x: str, y: str) -> bool:
        pair = (min(x, y), max(x, y))
        score = scores.get(pair)
        if score is None:
            score = scores[pair] = self._score(hood, *pair)
        if score.veto:
            return False
        if score.rule in _IDENTIFIER_RULES or score.total >= self.weights.clash_override:
            return True
        return score.weight_of_evidence >= INCOMPATIBLE_BELOW and not names_clash(score.name)

    def _resolution(
        self, hood: Neighbourhood, groups: Groups, joined: Mapping[str, Edge], review: list[ReviewItem]
    ) -> Resolution:
        resolution = Resolution(review=review)
        for group in groups.roots():
            members = sorted(m for m in group.members if m in hood.batch)
            if not members:
                continue
            customers = sorted(group.customers)
            survivor = customers[0] if customers else None
            resolution.clusters.append(Cluster(survivor, members, customers[1:]))
            for key in members:
                resolution.links[key] = self._decision(hood, key, joined.get(key), self.weights.threshold)
        resolution.clusters.sort(key=lambda c: c.members[0])
        return resolution

    def _decision(self, hood: Neighbourhood, key: str, edge: Edge | None, threshold: float) -> LinkDecision:
        if edge is None:
            rule = "same_record" if hood.batch[key].customer_id else "new"
            return LinkDecision(key, rule, 1.0)
        other = edge.b if edge.a == key else edge.a
        evidence = edge.score.evidence(threshold)
        return LinkDecision(key, edge.score.rule, round(edge.score.total, 2), other, evidence)


def _item(hood: Neighbourhood, key: str) -> Indexed:
    return hood.batch.get(key) or hood.stored[key]


def _singletons(keys: list[str]) -> Groups:
    groups = Groups()
    for key in keys:
        groups.add(key, None)
    return groups


def _initial_groups(
    hood: Neighbourhood, involved: set[str], scores: dict[tuple[str, str], PairScore], threshold: float
) -> Groups:
    """Groups for the batch, the involved customers (whole) and the stored records of links over threshold."""
    linked = {key for pair, score in scores.items() if score.total >= threshold for key in pair}
    groups = Groups()
    first_of: dict[str, str] = {}
    for key, item in sorted((*hood.stored.items(), *hood.batch.items())):
        customer = item.customer_id
        if key not in hood.batch and key not in linked and customer not in involved:
            continue
        groups.add(key, customer)
        if customer:
            groups.union(first_of.setdefault(customer, key), key)
    return groups


def _add_customer_members(hood: Neighbourhood, store: CandidateStore, cache: ProfileCache, customers: set[str]) -> None:
    """All records of the customers involved, when the store can list them (for the no-chaining checks)."""
    find = getattr(store, "find_by_customers", None)
    if find is None or not customers:
        return
    for record in find(sorted(customers)):
        if record.key not in hood.batch and record.key not in hood.stored:
            hood.stored[record.key] = cache.get(record)
