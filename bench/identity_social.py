"""Multilingual social benchmark: generated people -> records -> the identity engine, incrementally.

Usage: python -m bench.identity_social [--order] [PEOPLE ...]   (default: 3000 30000)
Prints pairwise and B-cubed figures, wall time and peak memory per scale. `--order` resolves the records
again in another order and batch size, and prints how far the two sets of customers agree.
"""

from __future__ import annotations

import random
import resource
import sys
import time
from typing import Any

from bench.data_gen.generate import generate, record_key
from bench.identity_metrics import pairwise, report
from identity.api import IdentityRecord
from identity.engine import IdentityEngine
from identity.memory_store import MemoryStore, resolve_all


def to_identity(record: dict[str, Any]) -> IdentityRecord:
    """An ingest record as the hub hands it to identity."""
    source = str(record.get("network") or record.get("system"))
    return IdentityRecord(record_key(record), record["type"], source, str(record["id"]), record)


def run(people: int, seed: int = 7, engine: IdentityEngine | None = None, order: bool = False) -> dict[str, str]:
    """Resolve one generated data set; returns the predicted customer of each record."""
    records, truth = generate(people, seed)
    identity_records = [to_identity(r) for r in records]
    engine, store = engine or IdentityEngine(), MemoryStore()
    started, cpu_started = time.perf_counter(), time.process_time()
    resolve_all(engine, store, identity_records, batch_size=1000)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    predicted = {key: store.customer_of(key) or key for key in truth}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(report(f"{people} people, {len(records)} records", predicted, truth))
    customers = len(set(predicted.values()))
    print(f"  resolved in {elapsed:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak_mb:.0f} MB, customers {customers}")
    if order:
        print_order_agreement(identity_records, predicted)
    return {k: str(v) for k, v in predicted.items()}


def print_order_agreement(records: list[IdentityRecord], predicted: dict[str, str]) -> None:
    """Resolve the same records shuffled, in batches of 100, and compare the customers with `predicted`."""
    shuffled = records[:]
    random.Random(1).shuffle(shuffled)
    store = MemoryStore()
    resolve_all(IdentityEngine(), store, shuffled, batch_size=100)
    other = {key: store.customer_of(key) or key for key in predicted}
    agreement = pairwise(other, predicted)
    members: dict[str, set[str]] = {}
    for key, customer in predicted.items():
        members.setdefault(customer, set()).add(key)
    others: dict[str, set[str]] = {}
    for key, customer in other.items():
        others.setdefault(customer, set()).add(key)
    moved = sum(1 for key in predicted if members[predicted[key]] != others[other[key]])
    print(
        f"  another order (shuffled, batches of 100): {moved} of {len(predicted)} records "
        f"({100 * moved / len(predicted):.1f}%) in a different customer; pairwise agreement "
        f"P={agreement['precision']:.4f} R={agreement['recall']:.4f}"
    )


def main(argv: list[str]) -> None:
    """Run every requested scale."""
    order = "--order" in argv
    for people in [int(a) for a in argv if a != "--order"] or [3000, 30000]:
        run(people, order=order)


if __name__ == "__main__":
    main(sys.argv[1:])
