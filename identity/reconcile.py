"""Reclustering: stored records decided again, together, on the statistics of everything stored.

The incremental path decides each batch on the statistics it has at the time: a name carried by two records
among a thousand looks rare, the same name carried by forty among ninety thousand is common. So the customers
it finds depend on the order the records arrived in (on the social benchmark, 7% of records end in a different
customer when the same records come shuffled in batches of 100 rather than sorted in batches of 1,000).

Reclustering takes a closed set of stored records (every record of every customer involved), forgets their
customers, and clusters them as one batch would: candidate pairs by blocking key, the store's counts, strongest
links first, no chaining, do-not-link pairs kept apart. The result depends only on the records and the
statistics, not on the order they arrived in. The groups found are then mapped onto the existing customers,
so that ids stay stable: the largest group first, each group keeps the customer holding most of its records,
a group whose customers are all taken starts a new one (a split), and a customer left with no group is
absorbed into the group that took most of its records (a merge). Only the groups that changed are returned.

Ambiguity is judged as the incremental path judges it, on the groups of a first clustering: a record whose two
best groups (each by its best link over the threshold) are about equally good joins neither. It is clustered
alone in a second pass and goes to review, naming a record of each group.

Reclustering links at `Weights.settled_threshold`, below the incremental `threshold`: with the counts of the
whole store, a score is known better than it was when a batch was decided on the counts of the records seen
so far, and needs less margin.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from identity.api import CandidateStore, Cluster, IdentityRecord, LinkDecision, Resolution, ReviewItem
from identity.candidates import Neighbourhood, ProfileCache, blocking_keys, candidate_pairs, chunks
from identity.clustering import Groups
from identity.decide import AMBIGUOUS, too_close
from identity.keys import ALL
from identity.pairs import PairScore
from identity.stats import KeyStats
from identity.weights import Weights


def settled_neighbourhood(
    records: Sequence[IdentityRecord],
    store: CandidateStore,
    cache: ProfileCache,
    block_cap: int,
    candidates: Callable[[str], bool] | None = None,
) -> Neighbourhood:
    """The records as one batch with no customer, counted as the store counts them, paired among themselves;
    with `candidates`, also with the stored records sharing a blocking key that it accepts (customers forgotten too).
    """
    batch = {record.key: cache.get(replace(record, customer_id=None)) for record in sorted(records, key=_key)}
    all_keys = set().union(*(item.keys for item in batch.values())) if batch else set()
    counts: dict[str, int] = {}
    for chunk in chunks(all_keys | {ALL}):
        counts.update(store.key_counts(chunk))
    blocking = blocking_keys(all_keys, counts, block_cap)
    stored = {}
    if candidates is not None:
        found = {r.key: r for chunk in chunks(blocking) for r in store.find_by_keys(chunk)}
        stored = {
            key: cache.get(replace(found[key], customer_id=None))
            for key in sorted(found)
            if key not in batch and candidates(key)
        }
    return Neighbourhood(batch, stored, KeyStats(counts), candidate_pairs(batch, stored, set(blocking)))


def _key(record: IdentityRecord) -> str:
    return record.key


def regroup(
    groups: Iterable[Iterable[str]],
    current: Mapping[str, str | None],
    decide: Callable[[str], LinkDecision],
) -> Resolution:
    """The groups that differ from the current customers, as clusters on existing ids, with their decisions."""
    clusters = _on_customers([sorted(group) for group in groups], current)
    members: defaultdict[str, set[str]] = defaultdict(set)
    for key, customer in current.items():
        if customer:
            members[customer].add(key)
    changed = [c for c in clusters if c.customer_id is None or c.absorbed or members[c.customer_id] != set(c.members)]
    return Resolution(clusters=changed, links={key: decide(key) for c in changed for key in c.members})


def _on_customers(groups: list[list[str]], current: Mapping[str, str | None]) -> list[Cluster]:
    clusters: list[Cluster] = []
    taken: set[str] = set()
    for members in sorted(groups, key=lambda m: (-len(m), m[0])):
        held = Counter(customer for key in members if (customer := current.get(key)))
        free = [customer for customer in held if customer not in taken]
        customer = min(free, key=lambda c: (-held[c], c), default=None)
        if customer is not None:
            taken.add(customer)
        clusters.append(Cluster(customer, members))
    _absorb_the_rest(clusters, current, taken)
    return clusters


def _absorb_the_rest(clusters: list[Cluster], current: Mapping[str, str | None], taken: set[str]) -> None:
    """A customer no group kept is absorbed by the group holding most of its records (which has an id: a group
    that holds records of a customer nobody had taken when its turn came takes that customer)."""
    where: defaultdict[str, Counter[int]] = defaultdict(Counter)
    for index, cluster in enumerate(clusters):
        for key in cluster.members:
            customer = current.get(key)
            if customer and customer not in taken:
                where[customer][index] += 1
    for customer in sorted(where):
        index = min(where[customer], key=lambda i: (-where[customer][i], i))
        clusters[index].absorbed.append(customer)


def ambiguous_in(groups: Groups, scores: Mapping[tuple[str, str], PairScore], weights: Weights) -> list[ReviewItem]:
    """Records whose two best groups are both over the threshold and close, as review items (sorted by key)."""
    threshold = weights.settled_threshold
    best: defaultdict[str, dict[str, tuple[float, str, PairScore]]] = defaultdict(dict)
    for (a, b), score in scores.items():
        if score.veto or score.total < threshold:
            continue
        for key, other in ((a, b), (b, a)):
            per_group = best[key]
            root = groups.find(other)
            if root not in per_group or score.total > per_group[root][0]:
                per_group[root] = (score.total, other, score)
    items: list[ReviewItem] = []
    for key, per_group in sorted(best.items()):
        if len(per_group) < 2:
            continue
        (first, x1, s1), (second, x2, s2) = sorted(per_group.values(), key=lambda e: (-e[0], e[1]))[:2]
        if not too_close((first, s1), (second, s2), weights):
            continue
        evidence = {x1: s1.evidence(threshold), x2: s2.evidence(threshold)}
        items.append(ReviewItem(key, (), AMBIGUOUS, round(first, 2), evidence, candidate_records=(x1, x2)))
    return items
