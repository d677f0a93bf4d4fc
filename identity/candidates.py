"""Gathering what a batch needs: profiles (cached), key statistics, stored candidates and candidate pairs."""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from identity.api import CandidateStore, IdentityRecord
from identity.keys import (
    ALL,
    NAME_PAIR_PREFIXES,
    SINGLE_NAME_PREFIX,
    STRONG_PREFIXES,
    is_blocking_key,
    key_families,
)
from identity.profile import Profile, build_profile
from identity.schema import ColumnSpec
from identity.stats import KeyStats

# Keys that only hint at a person (name + initial, name + city, a handle's letters or a name run together):
# a block of them holds half as many records as an identifier's or a full name's. Pairs that share nothing
# else rarely link (about one in a thousand), and they were 40% of all candidate pairs.
WEAK_BLOCKING_PREFIXES = ("c:", "ni:", "np:")


@dataclass(frozen=True, slots=True)
class KeySets:
    """A record's index keys, with the key families the prefilter intersects.

    The families are tuples: each record keeps them for as long as it is cached, and a tuple of 10 keys takes
    136 bytes where a frozenset takes 730; they are only ever tested against the other record's `keys` set.
    """

    keys: frozenset[str]
    strong: tuple[str, ...]
    name_pairs: tuple[str, ...]
    single_names: tuple[str, ...]

    @classmethod
    def of(cls, profile: Profile) -> KeySets:
        """The key sets of a profile, families as `key_families` made them."""
        keys, strong, name_pairs, single_names = key_families(profile)
        # From a set: a frozenset copied from a set gets a table sized for its keys, one built from a list
        # grows its table step by step, up to twice as large (2.2 KB rather than 1.2 KB for 25 keys).
        return cls(frozenset(keys), strong, name_pairs, single_names)

    @classmethod
    def scan(cls, keys: frozenset[str]) -> KeySets:
        """The key sets of any key set (a customer's union), families found by prefix."""
        strong, name_pairs, single_names = [], [], []  # one pass over the keys: the families are disjoint
        for key in keys:
            if key.startswith(STRONG_PREFIXES):
                strong.append(key)
            elif key.startswith(NAME_PAIR_PREFIXES):
                name_pairs.append(key)
            elif key.startswith(SINGLE_NAME_PREFIX):
                single_names.append(key)
        return cls(keys, tuple(strong), tuple(name_pairs), tuple(single_names))


@dataclass(frozen=True, slots=True)
class Indexed:
    """A record's profile, its keys, and the customer it belongs to now (None for a new record)."""

    profile: Profile
    sets: KeySets
    customer_id: str | None

    @property
    def keys(self) -> frozenset[str]:
        """Every index key of the record."""
        return self.sets.keys


class ProfileCache:
    """Profiles by record key, rebuilt only when the record's attributes change (bounded, LRU)."""

    def __init__(self, columns: Mapping[str, ColumnSpec] | None, size: int = 300_000) -> None:
        self._columns = columns
        self._size = size
        self._items: OrderedDict[str, tuple[Mapping[str, Any], Profile, KeySets]] = OrderedDict()

    def get(self, record: IdentityRecord) -> Indexed:
        """The profile of `record` (with its current customer id)."""
        cached = self._items.get(record.key)
        if cached is not None and (cached[0] is record.attributes or cached[0] == record.attributes):
            if cached[0] is not record.attributes:  # the same content read again: keep the copy callers now hold
                self._items[record.key] = (record.attributes, cached[1], cached[2])
            self._items.move_to_end(record.key)
            return Indexed(cached[1], cached[2], record.customer_id)
        profile = build_profile(record, self._columns)
        sets = KeySets.of(profile)
        self._items[record.key] = (record.attributes, profile, sets)
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return Indexed(profile, sets, record.customer_id)


@dataclass(slots=True)
class Neighbourhood:
    """The batch, the stored records it may match, key statistics and the pairs worth scoring."""

    batch: dict[str, Indexed]
    stored: dict[str, Indexed] = field(default_factory=dict)
    stats: KeyStats = field(default_factory=lambda: KeyStats({}))
    pairs: list[tuple[str, str]] = field(default_factory=list)


