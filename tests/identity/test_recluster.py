"""Reclustering: stored records decided again on the whole store's counts, whatever order they arrived in."""

from __future__ import annotations

import random

from bench.data_gen.generate import generate
from bench.identity_social import to_identity
from identity.api import Cluster, IdentityRecord, LinkDecision
from identity.clustering import Groups
from identity.engine import IdentityEngine
from identity.memory_store import MemoryStore, recluster_all, resolve_all
from identity.namematch import NameMatch
from identity.pairs import PairScore
from identity.reconcile import ambiguous_in, regroup
from identity.weights import DEFAULT_WEIGHTS
from tests.identity.conftest import background, contact, customers_of, social


def _decide(key: str) -> LinkDecision:
    return LinkDecision(key, "score", 5.0)


def test_an_unchanged_partition_gives_no_clusters() -> None:
    current = {"a1": "A", "a2": "A", "b1": "B"}
    assert regroup([["a1", "a2"], ["b1"]], current, _decide).clusters == []


def test_a_split_keeps_the_id_on_the_larger_part() -> None:
    current = {"a1": "A", "a2": "A", "a3": "A"}
    resolution = regroup([["a1", "a2"], ["a3"]], current, _decide)
    assert resolution.clusters == [Cluster("A", ["a1", "a2"]), Cluster(None, ["a3"])]
    assert set(resolution.links) == {"a1", "a2", "a3"}


def test_a_merge_keeps_the_customer_holding_most_records_and_absorbs_the_other() -> None:
    current = {"a1": "B", "b1": "A", "b2": "A"}
    resolution = regroup([["a1", "b1", "b2"]], current, _decide)
    assert resolution.clusters == [Cluster("A", ["a1", "b1", "b2"], ["B"])]


def test_records_moving_between_customers_keep_both_ids() -> None:
    current = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B"}
    resolution = regroup([["a1", "a2"], ["a3", "b1", "b2"]], current, _decide)
    assert resolution.clusters == [Cluster("B", ["a3", "b1", "b2"]), Cluster("A", ["a1", "a2"])]


def _generated() -> list[IdentityRecord]:
    records, _ = generate(400, seed=11)
    return [to_identity(record) for record in records]


def _settled(records: list[IdentityRecord], batch_size: int) -> tuple[list[set[str]], list[set[str]]]:
    engine, store = IdentityEngine(), MemoryStore()
    resolve_all(engine, store, records, batch_size)
    before = customers_of(store)
    recluster_all(engine, store)
    return before, customers_of(store)


def test_after_reclustering_the_order_records_arrived_in_does_not_matter() -> None:
    records = _generated()
    in_order_before, in_order = _settled(records, 500)
    shuffled = records[:]
    random.Random(3).shuffle(shuffled)
    shuffled_before, shuffled_after = _settled(shuffled, 10)
    assert in_order_before != shuffled_before  # the incremental path does depend on it: this data shows it
    assert shuffled_after == in_order


def test_reclustering_twice_changes_nothing_the_second_time() -> None:
    engine, store = IdentityEngine(), MemoryStore()
    resolve_all(engine, store, _generated(), 25)
    assert recluster_all(engine, store).clusters
    assert recluster_all(engine, store).clusters == []


def test_reclustering_keeps_a_split_record_apart() -> None:
    engine, store = IdentityEngine(), MemoryStore()
    records = [
        *background(30),
        contact("sf", "1", first_name="Minsu", last_name="Kim", email="minsu.kim@naver.com"),
        social("x", "7", name="Minsu Kim", handle="mkim7", bio="minsu.kim@naver.com"),
    ]
    resolve_all(engine, store, records)
    assert store.customer_of("contact:sf:1") == store.customer_of("social_profile:x:7")
    apart = store.split("social_profile:x:7")
    recluster_all(engine, store)
    assert store.customer_of("social_profile:x:7") == apart
    assert store.customer_of("contact:sf:1") != apart


def test_reclustering_explains_each_moved_record() -> None:
    engine, store = IdentityEngine(), MemoryStore()
    resolve_all(engine, store, _generated(), 25)
    resolution = recluster_all(engine, store)
    moved = [key for cluster in resolution.clusters for key in cluster.members]
    assert sorted(resolution.links) == sorted(moved)
    for key in moved:
        link = resolution.links[key]
        if link.matched is not None:
            assert link.evidence["threshold"] == engine.weights.settled_threshold
            assert link.evidence["comparisons"]


def _groups(*members: list[str]) -> Groups:
    groups = Groups()
    for group in members:
        for key in group:
            groups.add(key, None)
            groups.union(group[0], key)
    return groups


def _score(total: float, rule: str = "score") -> PairScore:
    return PairScore(total, rule, NameMatch("full"))


def test_a_record_fitting_two_groups_about_equally_is_ambiguous() -> None:
    groups = _groups(["a1", "a2"], ["b1"], ["r"])
    scores = {("a1", "r"): _score(8.0), ("a2", "r"): _score(5.0), ("b1", "r"): _score(7.0)}
    (item,) = ambiguous_in(groups, scores, DEFAULT_WEIGHTS)
    assert (item.record_key, item.candidate_records, item.candidates) == ("r", ("a1", "b1"), ())
    assert set(item.evidence) == {"a1", "b1"}


def test_a_clear_winner_or_two_strong_identifiers_are_not_ambiguous() -> None:
    groups = _groups(["a1"], ["b1"], ["r"])
    assert ambiguous_in(groups, {("a1", "r"): _score(9.0), ("b1", "r"): _score(4.5)}, DEFAULT_WEIGHTS) == []
    strong = {("a1", "r"): _score(16.0, "email"), ("b1", "r"): _score(15.0, "phone")}
    assert ambiguous_in(groups, strong, DEFAULT_WEIGHTS) == []
    below = {("a1", "r"): _score(5.0), ("b1", "r"): _score(2.0)}  # under the settled threshold: no candidate
    assert ambiguous_in(groups, below, DEFAULT_WEIGHTS) == []


def test_an_ambiguous_record_is_reclustered_alone_and_named_for_review() -> None:
    engine, store = IdentityEngine(), MemoryStore()
    resolve_all(engine, store, _generated(), 25)
    resolution = recluster_all(engine, store)
    assert resolution.review
    for item in resolution.review:
        customer = store.customer_of(item.record_key)
        assert store.customers()[str(customer)] == [item.record_key]
        assert len({store.customer_of(key) for key in item.candidate_records}) == 2
