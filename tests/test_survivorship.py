"""Survivorship: contacts outrank social profiles, the newest wins within a rank, a blank never wins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from identity.api import IdentityRecord
from identity.survivorship import InteractionFact, build_profile, profile_fields, summarise_interactions


def at(day: int) -> datetime:
    return datetime(2024, 1, day, tzinfo=UTC)


def rec(key: str, day: int = 1, **attributes: Any) -> IdentityRecord:
    kind, source, external_id = key.split(":")
    return IdentityRecord(key, kind, source, external_id, attributes, "cus_1", at(day))


def test_contacts_outrank_social_profiles_for_names_even_when_older() -> None:
    profile = build_profile(
        "cus_1",
        [
            rec("social_profile:instagram:1", 20, name="ana_l 🌸", location="Lisboa"),
            rec("contact:salesforce:1", 1, first_name="Ana", last_name="Lopez", city="Porto"),
        ],
    )
    assert (profile["first_name"], profile["last_name"], profile["full_name"]) == ("Ana", "Lopez", "Ana Lopez")
    assert profile["city"] == "Porto"
    assert profile["provenance"]["first_name"]["record"] == "contact:salesforce:1"
    assert profile["provenance"]["full_name"]["source"] == "salesforce"


def test_social_display_name_when_no_contact_has_a_name() -> None:
    profile = build_profile("cus_1", [rec("social_profile:x:1", name="  李小龙 ", location="Hong Kong")])
    assert profile["full_name"] == "李小龙"
    assert profile["first_name"] is None
    assert profile["city"] == "Hong Kong"


def test_newest_record_wins_within_a_rank() -> None:
    profile = build_profile(
        "cus_1",
        [rec("contact:sf:1", 1, title="Engineer", company="Acme"), rec("contact:hs:1", 5, title="CTO")],
    )
    assert profile["title"] == "CTO"
    assert profile["company"] == "Acme"
    assert profile["provenance"]["company"]["record"] == "contact:sf:1"


def test_never_blank_over_a_value() -> None:
    profile = build_profile(
        "cus_1",
        [
            rec("contact:sf:1", 1, city="Oslo", last_name="Berg", company="Nordic"),
            rec("contact:hs:1", 9, city="   ", last_name="", company=None, first_name="Kari"),
        ],
    )
    assert (profile["city"], profile["last_name"], profile["company"]) == ("Oslo", "Berg", "Nordic")
    assert profile["full_name"] == "Kari Berg"


def test_every_email_and_phone_kept_normalised_and_deduplicated() -> None:
    profile = build_profile(
        "cus_1",
        [
            rec("contact:sf:1", 5, email="Ana@Example.com", phone="030 12345678", country="DE"),
            rec("social_profile:x:1", 9, email="ana@example.com ", phone="+49 30 12345678"),
            rec("contact:hs:1", 1, email="ana.work@acme.io", phone="n/a"),
            rec("social_profile:ig:1", 2, email="test@test.com"),
        ],
    )
    assert profile["email"] == "ana@example.com"
    assert profile["emails"] == ["ana@example.com", "ana.work@acme.io"]
    assert profile["phones"] == ["+493012345678"]
    assert profile["phone"] == "+493012345678"


def test_handles_kept_per_network_and_followers_summed() -> None:
    profile = build_profile(
        "cus_1",
        [
            rec("social_profile:instagram:1", 3, handle="@ana", followers=100),
            rec("social_profile:instagram:2", 4, handle="ana.shop", followers=50),
            rec("social_profile:x:7", 1, handle="ana_x", followers=-3),
            rec("social_profile:tiktok:9", 2, handle="@ana", followers=True),
            rec("contact:sf:1", 1, first_name="Ana"),
        ],
    )
    assert profile["handles"] == {"instagram": ["ana", "ana.shop"], "tiktok": ["ana"], "x": ["ana_x"]}
    assert profile["networks"] == ["instagram", "tiktok", "x"]
    assert profile["first_network"] == "x"
    assert profile["followers_total"] == 150
    assert profile["sources"] == [
        "contact:sf",
        "social_profile:instagram",
        "social_profile:tiktok",
        "social_profile:x",
    ]


def test_interaction_summary() -> None:
    facts = [InteractionFact("x", at(d), s) for d, s in [(1, 1.0), (3, -0.5), (2, None)]]
    facts.append(InteractionFact("x", None, 0.5))
    summary = summarise_interactions(facts)
    assert summary["interactions_count"] == 4
    assert summary["last_interaction_at"] == at(3).isoformat()
    assert summary["sentiment_recent"] == round((1.0 - 0.5 + 0.5) / 3, 3)
    assert summarise_interactions([]) == {
        "interactions_count": 0,
        "last_interaction_at": None,
        "sentiment_recent": None,
    }


def test_profile_carries_every_contract_field_and_provenance_is_separable() -> None:
    profile = build_profile("cus_1", [rec("contact:sf:1")], created_at=at(1), updated_at=at(2))
    contract = {
        "id", "first_name", "last_name", "full_name", "email", "emails", "phone", "phones", "city", "country",
        "company", "title", "handles", "first_network", "networks", "followers_total", "interactions_count",
        "last_interaction_at", "sentiment_recent", "created_at", "updated_at",
    }  # fmt: skip
    assert contract <= set(profile)
    assert "provenance" not in profile_fields(profile)
    assert profile["created_at"] == at(1).isoformat()
