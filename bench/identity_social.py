"""Multilingual social benchmark: generated people -> records -> the identity engine, incrementally.

Usage: python -m bench.identity_social [PEOPLE ...]   (default: 3000 30000)
Prints pairwise and B-cubed figures, wall time and peak memory per scale.
"""

from __future__ import annotations

import resource
import sys
import time
from typing import Any

from bench.data_gen.generate import generate, record_key
from bench.identity_metrics import report
from identity.api import IdentityRecord
from identity.engine import IdentityEngine
from identity.memory_store import MemoryStore, resolve_all


def to_identity(record: dict[str, Any]) -> IdentityRecord:
    """An ingest record as the hub hands it to identity."""
    source = str(record.get("network") or record.get("system"))
    return IdentityRecord(record_key(record), record["type"], source, str(record["id"]), record)


def run(people: int, seed: int = 7, engine: IdentityEngine | None = None) -> dict[str, str]:
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
    return {k: str(v) for k, v in predicted.items()}


def main(argv: list[str]) -> None:
    """Run every requested scale."""
    for people in [int(a) for a in argv] or [3000, 30000]:
        run(people)


if __name__ == "__main__":
    main(sys.argv[1:])