def _count_new_records(counts: Counter[str], batch: Mapping[str, Indexed]) -> None:
    """Add the keys of the batch's new records to `counts` (stored records are counted already)."""
    for item in batch.values():
        if item.customer_id is None:
            counts.update(item.keys)  # a set, not a mapping: counted in C


def gather(
    records: Sequence[IdentityRecord],
    store: CandidateStore,
    cache: ProfileCache,
    block_cap: int,
) -> Neighbourhood:
    """Profiles of the batch, stored candidates sharing a selective key, statistics, candidate pairs."""
    batch = {record.key: cache.get(record) for record in sorted(records, key=lambda r: r.key)}
    all_keys = set().union(*(item.keys for item in batch.values())) if batch else set()
    counts: Counter[str] = Counter()
    for chunk in chunks(all_keys | {ALL}):
        counts.update(store.key_counts(chunk))
    _count_new_records(counts, batch)
    stats = KeyStats(counts)
    # statistics count a re-ingested record once, as stored; whether it carried each key before is not known
    # here, so for blocking each of its keys counts it again (a key kept needlessly costs a little, a key
    # dropped wrongly would cost a pair)
    again = Counter(key for item in batch.values() if item.customer_id for key in item.keys)
    blocking = blocking_keys(all_keys, counts + again if again else counts, block_cap)
    found_by_key = {r.key: r for chunk in chunks(blocking) for r in store.find_by_keys(chunk) if r.key not in batch}
    found = [found_by_key[key] for key in sorted(found_by_key)]
    stored = {record.key: cache.get(record) for record in found}
    return Neighbourhood(batch, stored, stats, candidate_pairs(batch, stored, set(blocking)))


def blocking_keys(keys: Iterable[str], counts: Mapping[str, int], block_cap: int) -> list[str]:
    """The blocking keys among `keys` selective enough to fetch and pair candidates by, sorted.

    `counts` counts every record carrying each key; a key on one record only pairs nothing (most keys are
    such: a handle, a name spelled together), so it is left out, and neither fetched nor indexed.
    """
    weak_cap = block_cap // 2
    return sorted(
        k
        for k in keys
        if 2 <= counts.get(k, 0) <= (weak_cap if k.startswith(WEAK_BLOCKING_PREFIXES) else block_cap)
        and is_blocking_key(k)
    )


STORE_CHUNK = 100_000  # keys per store call (a store binds them as one parameter; bounded all the same)


def chunks(keys: Collection[str]) -> list[Sequence[str]]:
    """`keys` sorted, in slices small enough for one store call (a store looks sorted keys up faster: SQLite
    takes twice as long over the same keys unsorted)."""
    ordered = sorted(keys)  # linear when they come sorted
    return [ordered[start : start + STORE_CHUNK] for start in range(0, len(ordered), STORE_CHUNK)]


def candidate_pairs(
    batch: Mapping[str, Indexed], stored: Mapping[str, Indexed], blocking: set[str]
) -> list[tuple[str, str]]:
    """Pairs sharing a blocking key with at least one batch record in them, each once, (smaller, larger) keys."""
    index: defaultdict[str, list[str]] = defaultdict(list)
    for key, item in (*batch.items(), *stored.items()):
        for block in item.keys & blocking:
            index[block].append(key)
    pairs: set[tuple[str, str]] = set()
    add = pairs.add
    for members in index.values():
        if len(members) < 2:
            continue
        for a in [m for m in members if m in batch]:
            for b in members:
                if a < b:
                    add((a, b))
                elif b < a and b not in batch:  # two new records are paired once, from the smaller key
                    add((b, a))
    return sorted(pairs)


def customers_of(items: Iterable[Indexed]) -> set[str]:
    """Existing customer ids among these records."""
    return {item.customer_id for item in items if item.customer_id}
