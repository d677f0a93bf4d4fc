"""Blocking caps: a key shared by too many stored records stops fetching candidates; hints stop sooner."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from identity.api import IdentityRecord
from identity.candidates import ProfileCache, gather
from identity.keys import key_set
from identity.profile import build_profile
from tests.identity.conftest import contact


class CountingStore:
    """A store that claims `count` stored records for every key, and remembers the keys it was asked to find."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.asked: set[str] = set()

    def find_by_keys(self, keys: Collection[str]) -> Sequence[IdentityRecord]:
        self.asked |= set(keys)
        return []

    def key_counts(self, keys: Collection[str]) -> Mapping[str, int]:
        return dict.fromkeys(keys, self.count)

    def do_not_link(self, record_keys: Collection[str]) -> Collection[tuple[str, str]]:
        return []


RECORD = contact("crm", "1", first_name="Minsu", last_name="Kim", email="minsu@example.kr", city="Seoul")


def _asked(stored: int) -> set[str]:
    """Key families fetched when `stored` records share each key (the new record makes one more)."""
    store = CountingStore(stored)
    gather([RECORD], store, ProfileCache(None), block_cap=12)
    return {key.split(":", 1)[0] for key in store.asked}


def test_keys_of_every_family_block_while_few_records_share_them() -> None:
    families = {key.split(":", 1)[0] for key in key_set(build_profile(RECORD))}
    assert _asked(5) == families - {"_", "g", "city", "co"}  # count-only keys never fetch candidates


def test_hints_stop_blocking_at_half_the_cap_names_and_identifiers_at_the_cap() -> None:
    assert _asked(5) >= {"c", "ni", "np", "n", "e"}
    assert _asked(6) == {"n", "e"}
    assert _asked(11) == {"n", "e"}
    assert _asked(12) == set()


def test_a_key_no_other_record_carries_is_neither_fetched_nor_paired() -> None:
    assert _asked(0) == set()  # the new record is the only one: nothing to pair it with


def test_a_re_ingested_record_still_fetches_by_a_key_one_stored_record_carries() -> None:
    # statistics count the re-ingested record once (as stored), so the one stored record carrying a key may be
    # another record: for blocking, the re-ingested record counts again and the key is still fetched
    store = CountingStore(1)
    gather([replace(RECORD, customer_id="cus_1")], store, ProfileCache(None), block_cap=12)
    assert {key.split(":", 1)[0] for key in store.asked} >= {"c", "ni", "np", "n", "e"}
