"""Latency: one new record resolved against 100,000 existing customers (p50, p95, max).

Usage: python -m bench.identity_latency [CUSTOMERS]
The store is filled directly (one record per customer, indexed under the engine's keys); then records of
the same people from other sources are resolved one at a time.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict

from bench.data_gen.generate import generate
from bench.identity_social import to_identity
from identity.api import Cluster, IdentityRecord, Resolution
from identity.engine import IdentityEngine
from identity.memory_store import MemoryStore

PROBES = 300


def _fill(engine: IdentityEngine, store: MemoryStore, records: list[IdentityRecord]) -> None:
    for start in range(0, len(records), 5000):
        chunk = records[start : start + 5000]
        resolution = Resolution(clusters=[Cluster(None, [record.key]) for record in chunk])
        store.apply(chunk, resolution, engine)


def main(customers: int) -> None:
    """Build the store, then time single-record resolutions."""
    raw, truth = generate(customers, seed=11)
    by_person: defaultdict[int, list[IdentityRecord]] = defaultdict(list)
    for record in raw:
        identity_record = to_identity(record)
        by_person[truth[identity_record.key]].append(identity_record)
    existing = [records[0] for records in by_person.values()]
    probes = [records[1] for records in by_person.values() if len(records) > 1][:PROBES]
    engine, store = IdentityEngine(), MemoryStore()
    started = time.perf_counter()
    _fill(engine, store, existing)
    print(f"store: {len(existing)} customers indexed in {time.perf_counter() - started:.1f} s")
    timings = []
    for probe in probes:
        started = time.perf_counter()
        engine.resolve([probe], store)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"one record against {len(existing)} customers: p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms ({len(timings)} probes)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
