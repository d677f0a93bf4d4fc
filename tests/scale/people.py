"""Synthetic people whose records share emails and phones in a chain, so that records of one person arriving
apart create separate customers that must later merge, and records arriving together must not create two."""

from __future__ import annotations

import random
from typing import Any

FIRST = ["Minsu", "Seoyeon", "Wei", "Priya", "Matej", "Ana", "José", "María", "Robert", "Jennifer", "Pooja", "Li"]
LAST = ["Kim", "Lee", "Zhang", "Sharma", "Novak", "Kovačič", "García", "Fernández", "Smith", "Wilson", "Patel"]
Record = dict[str, Any]


def person_records(k: int, rng: random.Random) -> list[Record]:
    """Six records of person `k`, all under one full name, linked in a chain:
    x -(email a)- salesforce -(phone)- instagram -(phone)- hubspot -(email b)- tiktok; plus a post on x.

    Resolved in any order or batching, these give one customer per person (checked on SQLite by
    `test_the_reference_partition_does_not_depend_on_order`), so a difference under concurrency is a race.
    """
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{first} {last}"
    email_a, email_b = f"p{k}.a@mail{k % 7}.example.com", f"p{k}.b@post{k % 5}.example.org"
    phone = f"+1 415 555 {k:04d}"
    return [
        {"type": "social_profile", "network": "x", "id": f"x{k}", "handle": f"p{k}x", "name": name, "email": email_a},
        {"type": "contact", "system": "salesforce", "id": f"sf{k}", "first_name": first, "last_name": last,
         "email": email_a.upper(), "phone": phone, "country": "US"},
        {"type": "social_profile", "network": "instagram", "id": f"ig{k}", "handle": f"p{k}ig", "name": name,
         "phone": phone},
        {"type": "contact", "system": "hubspot", "id": f"hs{k}", "first_name": first, "last_name": last,
         "phone": phone, "email": email_b},
        {"type": "social_profile", "network": "tiktok", "id": f"tt{k}", "handle": f"p{k}tt", "name": name,
         "email": email_b},
        {"type": "interaction", "network": "x", "id": f"post{k}", "profile_id": f"x{k}", "kind": "comment",
         "text": "love it", "created_at": "2026-10-01T10:00:00Z"},
    ]  # fmt: skip


def sparse_person_records(k: int, rng: random.Random) -> list[Record]:
    """The same chain with sparse records, as real sources send them: the instagram profile has only a handle and
    the phone, the tiktok profile a first name and email b."""
    records = person_records(k, rng)
    records[2] = {key: v for key, v in records[2].items() if key != "name"}
    records[4] = {**records[4], "name": str(records[1]["first_name"])}
    return records


def spread(people: int, clients: int, seed: int = 11) -> list[list[Record]]:
    """Each client's records, in order: record j of person k goes to client (k + j) % clients, so that at any moment
    every client sends records of the same few people."""
    rng = random.Random(seed)
    streams: list[list[Record]] = [[] for _ in range(clients)]
    for k in range(people):
        for j, record in enumerate(person_records(k, rng)):
            streams[(k + j) % clients].append(record)
    return streams


def resolvable_keys(records: list[Record]) -> set[tuple[str, str, str]]:
    """`(record_type, source, external_id)` of every profile and contact (what `export links` lists)."""
    return {
        (r["type"], r.get("network") or r.get("system") or "", r["id"]) for r in records if r["type"] != "interaction"
    }
