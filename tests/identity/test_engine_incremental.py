"""Incremental resolution: order independence, stable ids, re-ingest."""

from __future__ import annotations

import random

from identity.api import IdentityRecord
from identity.engine import IdentityEngine
from identity.memory_store import MemoryStore, resolve_all
from tests.identity.conftest import background, contact, customers_of, social


def _people() -> list[IdentityRecord]:
    return [
        social("instagram", "1", name="김민수", handle="minsu.kim", location="서울", bio="tw: @mkim7"),
        social("x", "7", name="Minsu Kim", handle="mkim7", location="Seoul"),
        contact(
            "sf",
            "1",
            first_name="Minsu",
            last_name="Kim",
            email="minsu.kim@naver.com",
            phone="010-1234-5678",
            country="KR",
            city="Seoul",
        ),
        contact("hs", "1", first_name="Min-soo", last_name="Kim", email="MINSU.KIM@NAVER.COM"),
        social("tiktok", "3", name="Pooja Sharma", handle="pooja.sharma", bio="📧 pooja.s@gmail.com"),
        contact("sf", "3", first_name="Puja", last_name="Sharma", email="pooja.s@gmail.com", city="Mumbai"),
        social("instagram", "9", name="पूजा शर्मा", handle="poojasharma_", bio="tiktok.com/@pooja.sharma"),
        contact("hs", "4", first_name="Ana", last_name="Kovačič", email="ana@kovacic.si"),
        social("x", "4", name="Ana Kovacic", handle="anakovacic", bio="ana@kovacic.si"),
    ]


def _partition(records: list[IdentityRecord], batch_size: int) -> list[set[str]]:
    store = MemoryStore()
    resolve_all(IdentityEngine(), store, [*background(30), *records], batch_size)
    return customers_of(store)


def test_order_does_not_change_the_customers() -> None:
    records = _people()
    expected = _partition(records, 1000)
    for seed in range(3):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        assert _partition(shuffled, 1000) == expected


def test_batches_give_the_same_customers_as_one_batch() -> None:
    records = _people()
    assert _partition(records, 2) == _partition(records, 1000)


def test_expected_people_are_found() -> None:
    partition = _partition(_people(), 1000)
    people = [p for p in partition if not any(k.startswith("contact:bg:") for k in p)]
    assert len(people) == 3


def test_reingested_record_keeps_its_customer_and_ids_stay_stable() -> None:
    engine, store = IdentityEngine(), MemoryStore()
    records = _people()
    resolve_all(engine, store, records)
    before = {r.key: store.customer_of(r.key) for r in records}
    resolve_all(engine, store, records)
    assert {r.key: store.customer_of(r.key) for r in records} == before
    assert engine.resolve([], store).clusters == []


def test_merging_customers_keeps_the_oldest_id() -> None:
    engine, store = IdentityEngine(), MemoryStore()
    first = contact("sf", "1", first_name="Ana", last_name="Novak", email="ana.novak@gmail.com", city="Maribor")
    second = contact("hs", "1", first_name="Ana", last_name="Novak", phone="+386 41 123 456", city="Koper")
    resolve_all(engine, store, background())
    resolve_all(engine, store, [first])
    resolve_all(engine, store, [second])
    ids = sorted({store.customer_of(first.key), store.customer_of(second.key)})
    bridge = contact(
        "sf", "2", first_name="Ana", last_name="Novak", email="ana.novak@gmail.com", phone="041 123 456", country="SI"
    )
    resolution = engine.resolve([bridge], store)
    assert resolution.clusters[0].customer_id == ids[0]
    assert resolution.clusters[0].absorbed == [ids[1]]
