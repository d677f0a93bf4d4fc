"""Multilingual social benchmark: generated people -> records -> the identity engine, incrementally.

Usage: python -m bench.identity_social [--order] [PEOPLE ...]   (default: 3000 30000)
Prints pairwise and B-cubed figures, wall time and peak memory per scale: after the incremental path, then
after reclustering every record on the whole store's counts (what the hub's reconcile job does). `--order`
resolves the records again shuffled in batches of 100 and prints how far the customers agree, before and after
reclustering.
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
from identity.memory_store import MemoryStore, recluster_all, resolve_all


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
    print(report(f"{people} people, {len(records)} records, incremental", predicted, truth))
    customers = len(set(predicted.values()))
    print(f"  resolved in {elapsed:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak_mb:.0f} MB, customers {customers}")
    started = time.perf_counter()
    recluster_all(engine, store)
    elapsed = time.perf_counter() - started
    settled = {key: store.customer_of(key) or key for key in truth}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(report(f"{people} people, reclustered", settled, truth))
    print(f"  reclustered in {elapsed:.1f} s wall, peak RSS {peak_mb:.0f} MB, customers {len(set(settled.values()))}")
    if order:
        print_order_agreement(identity_records, predicted, settled)
    return {k: str(v) for k, v in settled.items()}


def print_order_agreement(records: list[IdentityRecord], predicted: dict[str, str], settled: dict[str, str]) -> None:
    """Resolve the same records shuffled, in batches of 100, and compare the customers, before and after
    reclustering."""
    shuffled = records[:]
    random.Random(1).shuffle(shuffled)
    engine, store = IdentityEngine(), MemoryStore()
    resolve_all(engine, store, shuffled, batch_size=100)
    other = {key: store.customer_of(key) or key for key in predicted}
    recluster_all(engine, store)
    other_settled = {key: store.customer_of(key) or key for key in predicted}
    for label, mine, theirs in (("incremental", predicted, other), ("reclustered", settled, other_settled)):
        moved = _moved(mine, theirs)
        agreement = pairwise(theirs, mine)
        print(
            f"  another order (shuffled, batches of 100), {label}: {moved} of {len(mine)} records "
            f"({100 * moved / len(mine):.1f}%) in a different customer; pairwise agreement "
            f"P={agreement['precision']:.4f} R={agreement['recall']:.4f}"
        )


def _moved(mine: dict[str, str], theirs: dict[str, str]) -> int:
    """Records whose customer holds other records in `theirs` than in `mine`."""
    members: dict[str, set[str]] = {}
    for key, customer in mine.items():
        members.setdefault(customer, set()).add(key)
    others: dict[str, set[str]] = {}
    for key, customer in theirs.items():
        others.setdefault(customer, set()).add(key)
    return sum(1 for key in mine if members[mine[key]] != others[theirs[key]])


def main(argv: list[str]) -> None:
    """Run every requested scale."""
    order = "--order" in argv
    for people in [int(a) for a in argv if a != "--order"] or [3000, 30000]:
        run(people, order=order)


if __name__ == "__main__":
    main(sys.argv[1:])
