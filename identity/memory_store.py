"""An in-memory `CandidateStore` that also applies resolutions: used by `rapport resolve`, tests and benches."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from identity.api import IdentityRecord, Resolution, Resolver
from identity.collector import long_lived_objects
from identity.engine import IdentityEngine


class MemoryStore:
    """Records, their index keys and customers, held in dictionaries."""

    def __init__(self, id_prefix: str = "cus_") -> None:
        self.records: dict[str, IdentityRecord] = {}
        self._keys_of: dict[str, list[str]] = {}
        # Key -> its record, or its records in a list (lists are far smaller than sets). Most keys belong to
        # one record only: holding that record's key without a list saves ~100 bytes per key.
        self._index: dict[str, str | list[str]] = {}
        self._members: defaultdict[str, set[str]] = defaultdict(set)
        self._do_not_link: defaultdict[str, set[str]] = defaultdict(set)
        self._ids = (f"{id_prefix}{n:08d}" for n in itertools.count(1))

    def find_by_keys(self, keys: Collection[str]) -> Sequence[IdentityRecord]:
        """Stored records indexed under any of `keys`."""
        found: set[str] = set()
        for key in keys:
            held = self._index.get(key)
            if isinstance(held, str):
                found.add(held)
            elif held:
                found.update(held)
        return [self.records[k] for k in sorted(found)]

    def key_counts(self, keys: Collection[str]) -> Mapping[str, int]:
        """How many stored records carry each key."""
        index = self._index
        return {key: 1 if isinstance(held, str) else len(held) for key in keys if (held := index.get(key))}

    def do_not_link(self, record_keys: Collection[str]) -> Collection[tuple[str, str]]:
        """Do-not-link pairs touching these records."""
        return [(a, b) for a in record_keys for b in self._do_not_link.get(a, ())]

    def find_by_customers(self, customer_ids: Collection[str]) -> Sequence[IdentityRecord]:
        """Every stored record of these customers (optional store method)."""
        keys = sorted(k for c in customer_ids for k in self._members.get(c, ()))
        return [self.records[k] for k in keys]

    def add_do_not_link(self, a: str, b: str) -> None:
        """A person said `a` and `b` are different people."""
        self._do_not_link[a].add(b)
        self._do_not_link[b].add(a)

    def customer_of(self, record_key: str) -> str | None:
        """The customer a stored record belongs to."""
        record = self.records.get(record_key)
        return record.customer_id if record else None

    def split(self, record_key: str) -> str:
        """Move a record to a customer of its own and forbid it to rejoin its former records."""
        record = self.records[record_key]
        old = record.customer_id
        for other in self._members.get(old or "", set()) - {record_key}:
            self.add_do_not_link(record_key, other)
        new_id = next(self._ids)
        self._set_customer(record_key, new_id)
        return new_id

    def _set_customer(self, key: str, customer_id: str) -> None:
        record = self.records[key]
        if record.customer_id:
            self._members[record.customer_id].discard(key)
        self.records[key] = replace(record, customer_id=customer_id)
        self._members[customer_id].add(key)

    def apply(self, records: Sequence[IdentityRecord], resolution: Resolution, resolver: Resolver) -> None:
        """Store the batch and its decisions, as the hub does in one transaction."""
        by_key = {record.key: record for record in records}
        for cluster in resolution.clusters:
            for key in cluster.members:
                self._store(replace(by_key[key], customer_id=None), resolver)
        self.regroup(resolution)

    def regroup(self, resolution: Resolution) -> None:
        """Move stored records to the customers a resolution (or a reclustering) gives them."""
        for cluster in resolution.clusters:
            customer = cluster.customer_id or next(self._ids)
            for absorbed in cluster.absorbed:
                for key in list(self._members.get(absorbed, ())):
                    self._set_customer(key, customer)
                self._members.pop(absorbed, None)
            for key in cluster.members:
                self._set_customer(key, customer)

    def _store(self, record: IdentityRecord, resolver: Resolver) -> None:
        old = self.records.get(record.key)
        if old is not None:
            record = replace(record, customer_id=old.customer_id)
            for key in self._keys_of.get(record.key, []):
                self._unindex(key, record.key)
        self.records[record.key] = record
        keys = resolver.index_keys(record)
        self._keys_of[record.key] = keys
        for key in keys:
            self._add_to_index(key, record.key)

    def _add_to_index(self, key: str, record_key: str) -> None:
        held = self._index.get(key)
        if held is None:
            self._index[key] = record_key
        elif isinstance(held, str):
            self._index[key] = [held, record_key]
        else:
            held.append(record_key)

    def _unindex(self, key: str, record_key: str) -> None:
        held = self._index[key]
        if isinstance(held, str):
            del self._index[key]
            return
        held.remove(record_key)
        if len(held) == 1:
            self._index[key] = held[0]

    def customers(self) -> dict[str, list[str]]:
        """Customer id -> its record keys."""
        return {c: sorted(m) for c, m in self._members.items() if m}


def resolve_all(
    resolver: Resolver, store: MemoryStore, records: Sequence[IdentityRecord], batch_size: int = 1000
) -> None:
    """Resolve `records` batch after batch into `store` (the hub's incremental path, in memory)."""
    with long_lived_objects() as settle:
        for start in range(0, len(records), batch_size):
            settle()  # what earlier batches stored stays: the collector need not scan it again
            batch = [_current(store, r) for r in records[start : start + batch_size]]
            store.apply(batch, resolver.resolve(batch, store), resolver)


def recluster_all(engine: IdentityEngine, store: MemoryStore) -> Resolution:
    """Recluster every stored record (`IdentityEngine.recluster`) and apply it; returns what changed."""
    with long_lived_objects():
        resolution = engine.recluster(list(store.records.values()), store)
    store.regroup(resolution)
    return resolution


def _current(store: MemoryStore, record: IdentityRecord) -> IdentityRecord:
    customer = store.customer_of(record.key)
    return record if customer == record.customer_id else replace(record, customer_id=customer)
