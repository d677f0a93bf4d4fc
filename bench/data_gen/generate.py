"""Build a data set: people -> records (shuffled) and the truth (record key -> person id)."""

from __future__ import annotations

import random
from typing import Any

from bench.data_gen.people import CRMS, NETWORKS, Person, _contact, _social, make_person


def _households(rng: random.Random, people: list[Person], share: float) -> None:
    """Some people of one family name and city share a landline."""
    by_family: dict[tuple[str, int, int], list[Person]] = {}
    for p in people:
        by_family.setdefault((p.market.code, p.family, p.city), []).append(p)
    for members in by_family.values():
        if len(members) >= 2 and rng.random() < share * len(members):
            size = min(len(members), rng.randint(2, 3))
            household = rng.sample(members, size)
            prefix = household[0].market.phone_prefix.split()[0]
            landline = f"{prefix} 2 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
            for p in household:
                p.landline = landline


def _records_of(rng: random.Random, p: Person, next_id: list[int], taken_handles: set[tuple[str, str]]) -> None:
    networks = rng.sample(NETWORKS, rng.choices([0, 1, 2, 3, 4], [0.08, 0.35, 0.3, 0.18, 0.09])[0])
    handles = []
    for network in networks:
        next_id[0] += 1
        record = _social(rng, p, network, next_id[0], [])
        while (network, record["handle"].lower()) in taken_handles:  # a handle is unique on its network
            record["handle"] += str(rng.randint(0, 9))
        taken_handles.add((network, record["handle"].lower()))
        handles.append((network, record["handle"]))
        p.records.append(record)
    for record in p.records:  # cross-links name the person's other accounts
        others = [h for h in handles if h[0] != record["network"]]
        record["bio"] = _social(rng, p, record["network"], 0, others)["bio"] if others else record["bio"]
    crm_roll = rng.random()
    systems = [] if crm_roll < 0.35 else [rng.choice(CRMS)] if crm_roll < 0.8 else list(CRMS)
    if systems and rng.random() < 0.1:
        systems.append(systems[0])  # the same person twice in one CRM
    if not networks and not systems:
        systems = [rng.choice(CRMS)]
    for system in systems:
        next_id[0] += 1
        p.records.append(_contact(rng, p, system, next_id[0]))


def record_key(record: dict[str, Any]) -> str:
    """The ingest key of a generated record."""
    source = record.get("network") or record.get("system")
    return f"{record['type']}:{source}:{record['id']}"


def generate(people_count: int, seed: int = 7) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Records of `people_count` people in random order, and the truth."""
    rng = random.Random(seed)
    taken: set[str] = set()
    people = [make_person(rng, pid, taken) for pid in range(people_count)]
    _households(rng, people, 0.01)
    next_id = [1000]
    taken_handles: set[tuple[str, str]] = set()
    for p in people:
        _records_of(rng, p, next_id, taken_handles)
    records = [r for p in people for r in p.records]
    truth = {record_key(r): p.pid for p in people for r in p.records}
    rng.shuffle(records)
    return records, truth
