"""The exact resolver: same normalised email or E.164 phone means the same customer, never a guess."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pytest

from identity.api import IdentityRecord, Resolution
from identity.exact import ExactResolver, identifier_keys, normalise_email, normalise_phone


class MemoryStore:
    """A hand-written CandidateStore over already resolved records."""

    def __init__(self, records: Sequence[IdentityRecord] = ()) -> None:
        self.records = list(records)
        self.asked: list[set[str]] = []

    def find_by_keys(self, keys: Collection[str]) -> Sequence[IdentityRecord]:
        self.asked.append(set(keys))
        return [r for r in self.records if set(identifier_keys(r.attributes)) & set(keys)]

    def key_counts(self, keys: Collection[str]) -> Mapping[str, int]:
        return {k: sum(k in identifier_keys(r.attributes) for r in self.records) for k in keys}

    def do_not_link(self, record_keys: Collection[str]) -> Collection[tuple[str, str]]:
        return []


def rec(key: str, customer_id: str | None = None, **attributes: Any) -> IdentityRecord:
    kind, source, external_id = key.split(":")
    return IdentityRecord(key, kind, source, external_id, attributes, customer_id)


def clusters(resolution: Resolution) -> list[tuple[str | None, set[str], list[str]]]:
    return sorted(
        ((c.customer_id, set(c.members), sorted(c.absorbed)) for c in resolution.clusters),
        key=lambda c: sorted(c[1]),
    )


def test_normalise_email() -> None:
    assert normalise_email("  Ana.Lopez@Example.COM ") == "ana.lopez@example.com"
    for junk in ("n/a", "N/A", "test@test.com", "-1", "", "none", "ana@", "@x.com", "ana@localhost", "a b@x.com", 7):
        assert normalise_email(junk) is None, junk


def test_normalise_phone_uses_the_country_for_national_numbers() -> None:
    assert normalise_phone("030 12345678", "de") == "+493012345678"
    assert normalise_phone("(202) 555-0147", "US") == normalise_phone("+1 202 555 0147")
    assert normalise_phone("+44 20 7946 0958") == "+442079460958"
    assert normalise_phone("030 12345678") is None  # national number, no region: not guessed
    for junk in ("n/a", "-1", "0", "", None, True, "12", "call me"):
        assert normalise_phone(junk, "DE") is None, junk


def test_identifier_keys() -> None:
    keys = identifier_keys({"email": "A@B.co", "phone": "0171 2345678", "country": "DE"})
    assert keys == {"email:a@b.co": "email", "phone:+491712345678": "phone"}
    assert identifier_keys({"email": "n/a", "phone": "-1"}) == {}


def test_shared_email_across_case_is_one_new_customer() -> None:
    batch = [
        rec("social_profile:instagram:1", email="Ana@Example.com"),
        rec("contact:salesforce:003", email=" ana@example.com"),
        rec("contact:salesforce:004", email="bo@example.com"),
    ]
    resolution = ExactResolver().resolve(batch, MemoryStore())
    assert clusters(resolution) == [
        (None, {"contact:salesforce:003", "social_profile:instagram:1"}, []),
        (None, {"contact:salesforce:004"}, []),
    ]
    assert resolution.links["social_profile:instagram:1"].rule == "new"
    linked = resolution.links["contact:salesforce:003"]
    assert (linked.rule, linked.matched, linked.evidence["email"]) == (
        "email",
        "social_profile:instagram:1",
        "ana@example.com",
    )
    assert resolution.links["contact:salesforce:004"].rule == "new"


def test_phone_in_national_format_matches_its_e164_form() -> None:
    stored = rec("contact:hubspot:9", "cus_a", phone="+49 30 12345678")
    batch = [rec("contact:salesforce:1", phone="030 12345678", country="DE")]
    resolution = ExactResolver().resolve(batch, MemoryStore([stored]))
    assert clusters(resolution) == [("cus_a", {"contact:salesforce:1"}, [])]
    link = resolution.links["contact:salesforce:1"]
    assert (link.rule, link.matched, link.evidence["phone"]) == ("phone", "contact:hubspot:9", "+493012345678")


def test_junk_values_are_not_identifiers() -> None:
    stored = rec("contact:hubspot:9", "cus_a", email="test@test.com", phone="-1")
    batch = [
        rec("contact:salesforce:1", email="test@test.com", phone="-1"),
        rec("contact:salesforce:2", email="n/a", phone="n/a"),
        rec("contact:salesforce:3", email="TEST@test.com", phone="0"),
    ]
    resolution = ExactResolver().resolve(batch, MemoryStore([stored]))
    assert all(customer is None and len(members) == 1 for customer, members, _ in clusters(resolution))


def test_a_record_bridging_two_customers_merges_them() -> None:
    store = MemoryStore(
        [
            rec("contact:salesforce:1", "cus_b", email="ana@example.com"),
            rec("social_profile:x:9", "cus_a", phone="+14155550123"),
        ]
    )
    batch = [rec("contact:hubspot:7", email="ANA@example.com", phone="+1 415 555 0123")]
    resolution = ExactResolver().resolve(batch, store)
    assert clusters(resolution) == [("cus_a", {"contact:hubspot:7"}, ["cus_b"])]


def test_a_stored_record_keeps_its_customer_and_can_pull_another_in() -> None:
    store = MemoryStore([rec("contact:salesforce:1", "cus_b", email="bo@example.com")])
    unchanged = ExactResolver().resolve([rec("social_profile:x:1", "cus_z", email="zed@example.com")], store)
    assert clusters(unchanged) == [("cus_z", {"social_profile:x:1"}, [])]
    assert unchanged.links["social_profile:x:1"].rule == "same_record"
    bridged = ExactResolver().resolve([rec("social_profile:x:1", "cus_z", email="bo@example.com")], store)
    assert clusters(bridged) == [("cus_b", {"social_profile:x:1"}, ["cus_z"])]


def test_every_batch_record_is_in_exactly_one_cluster_with_a_link() -> None:
    batch = [rec(f"contact:s:{i}", email=f"p{i % 3}@example.com", phone="n/a") for i in range(10)]
    resolution = ExactResolver().resolve(batch, MemoryStore())
    members = [m for c in resolution.clusters for m in c.members]
    assert sorted(members) == sorted(r.key for r in batch)
    assert set(resolution.links) == {r.key for r in batch}
    assert len(resolution.clusters) == 3


@pytest.mark.parametrize("field", ["email", "phone"])
def test_index_keys_are_the_identifiers(field: str) -> None:
    value = {"email": "A@B.co", "phone": "+14155550123"}[field]
    assert ExactResolver().index_keys(rec("contact:s:1", **{field: value})) == sorted(identifier_keys({field: value}))
